"""Scanned pages: OCR'd into words in page points, redacted end to end, nothing recoverable
by text extraction or by OCR of the output; image pixels removed whatever the image kind."""
from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pymupdf
import pytest
import yaml
from PIL import Image

from conftest import ROOT, SAMPLES, run_cli, sha256

sys.path.insert(0, str(SAMPLES))
from scan import scan_pdf  # noqa: E402

from redactor import ocr  # noqa: E402
from redactor.apply import apply_proposals  # noqa: E402
from redactor.load import load_document, sha256_of  # noqa: E402
from redactor.models import Proposal, ProposalSet  # noqa: E402
from redactor.verify import verify_pdf  # noqa: E402

pytestmark = pytest.mark.skipif(not ocr.available(), reason="Tesseract is not installed (scripts/system-deps.sh)")

MEMO = SAMPLES / "memo-coordination.pdf"
MEMO_NAMES = [w["text"] for w in yaml.safe_load((SAMPLES / "answers" / "memo-coordination.yaml").read_text())["withhold"]
              if w["kind"] == "person"]


def ocr_words(pdf: Path) -> set[str]:
    """Every word OCR reads on the rendered pages of `pdf`, lower-cased."""
    words: set[str] = set()
    for page in pymupdf.open(pdf):
        image, _ = ocr.render_page(page, 150)
        words |= {w.text.lower().strip(".,;:()") for w in ocr.ocr_image(image).words}
    return words


def name_parts(names) -> set[str]:
    return {p.lower() for n in names for p in re.findall(r"[A-Za-z][A-Za-z'-]{3,}", n)}


@pytest.fixture(scope="module")
def scanned_memo(tmp_path_factory) -> tuple[Path, Path, dict]:
    """The memo scanned (2 degrees skew, noise, JPEG) and redacted through the CLI."""
    tmp = tmp_path_factory.mktemp("scan")
    src = scan_pdf(MEMO, tmp / "memo-scan.pdf", skew=2.0, seed=7)
    before = sha256(src)
    r = run_cli("redact", src, "--out", tmp / "out")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "image-only: OCR'd" in r.stderr
    assert sha256(src) == before
    proposals = json.loads((tmp / "out" / "memo-scan.proposals.json").read_text())
    return src, tmp / "out" / "memo-scan.redacted.pdf", proposals


def test_scanned_pages_are_ocrd_with_confidence_per_page(scanned_memo):
    _, _, proposals = scanned_memo
    pages = proposals["ocr_pages"]
    assert [p["page"] for p in pages] == [0, 1, 2]
    for p in pages:
        assert p["confidence"] > 85 and not p["needs_review"] and abs(abs(p["skew"]) - 2.0) < 0.3, p
    found = {" ".join(p["text"].split()) for p in proposals["proposals"]}
    missed = [n for n in MEMO_NAMES if n not in found]
    assert len(missed) <= 1, missed  # the text layer finds them all; OCR may garble one


def test_scanned_redaction_leaves_nothing_recoverable(scanned_memo):
    src, out, proposals = scanned_memo
    redacted = [p["text"] for p in proposals["proposals"] if p["entity"] == "PERSON"]
    parts = name_parts(redacted)
    assert len(parts) >= 20
    # the names are readable in the scan ...
    assert len(parts & ocr_words(src)) >= 0.9 * len(parts)
    # ... and not in the release: no text layer, and OCR of the whole output reads none of them
    doc = pymupdf.open(out)
    text = " ".join(page.get_text() for page in doc).lower()
    assert not [p for p in parts if p in text]
    assert not parts & ocr_words(out)
    # the stored image pixels under each box are blank, not just covered by a drawn box
    from redactor.apply import _visible_box
    for p in proposals["proposals"]:
        for box in p["boxes"]:
            crops = ocr.image_pixels_under(doc, doc[p["page"]], _visible_box(pymupdf.Rect(box)))
            assert crops and all(ocr.blank(c) for c in crops), p["id"]
    # what is not redacted is still there
    assert {"memorandum", "southbound", "enforcement"} <= ocr_words(out)


def test_verify_ocr_catches_a_box_only_drawn_over_a_scan(scanned_memo, tmp_path):
    src, _, proposals = scanned_memo
    ps = ProposalSet.model_validate(proposals)
    fake = tmp_path / "drawn.pdf"
    doc = pymupdf.open(src)
    for p in ps.proposals:
        for box in p.boxes:
            doc[p.page].draw_rect(pymupdf.Rect(box), fill=(0, 0, 0))  # the classic failed redaction
    doc.save(fake)
    report = verify_pdf(fake, ps, raise_on_leak=False)
    ocr_leaks = [leak for leak in report.leaks if "readable by OCR" in leak]
    assert len(ocr_leaks) >= len(MEMO_NAMES) // 2, report.leaks
    assert report.ocr_checked_regions > 0


def test_sideways_scan_is_turned_upright_and_redacted(tmp_path):
    src = scan_pdf(MEMO, tmp_path / "sideways.pdf", skew=1.0, rotate=90, pages=[0])
    document = load_document(src)
    info = document.pages[0].ocr
    assert info.rotation in (90, 270) and info.confidence > 85, info
    assert "Okafor" in document.pages[0].text and "Marrero-Baptiste" in document.pages[0].text
    out = tmp_path / "out"
    r = run_cli("redact", src, "--out", out)
    assert r.returncode == 0, r.stderr
    assert "turned" in r.stderr
    proposed = json.loads((out / "sideways.proposals.json").read_text())["proposals"]
    parts = name_parts(p["text"] for p in proposed if p["entity"] == "PERSON")
    assert {"okafor", "marrero-baptiste", "chukwuma"} <= parts
    left = ocr_words_rotated(out / "sideways.redacted.pdf")
    assert not parts & left, parts & left
    assert "memorandum" in left


