"""The release package: only approved documents, redacted and verified; withheld pages as
placeholders with nothing of the page left; the Vaughn index; the masked audit trail; the
manifest; atomic, never overwriting, originals and store untouched."""
from __future__ import annotations

import csv
import hashlib
import json
import re
from datetime import date
from pathlib import Path

import pymupdf
import pytest

from conftest import make_pdf, sha256
from redactor.codes import load_code_set
from redactor.errors import BadInputError
from redactor.release import release_case
from redactor.store import CaseStore, User

STAFF = User("alice", "staff")
COUNSEL = User("carol", "counsel")
FOIA = load_code_set("foia")


def two_page_report(path: Path) -> Path:
    doc = pymupdf.open()
    pages = [
        ["INCIDENT REPORT - U.S. Customs and Border Protection",
         "The stop was made by SA Rebecca Thornton of the Laredo field office.",
         "Questions go to Paul Brennan at (202) 555-0143 or paul.brennan@cbp.dhs.gov.",
         "Operation Sandpiper continues in May 2009."],
        ["CONFIDENTIAL SOURCE DEBRIEFING",
         "The source met the case agent at the Quarry Road checkpoint on Tuesday.",
         "Payment vouchers were signed by the source under a cover name."],
    ]
    for lines in pages:
        page = doc.new_page()
        for i, line in enumerate(lines):
            page.insert_text((72, 72 + 18 * i), line, fontsize=11, fontname="helv")
    doc.save(path)
    doc.close()
    return path


def norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def case(tmp_path: Path):
    report = two_page_report(tmp_path / "report.pdf")
    memo = make_pdf(tmp_path / "memo.pdf", ["Follow-up: Paul Brennan will call Jane Roe on Friday."])
    store = CaseStore.create(tmp_path / "case", "2026-FOIA-0007", "Jane Q. Public", date(2026, 11, 2),
                             "law_enforcement", user=STAFF)
    results = store.add_documents([report, memo], STAFF)
    assert [r.status for r in results] == ["added", "added"]
    yield store, tmp_path
    store.close()


