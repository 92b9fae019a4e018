"""`redactor check`: bad redactions and hidden content in any PDF, through the real CLI."""
from __future__ import annotations

import json
from pathlib import Path

import pymupdf
import pytest

from conftest import SAMPLES, make_pdf, run_cli

LINES = ["Interview of SA Rebecca Thornton at the Laredo port of entry.",
         "The witness, Paul Brennan, was present throughout."]


def _memo(path: Path) -> tuple[pymupdf.Document, pymupdf.Rect]:
    make_pdf(path, LINES)
    doc = pymupdf.open(path)
    return doc, doc[0].search_for("Rebecca Thornton")[0]


def _check(path: Path) -> tuple[int, dict]:
    r = run_cli("check", path, "--json")
    assert r.returncode in (0, 1), r.stderr
    return r.returncode, json.loads(r.stdout)


def test_black_box_drawn_over_text_is_found(tmp_path: Path):
    doc, box = _memo(tmp_path / "src.pdf")
    doc[0].draw_rect(box, color=None, fill=(0, 0, 0))  # the classic failed redaction
    doc.save(tmp_path / "naive.pdf")
    code, report = _check(tmp_path / "naive.pdf")
    assert code == 1
    [finding] = report["findings"]
    assert finding["kind"] == "text under a filled rectangle" and finding["page"] == 1
    assert finding["detail"] == "Rebecca Thornton"
    assert pymupdf.Rect(finding["box"]).intersects(box)
    # the table a person reads names the page, the box and the text
    r = run_cli("check", tmp_path / "naive.pdf")
    assert r.returncode == 1 and "text under a filled rectangle" in r.stdout and "Rebecca" in r.stdout


@pytest.mark.parametrize("how", ["highlight", "square", "redact-unapplied", "black-image"])
def test_other_covers_over_text_are_found(how: str, tmp_path: Path):
    doc, box = _memo(tmp_path / "src.pdf")
    page = doc[0]
    if how == "highlight":
        a = page.add_highlight_annot(box)
        a.set_colors(stroke=(0, 0, 0))
        a.set_opacity(1)
        a.update()
    elif how == "square":
        a = page.add_rect_annot(box)
        a.set_colors(stroke=(0, 0, 0), fill=(0, 0, 0))
        a.update()
    elif how == "redact-unapplied":
        page.add_redact_annot(box, fill=(0, 0, 0))
    else:
        pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 40, 10), False)
        pix.set_rect(pix.irect, (0,))
        page.insert_image(box, pixmap=pix, keep_proportion=False)
    doc.save(tmp_path / f"{how}.pdf")
    code, report = _check(tmp_path / f"{how}.pdf")
    kinds = {f["kind"] for f in report["findings"]}
    assert code == 1, report
    expected = {"highlight": "text under a Highlight annotation", "square": "text under a Square annotation",
                "redact-unapplied": "unapplied redaction annotation", "black-image": "text under an image"}[how]
    assert expected in kinds, kinds
    assert any("Rebecca Thornton" in f["detail"] for f in report["findings"])


def test_scan_with_an_ocr_layer_and_a_box_drawn_on_it_is_found(tmp_path: Path):
    """A searchable scan 'redacted' by drawing a box: the OCR layer still holds the name."""
    doc, box = _memo(tmp_path / "src.pdf")
    pix = doc[0].get_pixmap(dpi=100)
    scan = pymupdf.open()
    page = scan.new_page(width=doc[0].rect.width, height=doc[0].rect.height)
    page.insert_image(page.rect, pixmap=pix)
    for line, y in zip(LINES, (72, 72 + 11 * 1.6)):
        page.insert_text((72, y), line, fontsize=11, render_mode=3)  # the scanner's OCR layer
    scan.save(tmp_path / "searchable.pdf")
    code, report = _check(tmp_path / "searchable.pdf")
    assert code == 0, report  # an ordinary searchable scan is not flagged
    page.draw_rect(box, fill=(0, 0, 0))
    scan.save(tmp_path / "boxed.pdf")
    code, report = _check(tmp_path / "boxed.pdf")
    assert code == 1 and any("Rebecca Thornton" in f["detail"] for f in report["findings"]), report


def test_our_own_output_is_clean(tmp_path: Path):
    out = tmp_path / "out"
    assert run_cli("redact", SAMPLES / "memo-coordination.pdf", "--out", out).returncode == 0
    code, report = _check(out / "memo-coordination.redacted.pdf")
    assert code == 0 and report["clean"] and report["pages"] == 3, report
    # while the same boxes merely drawn on the original are all found
    proposals = json.loads((out / "memo-coordination.proposals.json").read_text())["proposals"]
    doc = pymupdf.open(SAMPLES / "memo-coordination.pdf")
    for p in proposals:
        for b in p["boxes"]:
            doc[p["page"]].draw_rect(pymupdf.Rect(b), fill=(0, 0, 0))
    doc.save(tmp_path / "naive.pdf")
    code, report = _check(tmp_path / "naive.pdf")
    assert code == 1
    # every drawn box is reported (boxes on one line are reported together, so compared by place)
    def reported(page: int, box: list[float]) -> bool:
        return any(f["page"] == page + 1 and pymupdf.Rect(f["box"]).intersects(pymupdf.Rect(box))  # check counts pages from 1
                   for f in report["findings"])
    assert all(reported(p["page"], b) for p in proposals for b in p["boxes"]), report["findings"]


def test_clean_file_and_bad_input(tmp_path: Path):
    make_pdf(tmp_path / "plain.pdf", LINES)
    r = run_cli("check", tmp_path / "plain.pdf")
    assert r.returncode == 0 and "clean" in r.stdout
    (tmp_path / "fake.pdf").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    r = run_cli("check", tmp_path / "fake.pdf")
    assert r.returncode == 2 and "fake.pdf" in r.stderr and "not a PDF" in r.stderr


def test_white_tiny_and_offpage_text_in_one_file(tmp_path: Path):
    doc, _ = _memo(tmp_path / "src.pdf")
    page = doc[0]
    page.insert_text((72, 300), "white: Rebecca Thornton", color=(1, 1, 1), fontsize=10)
    page.insert_text((72, 400), "tiny: Rebecca Thornton", fontsize=0.4)
    page.insert_text((72, 400), "off the page", fontsize=10, morph=None)
    page.insert_text((700, 900), "outside: Rebecca Thornton", fontsize=10)
    doc.save(tmp_path / "hidden.pdf")
    code, report = _check(tmp_path / "hidden.pdf")
    assert code == 1
    assert {"white-text", "tiny-text", "text-outside-page"} <= {f["kind"] for f in report["findings"]}
