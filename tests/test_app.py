"""The reviewer (app.py) driven as a person uses it, with Streamlit's AppTest, over a real
case store on two sample records; every check reads the store back afterwards."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT, SAMPLES

from redactor.store import CaseStore, User

APP = str(ROOT / "app.py")
DOCS = ["memo-coordination.pdf", "letter.pdf"]
SIGN_IN = "FormSubmitter:sign_in-Sign in"


@pytest.fixture
def case_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "case-2024-0117"
    store = CaseStore.create(folder, number="2024-FOIA-0117", requester="Jordan Public",
                             received=date(2024, 3, 1), record_context="law_enforcement")
    results = store.add_documents([SAMPLES / name for name in DOCS], User("Loader", "staff"))
    assert all(r.ok for r in results), results
    monkeypatch.setenv("REDACTOR_CASE", str(folder))
    monkeypatch.delenv("REDACTOR_DB_URL", raising=False)
    monkeypatch.delenv("REDACTOR_IDENTITY", raising=False)
    return folder


def reopen(case_dir: Path) -> CaseStore:
    """A second store on the same database: what the app saved, not what it holds in memory."""
    return CaseStore.open(case_dir)


def doc_id(store: CaseStore, name: str) -> int:
    return next(d.id for d in store.documents() if d.original_name == name)


def signed_in(name: str, role: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    at.text_input(key="sign_in_name").input(name)
    at.selectbox(key="sign_in_role").select(role)
    at.button(key=SIGN_IN).click().run()
    assert not at.exception, at.exception
    return at


def messages(at: AppTest) -> dict[str, list[str]]:
    return {"success": [t.value for t in at.toast], "error": [e.value for e in at.error],
            "warning": [w.value for w in at.warning]}


def first_page(store: CaseStore, document: int, page: int = 0):
    """The proposals of a page in the order the app lists (and numbers) them."""
    return sorted((p for p in store.proposals(document) if p.page == page),
                  key=lambda p: (round(p.boxes[0][1]), p.boxes[0][0]))


def test_sign_in_is_required_and_needs_a_name(case_dir: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    assert "Sign in" in at.info[0].value
    assert "document" not in [s.key for s in at.selectbox]
    at.button(key=SIGN_IN).click().run()
    assert any("Enter your name" in e.value for e in at.error)
    assert "document" not in [s.key for s in at.selectbox]


def test_staff_accept_reject_recode_with_comment(case_dir: Path) -> None:
    at = signed_in("Dana Reyes", "staff")
    store = reopen(case_dir)
    memo = doc_id(store, "memo-coordination.pdf")
    assert at.selectbox(key="document").value == memo
    image = at.image[0]
    proposals = first_page(store, memo)
    assert f"Page 1: {len(proposals)} proposals" in image.captions[0]
    first, second, third = proposals[:3]

    at.text_input(key=f"comment_{first.id}").input("third-party name, no public interest")
    at.button(key=f"accept_{first.id}").click().run()
    at.button(key=f"reject_{second.id}").click().run()
    at.multiselect(key=f"codes_{third.id}").set_value(["(b)(6)"])
    at.button(key=f"recode_{third.id}").click().run()
    assert not at.exception and not messages(at)["error"], messages(at)

    after = {p.id: p for p in reopen(case_dir).proposals(memo)}
    assert after[first.id].status == "accepted"
    assert after[second.id].status == "rejected"
    assert after[third.id].codes == ["(b)(6)"]
    trail = reopen(case_dir).audit(memo)
    assert any(e.who == "Dana Reyes" and e.role == "staff" and "third-party name" in e.detail for e in trail)
    # the decided buttons are now disabled and the progress counts them
    assert at.button(key=f"accept_{first.id}").disabled
    assert at.button(key=f"reject_{second.id}").disabled
    document = next(d for d in reopen(case_dir).documents() if d.id == memo)
    assert document.reviewed >= 2
    assert f"Document: {document.reviewed} / {document.total} reviewed" in at.main.get("progress")[0].proto.text


def test_pick_another_document_and_page(case_dir: Path) -> None:
    at = signed_in("Dana Reyes", "staff")
    store = reopen(case_dir)
    letter = doc_id(store, "letter.pdf")
    at.selectbox(key="document").set_value(letter).run()
    assert not at.exception
    assert "## letter.pdf" in [m.value for m in at.markdown]
    pages = {p.page for p in store.proposals(letter)}
    target = max(pages)
    at.number_input(key="page").set_value(target + 1).run()
    assert f"Page {target + 1}:" in at.image[0].captions[0]
    on_page = first_page(store, letter, target)
    at.button(key=f"reject_{on_page[0].id}").click().run()
    assert {p.id: p.status for p in reopen(case_dir).proposals(letter)}[on_page[0].id] == "rejected"


def test_bulk_accept_by_recognizer_leaves_explicit_decisions(case_dir: Path) -> None:
    at = signed_in("Dana Reyes", "staff")
    store = reopen(case_dir)
    memo = doc_id(store, "memo-coordination.pdf")
    proposals = store.proposals(memo)
    recognizer = max({p.recognizer for p in proposals if p.recognizer},
                     key=lambda r: sum(p.recognizer == r for p in proposals))
    keep = next(p for p in proposals if p.recognizer == recognizer)
    store.decide(keep.id, "reject", User("Sam Lee", "staff"), reason="a public figure")
    at.run()
    at.radio(key="bulk_field").set_value("recognizer")
    at.radio(key="bulk_scope").set_value("document").run()
    at.selectbox(key="bulk_value").set_value(recognizer)
    at.button(key="bulk_accept").click().run()
    assert not messages(at)["error"], messages(at)
    after = reopen(case_dir).proposals(memo)
    by_recognizer = [p for p in after if p.recognizer == recognizer]
    assert {p.id: p.status for p in by_recognizer if p.id != keep.id} == \
        {p.id: "accepted" for p in by_recognizer if p.id != keep.id}
    assert next(p for p in after if p.id == keep.id).status == "rejected"
    assert all(p.status == "proposed" for p in after if p.recognizer != recognizer and p.source == "auto")


def test_add_by_search_across_the_case_and_by_region(case_dir: Path) -> None:
    at = signed_in("Dana Reyes", "staff")
    store = reopen(case_dir)
    before = {d.id: len(store.proposals(d.id)) for d in store.documents()}
    # "Office of Field Operations" is printed on two pages of the memo and no recognizer proposes it
    at.text_input(key="search_pattern").input("Office of Field Operations")
    at.radio(key="search_scope").set_value("case")
    at.multiselect(key="search_codes").set_value(["(b)(7)(E)"])
    at.button(key="search_add").click().run()
    assert not messages(at)["error"], messages(at)
    store = reopen(case_dir)
    manual = {d.original_name: [p for p in store.proposals(d.id) if p.source == "manual"] for d in store.documents()}
    assert manual["memo-coordination.pdf"] and all(
        p.text == "Office of Field Operations" and p.codes == ["(b)(7)(E)"] for ps in manual.values() for p in ps)
    assert {p.page for p in manual["memo-coordination.pdf"]} == {0, 2}
    assert sum(len(ps) for ps in manual.values()) == sum(
        len(store.proposals(d.id)) for d in store.documents()) - sum(before.values())

    memo = doc_id(store, "memo-coordination.pdf")
    for name, value in zip(("x0", "y0", "x1", "y1"), (72, 700, 300, 730)):
        at.number_input(key=f"region_{name}").set_value(value)
    at.multiselect(key="region_codes").set_value(["(b)(7)(E)"])
    at.text_input(key="region_reason").input("sensor locations")
    at.button(key="region_add").click().run()
    assert not messages(at)["error"], messages(at)
    regions = [p for p in reopen(case_dir).proposals(memo)
               if p.source == "manual" and p.boxes[0] == [72.0, 700.0, 300.0, 730.0]]
    assert len(regions) == 1 and regions[0].page == 0


def test_withhold_page_in_full_then_undo(case_dir: Path) -> None:
    at = signed_in("Dana Reyes", "staff")
    store = reopen(case_dir)
    memo = doc_id(store, "memo-coordination.pdf")
    at.number_input(key="page").set_value(2).run()
    at.multiselect(key="withhold_codes").set_value(["(b)(7)(E)"])
    at.text_input(key="withhold_reason").input("techniques and procedures throughout")
    at.button(key="withhold_page").click().run()
    assert not messages(at)["error"], messages(at)
    assert reopen(case_dir).withheld_pages(memo) == {1: ["(b)(7)(E)"]}
    assert any("withheld in full" in w.value for w in at.warning)
    assert "withheld in full" in at.image[0].captions[0]

    at.button(key="undo").click().run()
    assert reopen(case_dir).withheld_pages(memo) == {}
    assert any(e.action == "undo" or "undo" in e.detail.lower() for e in reopen(case_dir).audit(memo))


def test_conflict_with_another_reviewer_is_shown_not_lost(case_dir: Path) -> None:
    at = signed_in("Dana Reyes", "staff")
    other = reopen(case_dir)
    memo = doc_id(other, "memo-coordination.pdf")
    target = first_page(other, memo)[0]
    # Sam decides after Dana's screen was drawn; Dana then clicks on what she saw
    other.decide(target.id, "accept", User("Sam Lee", "staff"), reason="Sam first",
                 expected_version=target.version)
    at.button(key=f"reject_{target.id}").click().run()
    errors = messages(at)["error"]
    assert errors and "another reviewer" in errors[0]
    kept = {p.id: p for p in reopen(case_dir).proposals(memo)}[target.id]
    assert kept.status == "accepted"  # Sam's decision stands
    # the page now shows Sam's decision, and Dana's next click (on fresh data) is saved
    at.button(key=f"reject_{target.id}").click().run()
    assert {p.id: p for p in reopen(case_dir).proposals(memo)}[target.id].status == "rejected"


def test_only_counsel_approve_or_return(case_dir: Path) -> None:
    staff = signed_in("Dana Reyes", "staff")
    assert staff.button(key="approve").disabled and staff.button(key="return").disabled

    store = reopen(case_dir)
    memo = doc_id(store, "memo-coordination.pdf")
    counsel = signed_in("Morgan Hale", "counsel")
    counsel.button(key="approve").click().run()
    assert messages(counsel)["error"], "approving with undecided proposals must be refused"
    assert next(d for d in reopen(case_dir).documents() if d.id == memo).status != "approved"

    counsel.button(key="return").click().run()  # no comment: refused by the app
    assert any("needs a comment" in e for e in messages(counsel)["error"])
    counsel.text_area(key="counsel_comment").input("Re-check the distribution list.")
    counsel.button(key="return").click().run()
    assert next(d for d in reopen(case_dir).documents() if d.id == memo).status == "returned"
    staff.run()  # the reviewers see why it came back
    assert any("Returned by counsel: Re-check the distribution list." in w.value for w in staff.warning)

    store = reopen(case_dir)
    store.decide_many([p.id for p in store.proposals(memo) if p.status == "proposed"], "accept",
                      User("Dana Reyes", "staff"))
    counsel.text_area(key="counsel_comment").input("Exemptions are supported.")
    counsel.button(key="approve").click().run()
    assert not messages(counsel)["error"], messages(counsel)
    assert next(d for d in reopen(case_dir).documents() if d.id == memo).status == "approved"
    assert any(e.who == "Morgan Hale" and e.role == "counsel" and e.action == "approve"
               for e in reopen(case_dir).audit(memo))
    staff.run()  # approved: locked for the reviewers until counsel return it
    first = first_page(reopen(case_dir), memo)[0]
    assert staff.button(key=f"reject_{first.id}").disabled and staff.button(key=f"recode_{first.id}").disabled
    assert any("locked" in i.value for i in staff.info)


def test_preview_shows_the_page_as_released(case_dir: Path) -> None:
    at = signed_in("Dana Reyes", "staff")
    at.toggle(key="preview").set_value(True).run()
    assert not at.exception and not messages(at)["error"], messages(at)
    assert at.image[0].captions == ["Page 1 as it will be released"]


def test_case_picker_over_a_folder_of_cases(case_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDACTOR_CASE")
    monkeypatch.setenv("REDACTOR_CASES_ROOT", str(case_dir.parent))
    (case_dir.parent / "not-a-case").mkdir()
    at = signed_in("Dana Reyes", "staff")
    picker = at.selectbox(key="case")
    assert [Path(o).name for o in picker.options] == [case_dir.name]
    assert "## memo-coordination.pdf" in [m.value for m in at.markdown]


def test_a_broken_case_folder_is_one_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDACTOR_CASE", str(tmp_path / "no-such-case"))
    monkeypatch.delenv("REDACTOR_IDENTITY", raising=False)
    at = signed_in("Dana Reyes", "staff")
    assert any(f"Cannot open the case at {tmp_path / 'no-such-case'}" in e.value for e in at.error)
