"""Stage 5, apply: true redaction with PyMuPDF, codes printed in each box, then sanitise.

The original is read into memory and never written; the output is written to a temporary
file, verified (stage 6), and only then renamed into place.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

from .codes import CodeSet, load_code_set
from .errors import BadInputError
from .fileio import atomic_target
from .load import check_file, open_pdf, sha256_of
from .models import Proposal, ProposalSet
from .verify import VerifyReport, verify_pdf

FONT = "helv"
MAX_FONT, MIN_FONT, MIN_SHORT_FONT = 9.0, 4.0, 3.0


@dataclass
class ApplyReport:
    output: str
    redactions: int = 0
    pages: int = 0  # pages that received at least one redaction
    page_count: int = 0
    unlabeled: list[str] = field(default_factory=list)  # proposal ids whose box was too small for any label
    verify: VerifyReport | None = None


def applied(proposals: list[Proposal]) -> list[Proposal]:
    return [p for p in proposals if p.status != "rejected"]


def _label_font(text: str, rect: pymupdf.Rect) -> float:
    """Largest font size (<= MAX_FONT) at which `text` fits in `rect`, or 0."""
    width = pymupdf.get_text_length(text, fontname=FONT, fontsize=1.0)
    size = min(MAX_FONT, rect.height * 0.8, (rect.width - 1.0) / width if width else MAX_FONT)
    return size


def _label_for(codes: list[str], code_set: CodeSet, rect: pymupdf.Rect) -> tuple[str, float]:
    """The printed codes, shrunk, then abbreviated, to fit the box ('' if nothing fits)."""
    full = ", ".join(code_set.get(c).printed for c in codes)
    size = _label_font(full, rect)
    if size >= MIN_FONT:
        return full, size
    short = ",".join(code_set.get(c).short for c in codes)
    size = _label_font(short, rect)
    if size >= MIN_SHORT_FONT:
        return short, size
    return "", 0.0


def _trim(rect: pymupdf.Rect, share: float, vertical: bool | None = None) -> pymupdf.Rect:
    """`rect` less `share` of its thickness off both sides across the line: top and bottom
    for a line that runs across the page, left and right for one that runs down it (a
    sideways scan, rotated text), so the trim never takes the ends of the words. The line's
    direction comes from the page; the box's shape is only a fallback (a short word such as
    "In" is taller than it is wide)."""
    if vertical is None:
        vertical = rect.height > rect.width
    if vertical:
        trim = rect.width * share
        return pymupdf.Rect(rect.x0 + trim, rect.y0, rect.x1 - trim, rect.y1)
    trim = rect.height * share
    return pymupdf.Rect(rect.x0, rect.y0 + trim, rect.x1, rect.y1 - trim)


def _text_band(rect: pymupdf.Rect, vertical: bool | None = None) -> pymupdf.Rect:
    """A word box spans its line's full ascent and descent, so it overlaps the glyphs of
    tightly set neighbouring lines, and MuPDF removes every glyph a redaction touches.
    Text is removed under the box's central band: the target glyphs overlap it, the
    neighbours' (lines set as close as 0.65 of the box height) do not."""
    return _trim(rect, 0.35, vertical)


def _visible_box(rect: pymupdf.Rect, vertical: bool | None = None) -> pymupdf.Rect:
    """The black box drawn (and the area whose image pixels and vector art are removed):
    the word box less the font's leading, which covers the glyphs' ink."""
    return _trim(rect, 0.12, vertical)


def _runs_down(lines: list[tuple[pymupdf.Rect, bool]], rect: pymupdf.Rect) -> bool | None:
    """Whether the text line under `rect` runs down the page (None when no line is under it)."""
    centre = (rect.tl + rect.br) / 2
    for bbox, vertical in lines:
        if centre in bbox:
            return vertical
    return None


def _text_lines(page: pymupdf.Page) -> list[tuple[pymupdf.Rect, bool]]:
    """Each text line's box and whether it runs down the page (its writing direction)."""
    return [(pymupdf.Rect(line["bbox"]), abs(line["dir"][1]) > abs(line["dir"][0]))
            for block in page.get_text("dict")["blocks"] if block.get("type") == 0
            for line in block["lines"]]


def _draw_box(page: pymupdf.Page, rect: pymupdf.Rect, label: str, size: float) -> None:
    page.draw_rect(rect, color=None, fill=(0, 0, 0), overlay=True)
    if label:
        width = pymupdf.get_text_length(label, fontname=FONT, fontsize=size)
        baseline = pymupdf.Point(rect.x0 + (rect.width - width) / 2, rect.y0 + (rect.height + size * 0.7) / 2)
        page.insert_text(baseline, label, fontname=FONT, fontsize=size, color=(1, 1, 1), overlay=True)


def _remove_offpage_text(doc: pymupdf.Document) -> None:
    """Text outside the visible area (beyond the CropBox) is never shown, so no one reviews
    it, yet it can be extracted: every glyph wholly outside the page is removed."""
    for page in doc:
        outside = [pymupdf.Rect(ch[3]) for span in page.get_texttrace() for ch in span["chars"]
                   if not pymupdf.Rect(ch[3]).intersects(page.rect)]
        if outside:
            for rect in outside:
                page.add_redact_annot(rect, fill=False)
            page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_NONE,
                                  graphics=pymupdf.PDF_REDACT_LINE_ART_NONE,
                                  text=pymupdf.PDF_REDACT_TEXT_REMOVE)


