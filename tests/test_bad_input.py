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


def _png() -> bytes:
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 20, 20), False)
    return pix.tobytes("png")


def _zip(tmp: Path) -> bytes:
    import zipfile

    with zipfile.ZipFile(tmp / "a.zip", "w") as z:
        z.writestr("memo.txt", "Jane Roe\n" * 50)
    return (tmp / "a.zip").read_bytes()


def _bomb(path: Path) -> Path:
    """A page image declaring 100,000 x 100,000 grey pixels (10 GB decoded) in a few KB."""
    import zlib

    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Cover sheet", fontsize=11)
    xref = doc.get_new_xref()
    doc.update_object(xref, "<</Type/XObject/Subtype/Image/Width 100000/Height 100000"
                            "/ColorSpace/DeviceGray/BitsPerComponent 8/Filter/FlateDecode>>")
    doc.update_stream(xref, zlib.compress(b"\0" * 2_000_000, 9), compress=False)
    doc.xref_set_key(xref, "Filter", "/FlateDecode")
    page_res = page.get_contents()  # ensure the page has a content stream to append to
    kind, value = doc.xref_get_key(page.xref, "Resources")
    res = int(value.split()[0]) if kind == "xref" else page.xref
    doc.xref_set_key(res, "XObject" if kind == "xref" else "Resources/XObject", f"<</Bomb {xref} 0 R>>")
    doc.update_stream(page_res[0], doc.xref_stream(page_res[0]) + b"\nq 500 0 0 700 50 50 cm /Bomb Do Q\n")
    doc.save(path)
    return path


def _huge_scan(path: Path, size: float) -> Path:
    """An image-only page `size` points square (14,400 pt = 200 inches, the PDF maximum)."""
    pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 100, 100), False)
    pix.set_rect(pix.irect, (255,))
    pix.set_rect(pymupdf.IRect(10, 10, 60, 20), (0,))
    doc = pymupdf.open()
    page = doc.new_page(width=size, height=size)
    page.insert_image(page.rect, pixmap=pix)
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
    "directory": (lambda p, t: (p.mkdir(), p)[1], "is a directory"),
    "png-renamed": (lambda p, t: (p.write_bytes(_png()), p)[1], "not a PDF"),
    "zip-renamed": (lambda p, t: (p.write_bytes(_zip(t)), p)[1], "not a PDF"),
    "bomb-image": (lambda p, t: _bomb(p), "decompression bomb"),
    "huge-page-scan": (lambda p, t: _huge_scan(p, 14400), "too large to OCR"),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("command", ["propose", "redact"])
def test_bad_input_is_refused_clearly(case: str, command: str, tmp_path: Path):
    make, message = CASES[case]
    if (case, command) == ("directory", "redact"):
        message = "no PDF files in this folder"  # redact takes folders: an empty one is refused
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


def test_damaged_xref_is_repaired_with_a_warning(memo_pdf: Path, tmp_path: Path):
    data = memo_pdf.read_bytes()
    start = data.rindex(b"startxref")
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(data[:start] + b"startxref\n999999\n%%EOF\n")  # points nowhere
    out = tmp_path / "out"
    r = run_cli("redact", damaged, "--out", out)
    assert r.returncode == 0, r.stderr
    assert "damaged.pdf" in r.stderr and "repaired" in r.stderr
    red = out / "damaged.redacted.pdf"
    assert "Rebecca Thornton" not in pymupdf.open(red)[0].get_text()


def test_owner_password_only_opens_and_output_is_not_encrypted(memo_pdf: Path, tmp_path: Path):
    src = tmp_path / "restricted.pdf"
    pymupdf.open(memo_pdf).save(src, encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner", user_pw="",
                                permissions=pymupdf.PDF_PERM_ACCESSIBILITY)
    assert pymupdf.open(src).metadata["encryption"] and not pymupdf.open(src).needs_pass
    out = tmp_path / "out"
    r = run_cli("redact", src, "--out", out)
    assert r.returncode == 0, r.stderr
    assert "owner password only" in r.stderr
    red = pymupdf.open(out / "restricted.redacted.pdf")
    assert not red.metadata["encryption"] and "Rebecca Thornton" not in red[0].get_text()