def test_release_package(case):
    store, tmp_path = case
    report_doc, memo_doc = store.documents()
    views = store.proposals(report_doc.id)
    on_page_1 = [p for p in views if p.page == 0]
    kept = next(p for p in on_page_1 if "Thornton" in p.text)  # a reviewer releases this one
    store.decide(kept.id, "reject", STAFF, reason="named in the agency's press release")
    store.decide_many([p.id for p in views if p.id != kept.id], "accept", STAFF)
    store.add_by_search("Operation Sandpiper", codes=["(b)(7)(E)"], user=STAFF, scope="document",
                        document_id=report_doc.id)
    store.withhold_page(report_doc.id, 1, ["(b)(7)(D)"], STAFF, "confidential source")
    store.approve(report_doc.id, COUNSEL, "exemptions confirmed")
    withheld_texts = [norm(p.text) for p in store.proposals(report_doc.id) if p.status == "accepted" and p.page == 0]
    assert "Paul Brennan" in withheld_texts and "Operation Sandpiper" in withheld_texts

    inputs = [tmp_path / "report.pdf", tmp_path / "memo.pdf", tmp_path / "case" / "case.db",
              *sorted((tmp_path / "case" / "originals").iterdir())]
    before = {p: sha256(p) for p in inputs}

    out = tmp_path / "releases" / "first"
    rep = release_case(store, out)
    assert rep.ok and [d.name for d in rep.released] == ["report.pdf"]
    assert rep.not_approved == [("memo.pdf", "proposed")]
    assert {p: sha256(p) for p in inputs} == before  # originals and the store untouched
    assert [p.name for p in out.parent.iterdir()] == ["first"]  # no temporary folder left behind
    assert sorted(p.name for p in (out / "documents").iterdir()) == ["report.redacted.pdf"]

    with pymupdf.open(out / "documents" / "report.redacted.pdf") as pdf:
        assert pdf.page_count == 2
        page1, page2 = norm(pdf[0].get_text()), norm(pdf[1].get_text())
        assert not pdf[1].get_images()
    for text in withheld_texts:
        assert text not in page1
    assert "Rebecca Thornton" in page1 and "U.S. Customs and Border Protection" in page1
    assert page2 == "Page 2 of 2 withheld in full Exemptions: (b)(7)(D) (b)(7)(D) " + FOIA.get("(b)(7)(D)").title
    for word in ("SOURCE", "Quarry", "vouchers", "cover name"):
        assert word not in page2

    with open(out / "vaughn_index.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(withheld_texts) + 1  # one per redaction on page 1, one for page 2
    page_row = next(r for r in rows if r["page"] == "2")
    assert (page_row["withheld"], page_row["extent"], page_row["codes"]) == (
        "Entire page", "withheld in full", "(b)(7)(D)")
    assert norm(FOIA.get("(b)(7)(D)").justification) in page_row["justification"]
    person = next(r for r in rows if r["reference"] == next(p.key for p in views if norm(p.text) == "Paul Brennan"))
    assert person["withheld"] == "Name of an individual" and person["codes"] == "(b)(6), (b)(7)(C)"
    assert norm(FOIA.get("(b)(6)").justification) in person["justification"]
    assert all(r["document"] == "report.pdf" and r["page"] in ("1", "2") for r in rows)

    paperwork = {name: (out / name).read_text(encoding="utf-8")
                 for name in ("vaughn_index.csv", "vaughn_index.html", "audit_trail.csv", "audit_trail.json")}
    for name, text in paperwork.items():
        for secret in ("Paul Brennan", "555-0143", "paul.brennan@cbp.dhs.gov", "Sandpiper"):
            assert secret not in text, (name, secret)
    assert "<table>" in paperwork["vaughn_index.html"] and "Entire page" in paperwork["vaughn_index.html"]
    audit = json.loads(paperwork["audit_trail.json"])
    assert any(a["action"] == "approve" and a["who"] == "carol" and a["role"] == "counsel" for a in audit)
    assert any("[withheld]" in a["detail"] for a in audit)
    assert not any(a["document"] == "memo.pdf" for a in audit)  # nothing about unreleased records

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()} - {"manifest.json", "SHA256SUMS"}
    assert set(manifest["files"]) == files
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    sums = dict(reversed(line.split("  ", 1)) for line in (out / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == files | {"manifest.json"}
    assert all(hashlib.sha256((out / n).read_bytes()).hexdigest() == h for n, h in sums.items())
    assert manifest["documents"][0]["withheld_pages"] == [2] and manifest["documents"][0]["approved_by"] == "carol"
    assert manifest["not_released"] == [{"document": "memo.pdf", "status": "proposed"}]

    with pytest.raises(BadInputError, match="never overwritten"):
        release_case(store, out)
    assert sha256(out / "manifest.json") == hashlib.sha256(
        json.dumps(manifest, indent=2, ensure_ascii=False).encode() + b"\n").hexdigest()


def test_a_failed_verification_stops_that_document_only(case):
    store, tmp_path = case
    report_doc, memo_doc = store.documents()
    for d in (report_doc, memo_doc):
        store.decide_many([p.id for p in store.proposals(d.id)], "accept", STAFF)
    # a hand-drawn box that misses its text: the text would still be readable in the release
    store.add_redaction(report_doc.id, 0, [[400, 700, 500, 720]], "Operation Sandpiper", ["(b)(7)(E)"], STAFF)
    store.approve(report_doc.id, COUNSEL)
    store.approve(memo_doc.id, COUNSEL)
    rep = release_case(store, tmp_path / "out")
    assert not rep.ok
    [(name, why)] = rep.failed
    assert name == "report.pdf" and "verification FAILED" in why and "Operation Sandpiper" in why
    assert [d.name for d in rep.released] == ["memo.pdf"]
    assert sorted(p.name for p in (tmp_path / "out" / "documents").iterdir()) == ["memo.redacted.pdf"]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["failed"][0]["document"] == "report.pdf"
    assert "report.pdf" not in (tmp_path / "out" / "vaughn_index.csv").read_text()


def test_nothing_approved_nothing_written(case):
    store, tmp_path = case
    with pytest.raises(BadInputError, match="no document is approved"):
        release_case(store, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if re.match(r"\.out\.", p.name)]