def _sanitise(doc: pymupdf.Document) -> None:
    """Remove hidden places where redacted text survives: text outside the page, invisible
    text (including any OCR layer of a scan: the release carries none), metadata, XMP,
    annotations, form fields, embedded files, JavaScript, links, bookmarks, thumbnails."""
    _remove_offpage_text(doc)
    doc.scrub(attached_files=True, clean_pages=True, embedded_files=True, hidden_text=True,
              javascript=True, metadata=True, redactions=False, remove_links=True,
              reset_fields=True, reset_responses=True, thumbnails=True, xml_metadata=True)
    for page in doc:
        for widget in list(page.widgets() or []):
            page.delete_widget(widget)
        for annot in list(page.annots() or []):
            page.delete_annot(annot)
    for name in doc.embfile_names():
        doc.embfile_del(name)
    doc.set_toc([])
    doc.set_metadata({})
    doc.del_xml_metadata()
    # scrub empties JavaScript but leaves the actions that would run it: drop them
    catalog = doc.pdf_catalog()
    for key in ("OpenAction", "AA"):
        doc.xref_set_key(catalog, key, "null")
    names = doc.xref_get_key(catalog, "Names")
    if names[0] == "xref":
        names_xref = int(names[1].split()[0])
        for key in ("JavaScript", "EmbeddedFiles"):
            doc.xref_set_key(names_xref, key, "null")
    elif names[0] == "dict":
        for key in ("JavaScript", "EmbeddedFiles"):
            doc.xref_set_key(catalog, f"Names/{key}", "null")
    for page in doc:
        doc.xref_set_key(page.xref, "AA", "null")


def redact_document(doc: pymupdf.Document, proposals: list[Proposal], code_set: CodeSet,
                    report: ApplyReport) -> None:
    by_page: dict[int, list[Proposal]] = {}
    for p in applied(proposals):
        if p.page >= doc.page_count:
            raise ValueError(f"proposal {p.id} is for page {p.page}, the document has {doc.page_count}")
        by_page.setdefault(p.page, []).append(p)
    for number, page_proposals in sorted(by_page.items()):
        page = doc[number]
        lines = _text_lines(page)
        boxes = []  # (proposal, [(visible box, its line runs down the page)])
        for p in page_proposals:
            oriented = [(pymupdf.Rect(b), _runs_down(lines, pymupdf.Rect(b))) for b in p.boxes]
            boxes.append((p, [(_visible_box(r, down), down) for r, down in oriented]))
        # 1. text under each box's central band (see _text_band) ...
        for _, rects in boxes:
            for rect, down in rects:
                page.add_redact_annot(_text_band(rect, down), fill=False)
        page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_NONE,
                              graphics=pymupdf.PDF_REDACT_LINE_ART_NONE,
                              text=pymupdf.PDF_REDACT_TEXT_REMOVE)
        # 2. ... then image pixels and vector art under the whole visible box
        for _, rects in boxes:
            for rect, _ in rects:
                page.add_redact_annot(rect, fill=False)
        page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_PIXELS,
                              graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_COVERED,
                              text=pymupdf.PDF_REDACT_TEXT_NONE)
        # 3. the black boxes, with the codes printed at the place of deletion
        for proposal, oriented in boxes:
            rects = [rect for rect, _ in oriented]
            widest = max(range(len(rects)), key=lambda i: rects[i].width)
            label, size = _label_for(proposal.codes, code_set, rects[widest])
            for i, rect in enumerate(rects):
                _draw_box(page, rect, label if i == widest else "", size)
                report.redactions += 1
            if not label:
                report.unlabeled.append(proposal.id)
        report.pages += 1


def apply_proposals(source: str | Path, proposal_set: ProposalSet, output: str | Path,
                    password: str | None = None) -> ApplyReport:
    """Redact `source` into `output` and verify it; raises VerificationError on a leak
    (and leaves no output behind)."""
    src = check_file(source)
    out = Path(output)
    if out.resolve() == src.resolve():
        raise BadInputError(out, "output would overwrite the original; choose another path")
    if sha256_of(src) != proposal_set.source_sha256:
        raise BadInputError(src, "does not match the proposals file (source_sha256 differs): "
                                 "the proposals were made for another version of this file")
    code_set = load_code_set(proposal_set.code_set)
    report = ApplyReport(output=str(out))
    doc = open_pdf(src, password)
    try:
        report.page_count = doc.page_count
        redact_document(doc, proposal_set.proposals, code_set, report)
        _sanitise(doc)
        with atomic_target(out) as tmp:
            doc.save(tmp, garbage=4, deflate=True, clean=True, encryption=pymupdf.PDF_ENCRYPT_NONE)
            report.verify = verify_pdf(tmp, proposal_set, display_name=str(out), raise_on_leak=True)
    finally:
        doc.close()
    return report
