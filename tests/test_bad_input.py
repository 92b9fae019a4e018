"""Each bad input: one clear line naming the file, exit status 2, nothing written."""
from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from conftest import make_pdf, run_cli

ZERO_PAGES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
              b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
              b"trailer<</Root 1 0 R/Size 3>>\n%%EOF\n")


def _image_only(path: Path) -> Path:
    src = pymupdf.open()
    page = src.new_page()
    page.insert_text((72, 72), "Scanned: John Smith", fontsize=20)
    pix = page.get_pixmap(dpi=72)
    doc = pymupdf.open()
    doc.new_page().insert_image(doc[0].rect, pixmap=pix)
    doc.save(path)
    return path


def _encrypted(path: Path, tmp: Path) -> Path:
    make_pdf(tmp / "plain.pdf", ["Secret: Jane Roe"])
    pymupdf.open(tmp / "plain.pdf").save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256,
                                        user_pw="user", owner_pw="owner")
    return path


CASES = {
    "missing": (lambda p, t: p, "file not found"),
    "not-a-pdf": (lambda p, t: (p.write_text("just some text, renamed to .pdf\n" * 20), p)[1], "not a PDF"),
    "empty": (lambda p, t: (p.write_bytes(b""), p)[1], "empty file"),
    "truncated": (lambda p, t: (p.write_bytes(make_pdf(t / "full.pdf", ["Jane Roe"] * 30).read_bytes()[:400]), p)[1],
                  "truncated"),
    "corrupt": (lambda p, t: (p.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100 + b"\n%%EOF\n"), p)[1], "corrupt"),
    "encrypted": (lambda p, t: _encrypted(p, t), "encrypted"),
    "zero-pages": (lambda p, t: (p.write_bytes(ZERO_PAGES), p)[1], "zero pages"),
    "image-only": (lambda p, t: _image_only(p), "OCR is needed"),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("command", ["propose", "redact"])
def test_bad_input_is_refused_clearly(case: str, command: str, tmp_path: Path):
    make, message = CASES[case]
    src = make(tmp_path / f"{case}.pdf", tmp_path)
    out = tmp_path / "out"
    target = out / "p.json" if command == "propose" else out
    r = run_cli(command, src, "--out", target)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert lines and f"{case}.pdf" in lines[0] and message in r.stderr, r.stderr
    assert not out.exists() or not any(out.rglob("*")), "nothing may be written for bad input"


def test_directory_batch_goes_on_past_bad_files(memo_pdf: Path, tmp_path: Path):
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "good.pdf").write_bytes(memo_pdf.read_bytes())
    (folder / "bad.pdf").write_text("not a pdf at all\n" * 10)
    out = tmp_path / "out"
    r = run_cli("redact", folder, "--out", out)
    assert r.returncode == 2
    assert "bad.pdf" in r.stderr and "not a PDF" in r.stderr
    assert (out / "good.redacted.pdf").exists() and (out / "good.proposals.json").exists()
    assert not (out / "bad.redacted.pdf").exists()


def test_encrypted_pdf_opens_with_its_password(tmp_path: Path):
    src = _encrypted(tmp_path / "locked.pdf", tmp_path)
    r = run_cli("propose", src, "--out", tmp_path / "p.json", "--password", "user")
    assert r.returncode == 0, r.stderr
    r = run_cli("propose", src, "--out", tmp_path / "q.json", "--password", "wrong")
    assert r.returncode == 2 and "password" in r.stderr


@pytest.mark.parametrize("content,message", [
    ("{not json", "not valid JSON"),
    ('{"doc": "memo.pdf"}', "not a valid proposals file"),
])
def test_apply_refuses_a_broken_proposals_file(memo_pdf: Path, tmp_path: Path, content: str, message: str):
    proposals = tmp_path / "broken.json"
    proposals.write_text(content)
    out = tmp_path / "out.pdf"
    r = run_cli("apply", memo_pdf, proposals, "--out", out)
    assert r.returncode == 2 and "broken.json" in r.stderr and message in r.stderr, r.stderr
    assert not out.exists()


def test_verify_refuses_a_missing_output(memo_pdf: Path, tmp_path: Path):
    proposals = tmp_path / "p.json"
    assert run_cli("propose", memo_pdf, "--out", proposals).returncode == 0
    r = run_cli("verify", tmp_path / "nothing.pdf", proposals)
    assert r.returncode == 2 and "nothing.pdf" in r.stderr and "file not found" in r.stderr


def test_too_large_is_refused_before_opening(memo_pdf: Path):
    from redactor.errors import BadInputError
    from redactor.load import load_document

    with pytest.raises(BadInputError, match="too large"):
        load_document(memo_pdf, max_mb=0.0001)
