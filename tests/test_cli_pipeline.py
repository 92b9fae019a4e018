"""propose -> apply -> verify through the real `redactor` command, on small crafted PDFs."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pymupdf

from conftest import ROOT, make_pdf, run_cli, sha256

SCHEMA = json.loads((ROOT / "redactor" / "data" / "proposals.schema.json").read_text())


def test_propose_apply_verify_round_trip(memo_pdf: Path, tmp_path: Path):
    before = sha256(memo_pdf)
    proposals = tmp_path / "memo.json"
    r = run_cli("propose", memo_pdf, "--out", proposals)
    assert r.returncode == 0, r.stderr
    data = json.loads(proposals.read_text())
    jsonschema.validate(data, SCHEMA)
    assert data["source_sha256"] == before and data["doc"] == "memo.pdf" and data["code_set"] == "foia"
    texts = {p["text"] for p in data["proposals"]}
    assert {"Rebecca Thornton", "Paul Brennan", "(202) 555-0143", "paul.brennan@cbp.dhs.gov"} <= texts
    # what stays released: agency, operation, place, date
    assert not any(t in texts for t in ("U.S. Customs and Border Protection", "Operation Sandpiper",
                                        "Sandpiper", "Laredo", "May 2009"))
    for p in data["proposals"]:
        if p["entity"] in ("PHONE_NUMBER", "EMAIL_ADDRESS"):  # a 2009 record: the pre-Milner "low 2" marking, with a warning
            assert p["codes"] == ["(b)(2)", "(b)(6)", "(b)(7)(C)"] and "Milner" in p["warnings"][0]
        else:
            assert p["codes"] == ["(b)(6)", "(b)(7)(C)"] and not p["warnings"]
        assert p["page"] == 0 and p["status"] == "proposed" and p["rationale"]
        assert p["bbox"] == [min(b[0] for b in p["boxes"]), min(b[1] for b in p["boxes"]),
                             max(b[2] for b in p["boxes"]), max(b[3] for b in p["boxes"])]

    out = tmp_path / "memo.redacted.pdf"
    r = run_cli("apply", memo_pdf, proposals, "--out", out)
    assert r.returncode == 0, r.stderr
    assert sha256(memo_pdf) == before, "the original must never change"
    text = pymupdf.open(out)[0].get_text()
    for t in texts:
        assert t not in text
    assert "Operation Sandpiper" in text and "U.S. Customs and Border Protection" in text
    # the codes are printed inside each box
    page = pymupdf.open(out)[0]
    for p in data["proposals"]:
        inside = " ".join(page.get_text("text", clip=pymupdf.Rect(b)) for b in p["boxes"])
        assert "(b)(6)" in inside or "b6" in inside, p
    assert run_cli("verify", out, proposals).returncode == 0


def test_rejected_proposals_are_not_applied(memo_pdf: Path, tmp_path: Path):
    proposals = tmp_path / "memo.json"
    assert run_cli("propose", memo_pdf, "--out", proposals).returncode == 0
    data = json.loads(proposals.read_text())
    for p in data["proposals"]:
        if p["text"] == "Paul Brennan":
            p["status"] = "rejected"
    proposals.write_text(json.dumps(data))
    out = tmp_path / "out.pdf"
    r = run_cli("apply", memo_pdf, proposals, "--out", out)
    assert r.returncode == 0, r.stderr
    text = pymupdf.open(out)[0].get_text()
    assert "Paul Brennan" in text and "Rebecca Thornton" not in text


def test_verify_fails_when_a_box_is_only_drawn_over_text(memo_pdf: Path, tmp_path: Path):
    proposals = tmp_path / "memo.json"
    assert run_cli("propose", memo_pdf, "--out", proposals).returncode == 0
    data = json.loads(proposals.read_text())
    fake = tmp_path / "fake.pdf"
    doc = pymupdf.open(memo_pdf)
    for p in data["proposals"]:  # the classic failed redaction: black boxes on top
        doc[0].draw_rect(pymupdf.Rect(p["bbox"]), color=(0, 0, 0), fill=(0, 0, 0))
    doc.save(fake)
    r = run_cli("verify", fake, proposals)
    assert r.returncode == 1
    assert "fake.pdf" in r.stderr and "verification FAILED" in r.stderr


def test_apply_refuses_proposals_made_for_another_file(memo_pdf: Path, tmp_path: Path):
    proposals = tmp_path / "memo.json"
    assert run_cli("propose", memo_pdf, "--out", proposals).returncode == 0
    other = make_pdf(tmp_path / "other.pdf", ["Another record entirely."])
    out = tmp_path / "x.pdf"
    r = run_cli("apply", other, proposals, "--out", out)
    assert r.returncode == 2 and "source_sha256" in r.stderr and not out.exists()


def test_codes_lists_every_foia_and_privacy_act_code():
    r = run_cli("codes")
    assert r.returncode == 0, r.stderr
    for code in ["(b)(1)", "(b)(2)", "(b)(3)", "(b)(4)", "(b)(5)", "(b)(6)", "(b)(7)(A)", "(b)(7)(B)",
                 "(b)(7)(C)", "(b)(7)(D)", "(b)(7)(E)", "(b)(7)(F)", "(b)(8)", "(b)(9)",
                 "(d)(5)", "(j)(2)", "(k)(1)", "(k)(7)"]:
        assert code in r.stdout, code
    r = run_cli("codes", "nonesuch")
    assert r.returncode == 2 and "nonesuch" in r.stderr


def test_a_site_inside_a_technique_passage_redacts_and_verifies(tmp_path: Path):
    """Two overlapping proposals with the same code (a site inside its technique sentence) print
    labels so close that extraction reads them as one word; that is not a leak."""
    src = make_pdf(tmp_path / "site.pdf", [
        "U.S. Border Patrol - Laredo Sector",
        "Analysts should log every hit at mile marker 41 on Highway 83 in the daily activity report.",
        "The Arroyo Seco sensor string is checked only on the day shift."], fontsize=10)
    out = tmp_path / "out"
    result = run_cli("redact", src, "--out", out)
    assert result.returncode == 0, result.stdout + result.stderr
    proposals = json.loads(next(out.glob("*.json")).read_text())["proposals"]
    entities = {p["entity"] for p in proposals}
    assert {"OPERATIONAL_SITE", "LE_TECHNIQUE"} <= entities, proposals
    text = pymupdf.open(next(out.glob("*.pdf")))[0].get_text()
    assert "mile marker 41" not in text and "Arroyo Seco" not in text and "Laredo Sector" in text