def ocr_words_rotated(pdf: Path) -> set[str]:
    words: set[str] = set()
    for page in pymupdf.open(pdf):
        image, _ = ocr.render_page(page, 150)
        img = image.pil().rotate(-90, expand=True)
        turned = ocr.PageImage(img.tobytes(), img.width, img.height)
        for im in (image, turned):
            words |= {w.text.lower().strip(".,;:()") for w in ocr.ocr_image(im).words}
    return words


def test_no_ocr_keeps_the_clear_refusal(tmp_path):
    src = scan_pdf(MEMO, tmp_path / "scan.pdf", pages=[0])
    r = run_cli("propose", src, "--out", tmp_path / "p.json", "--no-ocr")
    assert r.returncode == 2 and "scan.pdf" in r.stderr and "OCR is needed" in r.stderr
    assert not (tmp_path / "p.json").exists()


def test_pages_ocr_in_parallel_give_the_same_words(tmp_path):
    src = scan_pdf(MEMO, tmp_path / "scan.pdf", skew=1.0)
    one = load_document(src, ocr_workers=1)
    two = load_document(src, ocr_workers=2)
    assert [pg.text for pg in one.pages] == [pg.text for pg in two.pages]
    assert [pg.words for pg in one.pages] == [pg.words for pg in two.pages]


def test_unreadable_page_is_flagged_for_review(tmp_path):
    """A blurred, faint scan: OCR'd with low confidence, flagged, and said so."""
    src = pymupdf.open()
    page = src.new_page()
    for i in range(12):
        page.insert_text((72, 90 + 30 * i), "Interview notes of Rebecca Thornton, badge 11873", fontsize=7)
    pix = page.get_pixmap(dpi=60, colorspace=pymupdf.csGRAY)
    img = Image.frombytes("L", (pix.width, pix.height), pix.samples).resize((pix.width // 2, pix.height // 2))
    img = Image.eval(img, lambda v: 150 + v * 105 // 255)  # faint grey on light grey
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=20)
    doc = pymupdf.open()
    doc.new_page().insert_image(doc[0].rect, stream=buf.getvalue())
    path = tmp_path / "faint.pdf"
    doc.save(path)
    document = load_document(path)
    info = document.pages[0].ocr
    assert info.needs_review and (info.confidence or 0) < ocr.settings().review_below_confidence, info
    assert any("review this page manually" in w for w in document.warnings)


def test_thin_text_layer_over_a_scan_is_still_ocrd(tmp_path):
    """A Bates stamp printed over a scan is a text layer, but it covers little of the page."""
    src = scan_pdf(MEMO, tmp_path / "scan.pdf", pages=[0])
    doc = pymupdf.open(src)
    doc[0].insert_text((450, 770), "DHS-000123", fontsize=9)
    stamped = tmp_path / "stamped.pdf"
    doc.save(stamped)
    page = load_document(stamped).pages[0]
    assert page.ocr is not None and "Okafor" in page.text
    assert page.text.count("DHS-000123") == 1  # read once (OCR), not twice


def _image_page(kind: str, rotation: int) -> tuple[bytes, pymupdf.Rect]:
    """A page whose only content is an image of a name; returns the PDF and the name's box."""
    src = pymupdf.open()
    p = src.new_page()
    p.insert_text((72, 120), "Witness: Jane Roe", fontsize=28)
    name_box = p.search_for("Jane Roe")[0]
    pix = p.get_pixmap(dpi=100)
    img = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
    buf = io.BytesIO()
    if kind == "jpeg":
        img.save(buf, "JPEG", quality=85)
    elif kind == "masked":  # an RGBA PNG: PyMuPDF stores an /SMask alpha channel
        img.convert("RGBA").save(buf, "PNG")
    else:
        img.convert("1").save(buf, "PNG")  # 1-bit, as fax and JBIG2-like scans are
    doc = pymupdf.open()
    doc.new_page().insert_image(doc[0].rect, stream=buf.getvalue())
    doc[0].set_rotation(rotation)
    return doc.tobytes(), name_box


@pytest.mark.parametrize("kind", ["jpeg", "masked", "bilevel"])
@pytest.mark.parametrize("rotation", [0, 90])
def test_image_pixels_under_a_box_are_removed_for_every_image_kind(kind, rotation, tmp_path):
    data, box = _image_page(kind, rotation)
    src = tmp_path / f"{kind}.pdf"
    src.write_bytes(data)
    b = [box.x0 - 2, box.y0, box.x1 + 2, box.y1]
    ps = ProposalSet(doc=src.name, source_sha256=sha256_of(src), code_set="foia", proposals=[
        Proposal(id="p-0001", page=0, text="Jane Roe", bbox=b, boxes=[b], codes=["(b)(6)"],
                 entity="PERSON", score=1.0, rationale="test")])
    before = pymupdf.open(src)
    from redactor.apply import _visible_box
    region = _visible_box(pymupdf.Rect(b))
    assert not all(ocr.blank(c) for c in ocr.image_pixels_under(before, before[0], region))
    out = tmp_path / "out.pdf"
    apply_proposals(src, ps, out)
    after = pymupdf.open(out)
    crops = ocr.image_pixels_under(after, after[0], region)
    assert crops and all(ocr.blank(c) for c in crops)
    # the rest of the picture is intact: "Witness" is still readable in the stored image
    left = ocr.image_pixels_under(after, after[0], pymupdf.Rect(60, 80, box.x0 - 4, 135))
    assert "Witness" in ocr.read_crops(left)
