"""Stage 6, verify: prove that nothing redacted can be recovered from an output PDF.

Checks, each of which fails the release: text still under a redaction box (a box merely
drawn over text), image pixels under a box in which OCR reads a redacted word, a redacted string extractable anywhere in the document, a redacted
string in any decompressed stream, in metadata or XMP, and leftover annotations,
form fields, embedded files or bookmarks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pymupdf
import regex as re

from . import ocr
from .codes import load_code_set
from .errors import VerificationError
from .load import read_page, check_file, open_pdf
from .models import SENTENCE_ENTITIES, SENTENCE_WORDS, ProposalSet

# Strings shorter than this are checked only under their own boxes: "12" or "Lee" may
# legitimately appear elsewhere on the page.
MIN_GLOBAL_LEN = 4
# A font program or a ToUnicode CMap maps glyphs to code points ("<0108> <0393>" is a Greek
# Gamma); it holds no text of the document, and a withheld "0393" in it is no leak.
FONT_PROGRAM = re.compile(r"/Length[123]\b|/Subtype\s*/(?:Type1C|CIDFontType0C|OpenType)\b")
FIGURE_ENTITIES = {"LE_STATISTIC"}
FIGURE = re.compile(r"[\d.,]+(?:\s?%|\s?percent)?")


@dataclass
class VerifyReport:
    path: str
    checked_strings: int = 0
    checked_boxes: int = 0
    ocr_checked_regions: int = 0  # image regions under boxes that were not blank and were OCR'd
    leaks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.leaks


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _pattern(text: str) -> re.Pattern:
    words = [re.escape(w) for w in _normalise(text).split(" ")]
    return re.compile(r"(?<![\w@])" + r"\s*".join(words) + r"(?![\w@])", re.I)


def _label_words(proposal_set: ProposalSet) -> set[str]:
    """The words apply prints inside boxes: the codes, in full or abbreviated."""
    code_set = load_code_set(proposal_set.code_set)
    words: set[str] = set()
    for p in proposal_set.proposals:
        words.update(", ".join(code_set.get(c).printed for c in p.codes).split())
        words.add(",".join(code_set.get(c).short for c in p.codes))
    return words


def _only_labels(word: str, labels: set[str]) -> bool:
    """True when `word` is made of printed codes only: two overlapping boxes (a site inside a
    technique passage) can print their labels so close that extraction reads one word."""
    if word in labels:
        return True
    for label in sorted(labels, key=len, reverse=True):
        word = word.replace(label, " ")
    return not re.sub(r"[\s,;]", "", word)


def _words_of(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[\w@.'-]+", text) if len(re.sub(r"\W", "", w)) >= 3}


def _check_image_pixels(doc: pymupdf.Document, applied: list, report: VerifyReport) -> None:
    from .apply import _visible_box  # the area apply removed the pixels of

    by_page: dict[int, list] = {}
    for p in applied:
        if p.page < doc.page_count:
            by_page.setdefault(p.page, []).append(p)
    for number, proposals in sorted(by_page.items()):
        page = doc[number]
        if not page.get_images():
            continue
        crops = []
        for p in proposals:
            for box in p.boxes:
                crops += [c for c in ocr.image_pixels_under(doc, page, _visible_box(pymupdf.Rect(box)))
                          if not ocr.blank(c)]
        if not crops:
            continue
        report.ocr_checked_regions += len(crops)
        if not ocr.available():
            report.leaks.append(f"page {number + 1}: image pixels remain under redaction boxes and "
                                "cannot be OCR-checked (Tesseract is not installed)")
            continue
        read = _words_of(ocr.read_crops(crops))
        for p in proposals:
            hits = sorted(_words_of(p.text) & read)
            if hits:
                report.leaks.append(f"page {number + 1}: redacted text {p.text!r} is readable by OCR in the "
                                    f"image under redaction {p.id} ({', '.join(hits)})")


def _glyph_data(doc: pymupdf.Document, xref: int, data: bytes) -> bool:
    if not doc.xref_is_stream(xref):
        return False
    return b"begincmap" in data[:4096] or bool(FONT_PROGRAM.search(doc.xref_object(xref, compressed=True)))


def verify_pdf(path: str | Path, proposal_set: ProposalSet, display_name: str | None = None,
               raise_on_leak: bool = True, password: str | None = None) -> VerifyReport:
    name = display_name or str(path)
    check_file(path)
    report = VerifyReport(path=name)
    applied = [p for p in proposal_set.proposals if p.status != "rejected"]
    labels = _label_words(proposal_set)
    kept = {_normalise(p.text).lower() for p in proposal_set.proposals if p.status == "rejected"}
    doc = open_pdf(Path(path), password)
    try:
        pages = [read_page(i, page) for i, page in enumerate(doc)]
        # 1. nothing but the printed codes remains under any box
        for p in applied:
            if p.page >= len(pages):
                report.leaks.append(f"page {p.page + 1} missing from the output")
                continue
            for box in p.boxes:
                report.checked_boxes += 1
                rect = pymupdf.Rect(box)
                for w in pages[p.page].words:
                    centre = pymupdf.Point((w.x0 + w.x1) / 2, (w.y0 + w.y1) / 2)
                    if centre in rect and not _only_labels(w.text, labels):
                        report.leaks.append(f"page {p.page + 1}: text {w.text!r} still under redaction {p.id}")
        # 1b. nothing readable in the stored image pixels under any box (scanned pages):
        # blank crops pass at once, anything else is OCR'd
        _check_image_pixels(doc, applied, report)
        # 2. no redacted string anywhere in the extracted text
        # A withheld figure is a fact in its sentence: the same number elsewhere ("0600" as a
        # time, "16.4" in another table) is other information, checked only under its own boxes;
        # so are a few words of a sentence carried over a page break ("agenda.").
        strings = {_normalise(p.text) for p in applied
                   if not (p.entity in FIGURE_ENTITIES and FIGURE.fullmatch(p.text.strip()))
                   and not (p.entity in SENTENCE_ENTITIES and len(p.text.split()) < SENTENCE_WORDS)}
        strings = {s for s in strings if len(s) >= MIN_GLOBAL_LEN and s.lower() not in kept}
        report.checked_strings = len(strings)
        texts = [_normalise(pg.text) for pg in pages]
        patterns = {s: _pattern(s) for s in strings}
        for s, pat in patterns.items():
            for pg, text in zip(pages, texts):
                if pat.search(text):
                    report.leaks.append(f"page {pg.number + 1}: redacted text {s!r} is still extractable")
        # 3. not in any decompressed stream, nor in metadata
        raw_needles = {s: (s.encode("latin-1", "ignore"), s.encode("utf-16-be")) for s in strings}
        for xref in range(1, doc.xref_length()):
            try:
                data = doc.xref_stream(xref) if doc.xref_is_stream(xref) else doc.xref_object(xref).encode("latin-1", "ignore")
            except Exception:
                continue
            if not data or _glyph_data(doc, xref, data):
                continue
            for s, needles in raw_needles.items():
                if any(n and n in data for n in needles):
                    report.leaks.append(f"object {xref}: redacted text {s!r} found in a PDF object or stream")
        meta = " ".join(v for v in (doc.metadata or {}).values() if v) + " " + (doc.get_xml_metadata() or "")
        for s, pat in patterns.items():
            if pat.search(meta):
                report.leaks.append(f"metadata: redacted text {s!r} is in the document metadata")
        # 4. hidden carriers the sanitiser must have removed
        if doc.embfile_count():
            report.leaks.append(f"{doc.embfile_count()} embedded file(s) remain")
        for page in doc:
            if page.first_annot is not None:
                report.leaks.append(f"page {page.number + 1}: annotations remain")
            if page.first_widget is not None:
                report.leaks.append(f"page {page.number + 1}: form fields remain")
        if doc.get_toc():
            report.leaks.append("bookmarks remain")
    finally:
        doc.close()
    report.leaks = list(dict.fromkeys(report.leaks))
    if report.leaks and raise_on_leak:
        raise VerificationError(name, report.leaks)
    return report