def test_user_password_redacts_with_password(tmp_path: Path):
    src = _encrypted(tmp_path / "locked.pdf", tmp_path)
    out = tmp_path / "out"
    r = run_cli("redact", src, "--out", out, "--password", "user")
    assert r.returncode == 0, r.stderr
    assert not pymupdf.open(out / "locked.redacted.pdf").is_encrypted


def test_thousands_of_pages_stream_through(tmp_path: Path):
    """3,000 tiny pages: loaded page by page (no page images are held; text pages are
    never rendered) and checked; the run finishes with the right page count."""
    src = tmp_path / "many.pdf"
    doc = pymupdf.open()
    for i in range(3000):
        doc.new_page(width=200, height=100).insert_text((10, 50), f"Page {i + 1} of the log", fontsize=8)
    doc.save(src, garbage=1, deflate=True)
    from redactor.check import check_pdf
    from redactor.load import load_document

    document = load_document(src)
    assert len(document.pages) == 3000 and document.pages[2999].text == "Page 3000 of the log"
    assert check_pdf(src).clean


def test_large_page_is_ocrd_at_a_capped_resolution(tmp_path: Path):
    from redactor import ocr
    from redactor.load import load_document

    if not ocr.available():
        pytest.skip("Tesseract is not installed")
    document = load_document(_huge_scan(tmp_path / "poster.pdf", 3000))
    info = document.pages[0].ocr
    assert info is not None and ocr.settings().min_dpi <= info.dpi < ocr.settings().dpi
    assert any("rendered at" in w for w in document.warnings)


def test_javascript_and_launch_actions_are_reported_and_removed(memo_pdf: Path, tmp_path: Path):
    src = tmp_path / "active.pdf"
    doc = pymupdf.open(memo_pdf)
    js = doc.get_new_xref()
    doc.update_object(js, "<</S/JavaScript/JS(app.launchURL('http://example.com'))>>")
    launch = doc.get_new_xref()
    doc.update_object(launch, "<</S/Launch/F(calc.exe)>>")
    doc.xref_set_key(doc.pdf_catalog(), "OpenAction", f"{js} 0 R")
    doc.xref_set_key(doc[0].xref, "AA", f"<</O {launch} 0 R>>")
    doc.save(src)
    out = tmp_path / "out"
    r = run_cli("redact", src, "--out", out)
    assert r.returncode == 0, r.stderr
    assert "active content found (JavaScript, launch action)" in r.stderr
    raw = (out / "active.redacted.pdf").read_bytes()
    assert b"JavaScript" not in raw and b"Launch" not in raw and b"calc.exe" not in raw
    r = run_cli("check", src, "--json")
    assert r.returncode == 1 and "launch action" in r.stdout and "JavaScript" in r.stdout
    assert run_cli("check", out / "active.redacted.pdf").returncode == 0


def test_file_changing_while_read_is_refused(memo_pdf: Path, tmp_path: Path, monkeypatch):
    import redactor.load as load_mod
    from redactor.errors import BadInputError

    src = tmp_path / "moving.pdf"
    src.write_bytes(memo_pdf.read_bytes())
    real = load_mod.read_page

    def read_and_touch(number, page):
        with open(src, "ab") as fh:  # another process appends to the file meanwhile
            fh.write(b"\n% appended\n")
        return real(number, page)

    monkeypatch.setattr(load_mod, "read_page", read_and_touch)
    with pytest.raises(BadInputError, match="changed while it was being read") as info:
        load_mod.load_document(src)
    assert info.value.exit_code == 2 and "moving.pdf" in str(info.value)
