"""The case store on SQLite and on a real PostgreSQL server (see tests/pg.py): persistence
across restarts and crashes, two reviewers on one case, append-only history, undo, counsel's
approval, additions by search and region, pages withheld in full."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pymupdf
import pytest
from sqlalchemy import create_engine, inspect, text

from conftest import SAMPLES, make_pdf, sha256
from pg import db_url  # noqa: F401  (fixture: sqlite and postgresql)
from redactor.apply import apply_proposals
from redactor.errors import BadInputError
from redactor.store import (AppendOnlyError, CaseStore, ConflictError, Decision, StoreError, User,
                            sqlite_url)

STAFF = User("alice", "staff")
OTHER = User("bob", "staff")
COUNSEL = User("carol", "counsel")


def second_pdf(tmp_path: Path) -> Path:
    return make_pdf(tmp_path / "followup.pdf", [
        "FOLLOW-UP NOTE",
        "Operation Sandpiper was discussed again with Paul Brennan on 12 May 2009.",
        "The Laredo field office will send the tasking list.",
    ])


def new_case(tmp_path: Path, url: str | None, *pdfs: Path) -> CaseStore:
    store = CaseStore.create(tmp_path / "case", "2026-FOIA-0042", "Jane Q. Public", date(2026, 11, 2),
                             "law_enforcement", url=url, user=STAFF)
    if pdfs:
        results = store.add_documents(list(pdfs), STAFF)
        assert [r.status for r in results] == ["added"] * len(pdfs), [r.error for r in results]
    return store


def test_create_add_and_reopen_after_restart(tmp_path, memo_pdf, db_url):
    before = sha256(memo_pdf)
    bad = tmp_path / "notes.pdf"
    bad.write_text("not a pdf at all")
    store = new_case(tmp_path, db_url)
    assert store.case.due == date(2026, 11, 30)  # 20 working days after Monday 2 November
    results = store.add_documents([memo_pdf, bad, memo_pdf], STAFF)
    assert [r.status for r in results] == ["added", "failed", "duplicate"]
    assert "not a PDF" in results[1].error and "notes.pdf" in results[1].error
    added = results[0]
    assert added.proposals >= 3 and added.page_count == 1
    copy = store.original_path(added.document_id)
    assert copy == tmp_path / "case" / "originals" / f"{added.sha256}.pdf"
    assert sha256(copy) == added.sha256 == before == sha256(memo_pdf)
    assert (tmp_path / "case" / "proposals" / f"{added.sha256}.json").is_file()
    assert any(a.action == "add_failed" and "notes.pdf" in a.detail for a in store.audit())

    [doc] = store.documents()
    assert (doc.original_name, doc.status, doc.reviewed, doc.total) == ("memo.pdf", "proposed", 0, added.proposals)
    first = store.proposals(doc.id)[0]
    store.decide(first.id, "reject", STAFF, reason="public figure", expected_version=first.version)
    store.close()

    reopened = CaseStore.open(tmp_path / "case", db_url)  # a new process would do the same
    [doc] = reopened.documents()
    assert (doc.status, doc.reviewed) == ("in_review", 1)
    again = reopened.proposal(first.id)
    assert (again.status, again.decided_by, again.version) == ("rejected", "alice", first.version + 1)
    entry = [a for a in reopened.audit(doc.id) if a.action == "reject"][0]
    assert entry.who == "alice" and entry.role == "staff" and "public figure" in entry.detail
    assert entry.when.tzinfo is not None
    reopened.close()


def test_a_crash_mid_review_loses_no_committed_decision(tmp_path, memo_pdf, db_url):
    store = new_case(tmp_path, db_url, memo_pdf)
    [doc] = store.documents()
    ids = [p.id for p in store.proposals(doc.id)]
    store.close()
    # another process decides two proposals and dies without closing anything
    script = ("import os, sys; from pathlib import Path; from redactor.store import CaseStore, User; "
              "s = CaseStore.open(Path(sys.argv[1]), sys.argv[2] or None); u = User('dave', 'staff'); "
              f"s.decide({ids[0]}, 'accept', u); s.decide({ids[1]}, 'reject', u); os._exit(9)")
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "case"), db_url or ""],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 9, proc.stderr
    store = CaseStore.open(tmp_path / "case", db_url)
    status = {p.id: (p.status, p.decided_by) for p in store.proposals(doc.id)}
    assert status[ids[0]] == ("accepted", "dave") and status[ids[1]] == ("rejected", "dave")
    store.close()


def test_two_reviewers_never_overwrite_each_other(tmp_path, memo_pdf, db_url):
    new_case(tmp_path, db_url, memo_pdf).close()
    alice = CaseStore.open(tmp_path / "case", db_url)  # two reviewers, two connections
    bob = CaseStore.open(tmp_path / "case", db_url)
    [doc] = alice.documents()
    seen_by_alice = alice.proposals(doc.id)
    seen_by_bob = bob.proposals(doc.id)
    p, q = seen_by_alice[0], seen_by_alice[1]

    alice.decide(p.id, "accept", STAFF, expected_version=p.version)
    with pytest.raises(ConflictError, match="changed by alice"):
        bob.decide(p.id, "reject", OTHER, expected_version=seen_by_bob[0].version)
    assert bob.proposal(p.id).status == "accepted"  # alice's decision stands, bob's was not saved

    # a bulk decision with one stale proposal saves none of them
    with pytest.raises(ConflictError):
        bob.decide_many([p.id, q.id], "reject", OTHER,
                        expected_versions={p.id: seen_by_bob[0].version, q.id: seen_by_bob[1].version})
    assert alice.proposal(q.id).status == "proposed"

    # bob re-reads, sees alice's decision, and decides on purpose
    fresh = bob.proposal(p.id)
    bob.decide(p.id, "recode", OTHER, codes=["(b)(6)"], reason="not a law-enforcement record here",
               expected_version=fresh.version)
    final = alice.proposal(p.id)
    assert (final.status, final.codes, final.decided_by) == ("accepted", ["(b)(6)"], "bob")
    actions = [(d.user_name, d.action) for d in alice.decisions(doc.id)]
    assert actions == [("alice", "accept"), ("bob", "recode")]
    alice.close()
    bob.close()


def test_concurrent_reviewers_lose_no_decision(tmp_path, db_url):
    new_case(tmp_path, db_url, SAMPLES / "email-chain.pdf").close()
    stores = [CaseStore.open(tmp_path / "case", db_url) for _ in range(2)]
    [doc] = stores[0].documents()
    views = stores[0].proposals(doc.id)
    assert len(views) >= 10
    errors: list[Exception] = []

    def review(store: CaseStore, user: User, mine: list) -> None:
        try:
            for p in mine:
                store.decide(p.id, "accept" if p.id % 2 else "reject", user, expected_version=p.version)
        except Exception as exc:  # any failure is a lost decision
            errors.append(exc)

    threads = [threading.Thread(target=review, args=(stores[i], (STAFF, OTHER)[i], views[i::2])) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    after = {p.id: p for p in stores[1].proposals(doc.id)}
    assert all(after[p.id].status == ("accepted" if p.id % 2 else "rejected") for p in views)
    assert len(stores[0].decisions(doc.id)) == len(views)
    assert stores[0].document(doc.id).status == "reviewed"
    for s in stores:
        s.close()


def test_decisions_approvals_and_audit_are_append_only(tmp_path, memo_pdf, db_url):
    store = new_case(tmp_path, db_url, memo_pdf)
    [doc] = store.documents()
    store.decide_many([p.id for p in store.proposals(doc.id)], "accept", STAFF)
    store.approve(doc.id, COUNSEL, "fine")
    # through the ORM: refused before anything reaches the database
    with store._write() as s, s.begin():
        row = s.get(Decision, store.decisions(doc.id)[0].id)
        row.reason = "rewritten"
        with pytest.raises(AppendOnlyError):
            s.flush()
        s.rollback()
    # straight SQL: refused by the database's triggers
    engine = create_engine(db_url or sqlite_url(tmp_path / "case"))
    for table in ("decisions", "approvals", "audit_log"):
        for sql in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
            with pytest.raises(Exception, match="append-only"):
                with engine.begin() as conn:
                    conn.execute(text(sql))
    with engine.connect() as conn:
        counts = [conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in ("decisions", "approvals")]
    engine.dispose()
    assert counts == [doc.total, 1]
    assert store.decisions(doc.id)[0].reason == ""
    store.close()


def test_undo_appends_the_inverse_and_refuses_over_someone_elses_change(tmp_path, memo_pdf, db_url):
    store = new_case(tmp_path, db_url, memo_pdf)
    [doc] = store.documents()
    views = store.proposals(doc.id)
    store.decide(views[0].id, "accept", STAFF)
    assert store.decide_many([p.id for p in views[1:3]], "reject", STAFF) == 2
    assert store.undo(doc.id, STAFF) == 2  # the bulk action is undone as a whole
    assert [store.proposal(p.id).status for p in views[:3]] == ["accepted", "proposed", "proposed"]
    assert store.undo(doc.id, STAFF) == 1
    assert store.proposal(views[0].id).status == "proposed"
    with pytest.raises(StoreError, match="nothing of yours to undo"):
        store.undo(doc.id, STAFF)
    assert [d.action for d in store.decisions(doc.id)] == ["accept", "reject", "reject", "undo", "undo", "undo"]

    store.decide(views[0].id, "accept", STAFF)
    store.decide(views[0].id, "reject", OTHER)  # bob changed it since
    with pytest.raises(ConflictError):
        store.undo(doc.id, STAFF)
    assert store.proposal(views[0].id).status == "rejected"

    store.withhold_page(doc.id, 0, ["(b)(7)(E)"], OTHER, "technique")
    assert store.withheld_pages(doc.id) == {0: ["(b)(7)(E)"]}
    assert store.undo(doc.id, OTHER) == 1
    assert store.withheld_pages(doc.id) == {}
    store.close()


def test_only_counsel_approves_and_only_a_reviewed_document(tmp_path, memo_pdf, db_url):
    store = new_case(tmp_path, db_url, memo_pdf)
    [doc] = store.documents()
    views = store.proposals(doc.id)
    with pytest.raises(PermissionError, match="only counsel"):
        store.approve(doc.id, STAFF)
    with pytest.raises(StoreError, match="undecided"):
        store.approve(doc.id, COUNSEL)
    store.decide_many([p.id for p in views], "accept", STAFF)
    assert store.document(doc.id).status == "reviewed"
    store.approve(doc.id, COUNSEL, "exemptions confirmed")
    assert store.document(doc.id).status == "approved"
    with pytest.raises(StoreError, match="approved"):  # an approved document is locked
        store.decide(views[0].id, "reject", STAFF)
    with pytest.raises(StoreError, match="comment"):
        store.return_document(doc.id, COUNSEL, "  ")
    with pytest.raises(PermissionError):
        store.return_document(doc.id, STAFF, "no")
    store.return_document(doc.id, COUNSEL, "release the agency's phone number")
    row = store.document(doc.id)
    assert (row.status, row.last_comment) == ("returned", "release the agency's phone number")
    store.decide(views[0].id, "reject", STAFF, reason="per counsel")
    store.approve(doc.id, COUNSEL)
    assert [(a.action, a.user_name) for a in store.approvals(doc.id)] == [
        ("approve", "carol"), ("return", "carol"), ("approve", "carol")]
    store.close()


def test_add_by_search_covers_every_occurrence_in_the_case(tmp_path, memo_pdf, db_url):
    store = new_case(tmp_path, db_url, memo_pdf, second_pdf(tmp_path))
    memo, followup = store.documents()
    assert store.add_by_search("operation  SANDPIPER", codes=["(b)(7)(E)"], user=STAFF) == 2
    assert store.add_by_search("Operation Sandpiper", codes=["(b)(7)(E)"], user=STAFF) == 0  # already covered
    assert store.add_by_search(r"\bLaredo\b", regex=True, codes=["(b)(7)(E)"], user=OTHER,
                               scope="document", document_id=followup.id) == 1
    with pytest.raises(StoreError, match="unknown code"):
        store.add_by_search("Laredo", codes=["(b)(99)"], user=STAFF)
    with pytest.raises(StoreError, match="not a valid pattern"):
        store.add_by_search("(unclosed", regex=True, codes=["(b)(6)"], user=STAFF)
    manual = [p for p in store.proposals(followup.id) if p.source == "manual"]
    assert sorted(p.text for p in manual) == ["Laredo", "Operation Sandpiper"]
    assert all(p.status == "accepted" and p.entity == "MANUAL" and p.key.startswith("m-") for p in manual)

    region = store.add_redaction(memo.id, 0, [[72, 60, 300, 76]], "MEMORANDUM FOR: Directors", ["(b)(5)"],
                                 STAFF, "draft heading")
    assert (region.status, region.source, region.codes) == ("accepted", "manual", ["(b)(5)"])
    with pytest.raises(StoreError, match="no page 3"):
        store.add_redaction(memo.id, 2, [[1, 1, 2, 2]], "x", ["(b)(6)"], STAFF)

    # what the store hands to apply really removes what was added
    out = tmp_path / "followup.redacted.pdf"
    apply_proposals(store.original_path(followup.id), store.proposal_set(followup.id), out)
    with pymupdf.open(out) as pdf:
        released = pdf[0].get_text()
    assert "Sandpiper" not in released and "Laredo" not in released and "FOLLOW-UP NOTE" in released
    assert store.undo(followup.id, OTHER) == 1  # withdraws bob's Laredo addition
    assert [p.text for p in store.proposals(followup.id) if p.source == "manual"] == ["Operation Sandpiper"]
    store.close()


def test_pages_withheld_in_full(tmp_path, memo_pdf, db_url):
    store = new_case(tmp_path, db_url, memo_pdf)
    [doc] = store.documents()
    with pytest.raises(StoreError, match="no page 2"):
        store.withhold_page(doc.id, 1, ["(b)(5)"], STAFF)
    store.withhold_page(doc.id, 0, ["(b)(5)", "(b)(7)(E)"], STAFF, "deliberative")
    assert store.withheld_pages(doc.id) == {0: ["(b)(5)", "(b)(7)(E)"]}
    assert store.document(doc.id).withheld_pages == {0: ["(b)(5)", "(b)(7)(E)"]}
    assert store.proposal_set(doc.id).withheld_pages == {0: ["(b)(5)", "(b)(7)(E)"]}
    store.release_page(doc.id, 0, STAFF, "segregable after all")
    assert store.withheld_pages(doc.id) == {}
    with pytest.raises(StoreError, match="not withheld"):
        store.release_page(doc.id, 0, STAFF)
    assert [a.action for a in store.audit(doc.id)][-2:] == ["withhold_page", "release_page"]
    store.close()


def test_schema_is_migrated_and_reading_leaves_the_database_file_alone(tmp_path, memo_pdf):
    store = new_case(tmp_path, None, memo_pdf)
    [doc] = store.documents()
    store.close()
    db = tmp_path / "case" / "case.db"
    before = sha256(db)
    store = CaseStore.open(tmp_path / "case")
    store.documents(), store.proposals(doc.id), store.audit(), store.proposal_set(doc.id)
    store.close()
    assert sha256(db) == before
    engine = create_engine(sqlite_url(tmp_path / "case"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
        triggers = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
    assert {"decisions_no_update", "audit_log_no_delete", "approvals_no_update"} <= triggers
    assert {"cases", "documents", "proposals", "decisions", "approvals", "audit_log", "withheld_pages"} <= set(
        inspect(engine).get_table_names())
    engine.dispose()


def test_opening_what_is_not_a_case_is_one_clear_error(tmp_path):
    with pytest.raises(BadInputError, match="case folder not found"):
        CaseStore.open(tmp_path / "missing")
    with pytest.raises(BadInputError, match="not a case folder"):
        CaseStore.open(tmp_path)
    new_case(tmp_path, None).close()
    with pytest.raises(BadInputError, match="already a case folder"):
        new_case(tmp_path, None)
    with pytest.raises(BadInputError, match="unknown record context"):
        CaseStore.create(tmp_path / "other", "X-1", "Someone", date(2026, 1, 5), "secret_police")


def test_a_region_over_several_lines_is_released_without_them(tmp_path):
    pdf = make_pdf(tmp_path / "para.pdf", ["Line one of the paragraph here.", "Line two of the paragraph here.",
                                           "Line three of the paragraph.", "Line four stays."])
    store = new_case(tmp_path, None, pdf)
    [doc] = store.documents()
    region = store.add_redaction(doc.id, 0, [[60, 55, 400, 110]], "", ["(b)(5)"], STAFF, "deliberative")
    assert region.text == "[region on page 1]" and len(region.boxes) == 4  # the region and its 3 lines
    out = tmp_path / "para.redacted.pdf"
    apply_proposals(store.original_path(doc.id), store.proposal_set(doc.id), out)  # verifies
    with pymupdf.open(out) as released:
        assert released[0].get_text().split() == ["Line", "four", "stays.", "(b)(5)"]
    store.close()
