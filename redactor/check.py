"""`redactor check`: inspect ANY PDF (ours or received from elsewhere) for bad redactions
and hidden content.

Bad redactions: text that can still be extracted under a dark box, whatever draws the box
(a filled rectangle, a black highlight or square annotation, a black image), and redaction
annotations never applied. Hidden content: invisible, transparent, white-on-white, tiny or
off-page text, hidden optional-content layers, JavaScript and other actions, embedded files,
and earlier revisions (incremental updates) holding text the current version no longer shows.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pymupdf

from .errors import BadInputError
from .load import check_file, find_actions, open_pdf

DARK = 60  # mean grey level (0-255) of a region no one can read text in
UNIFORM = 12  # grey-level spread below which a region shows no glyphs
LIGHT_TEXT = 0.9  # colour components at or above this: white(ish) text
TINY_PT = 1.0
MAX_PER_PAGE = 200
RENDER_DPI = 72


@dataclass
class Finding:
    kind: str
    page: int | None  # 1-based, None for the whole document
    box: list[float] | None
    detail: str


@dataclass
class CheckReport:
    path: str
    pages: int = 0
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.findings

    def as_dict(self) -> dict:
        return {"file": self.path, "pages": self.pages, "clean": self.clean,
                "findings": [asdict(f) for f in self.findings], "notes": self.notes}


def _words_of(page: pymupdf.Page):
    """(span, word, box) for each word of each text span, with its glyphs' box: a box drawn
    over one word of a line must be judged on that word, not the whole line."""
    for span in page.get_texttrace():
        word, rect = [], None
        for ch in list(span["chars"]) + [(32, 0, (0, 0), (0, 0, 0, 0))]:
            if chr(ch[0]).isspace():
                if word and rect is not None:
                    yield span, "".join(word), rect
                word, rect = [], None
                continue
            box = pymupdf.Rect(ch[3])
            if rect is not None and (box.x0 < rect.x0 or abs(box.y0 - rect.y0) > rect.height / 2):
                yield span, "".join(word), rect  # a span may run on to the next line
                word, rect = [], None
            word.append(chr(ch[0]))
            rect = box if rect is None else rect | box


def _box(rect) -> list[float]:
    return [round(v, 1) for v in pymupdf.Rect(rect)]


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Render:
    """The page rendered in grey (annotations included), to ask how dark a region looks."""

    def __init__(self, page: pymupdf.Page):
        self.zoom = RENDER_DPI / 72
        self.pix = page.get_pixmap(matrix=pymupdf.Matrix(self.zoom, self.zoom), colorspace=pymupdf.csGRAY,
                                   alpha=False, annots=True)
        self.to_pixels = page.rotation_matrix * pymupdf.Matrix(self.zoom, self.zoom)
        self.grey = np.frombuffer(self.pix.samples, dtype=np.uint8).reshape(self.pix.height, self.pix.width)

    def stats(self, rect: pymupdf.Rect) -> tuple[float | None, float]:
        """Mean grey level and its spread in a region (None: outside the image)."""
        r = (rect * self.to_pixels) & pymupdf.Rect(0, 0, self.pix.width, self.pix.height)
        x0, y0, x1, y1 = int(r.x0), int(r.y0), int(r.x1 + 0.999), int(r.y1 + 0.999)
        if r.is_empty or x1 <= x0 or y1 <= y0:
            return None, 0.0
        region = self.grey[y0:y1, x0:x1]
        return float(region.mean()), float(region.std())


def _cover_of(rect: pymupdf.Rect, seqno: int, drawings: list[dict],
              annots: list[tuple[str, pymupdf.Rect]], images: list[pymupdf.Rect]) -> str:
    for kind, r in annots:
        if r.intersects(rect):
            return f"a {kind} annotation"
    for d in drawings:
        if d["seqno"] > seqno and d["rect"].intersects(rect) and d.get("fill") is not None:
            return "a filled rectangle"
    for r in images:
        if r.intersects(rect):
            return "an image"
    return "something drawn over it"


def _check_page(doc: pymupdf.Document, page: pymupdf.Page, hidden_layers: set[str],
                report: CheckReport) -> None:
    n = page.number + 1
    render = _Render(page)
    visible = page.rect
    drawings = [d for d in page.get_drawings() if d.get("fill") is not None]
    drawings = [{**d, "rect": pymupdf.Rect(d["rect"])} for d in drawings]
    annots = [(a.type[1], a.rect) for a in page.annots() or []]
    images = [pymupdf.Rect(i["bbox"]) for i in page.get_image_info()]
    runs: list[list] = []  # [kind, rect, words]: neighbouring words of one kind on one line

    def add(kind: str, rect: pymupdf.Rect, text: str) -> None:
        if runs:
            last_kind, last, words = runs[-1]
            same_line = min(last.y1, rect.y1) - max(last.y0, rect.y0) > 0.5 * min(last.height, rect.height)
            if last_kind == kind and same_line and -1 < rect.x0 - last.x1 < 2 * max(rect.height, 1):
                runs[-1][1] = last | rect
                words.append(text)
                return
        runs.append([kind, pymupdf.Rect(rect), [text]])

    for span, text, rect in _words_of(page):
        light = all(c >= LIGHT_TEXT for c in (span.get("color") or (0,)))
        if not rect.intersects(visible):
            add("text-outside-page", rect, text)
            continue
        if span.get("layer") and span["layer"] in hidden_layers:
            add("hidden-layer-text", rect, text)
            continue
        if 0 < span["size"] < TINY_PT:
            add("tiny-text", rect, text)
            continue
        over_image = any(r.intersects(rect) for r in images)
        invisible = span["type"] == 3 or (span.get("opacity") is not None and span["opacity"] == 0)
        # judged on the word's core (the glyph box less its edges): a box drawn just around
        # the word must not let a fringe of background decide
        core = pymupdf.Rect(rect.x0 + rect.width * 0.1, rect.y0 + rect.height * 0.25,
                            rect.x1 - rect.width * 0.1, rect.y1 - rect.height * 0.25)
        mean, spread = render.stats(core)
        if mean is None:
            continue
        if invisible:
            if mean < DARK:  # e.g. a scan's OCR layer under a black box drawn on the image
                add(f"text under {_cover_of(rect, span['seqno'], drawings, annots, images)}", rect, text)
            elif not over_image:  # (invisible text over an image is a scan's OCR layer)
                add("invisible-text", rect, text)
        elif spread < UNIFORM:  # drawn text whose glyphs do not show
            if light and mean > 255 - DARK:
                add("white-text", rect, text)
            else:
                add(f"text under {_cover_of(rect, span['seqno'], drawings, annots, images)}", rect, text)
    for annot in page.annots() or []:
        if annot.type[0] == pymupdf.PDF_ANNOT_REDACT:
            add("unapplied redaction annotation", annot.rect, page.get_textbox(annot.rect) or "(no text)")
        if annot.type[0] == pymupdf.PDF_ANNOT_FILE_ATTACHMENT:
            add("attached file", annot.rect, annot.file_info.get("filename", ""))
    for kind, rect, words in runs[:MAX_PER_PAGE]:
        report.findings.append(Finding(kind, n, _box(rect), _short(" ".join(words), 80)))
    if len(runs) > MAX_PER_PAGE:
        report.findings.append(Finding("more", n, None, f"{len(runs) - MAX_PER_PAGE} more finding(s) on this page"))


def _hidden_layers(doc: pymupdf.Document) -> set[str]:
    try:
        return {o["name"] for o in doc.get_ocgs().values() if not o.get("on", True)}
    except Exception:
        return set()


def _words(doc: pymupdf.Document) -> Counter:
    words: Counter = Counter()
    for number in range(doc.page_count):
        try:
            words.update(w[4] for w in doc[number].get_text("words"))
        except Exception:
            continue  # an unreadable page is reported by _check_page
    return words


def _earlier_revisions(data: bytes) -> list[bytes]:
    """The file as it was before each incremental update (each earlier %%EOF)."""
    ends = [m.end() for m in re.finditer(rb"%%EOF[\r\n]*", data)]
    return [data[:end] for end in ends[:-1]]


def earlier_revision_text(data: bytes) -> list[Counter]:
    out = []
    for prefix in _earlier_revisions(data):
        try:
            with pymupdf.open(stream=prefix, filetype="pdf") as old:
                out.append(_words(old) if not old.needs_pass else Counter())
        except Exception:
            out.append(Counter())  # e.g. the first part of a linearised file
    return out


def check_pdf(path: str | Path, password: str | None = None) -> CheckReport:
    p = check_file(path)
    report = CheckReport(path=str(p))
    warnings: list[str] = []
    doc = open_pdf(p, password, warnings, reveal_layers=False)
    try:
        if doc.is_repaired:
            report.notes.append("damaged cross-reference table was repaired by MuPDF")
        report.notes += warnings
        report.pages = doc.page_count
        hidden = _hidden_layers(doc)
        for name in sorted(hidden):
            report.findings.append(Finding("hidden layer", None, None, f"optional-content layer {name!r} is off"))
        for number in range(doc.page_count):
            try:
                page = doc[number]
                _check_page(doc, page, hidden, report)
            except Exception as exc:
                report.findings.append(Finding("unreadable page", number + 1, None,
                                               f"page could not be inspected ({exc})"))
        try:
            actions = find_actions(doc)
        except Exception as exc:
            actions = [f"objects that cannot be read ({exc})"]
        for action in actions:
            report.findings.append(Finding("active content", None, None, action))
        try:
            names = doc.embfile_names()
        except Exception:
            names = []
        for name in names:
            report.findings.append(Finding("embedded file", None, None, name))
        current = _words(doc)
    finally:
        doc.close()
    for i, old in enumerate(earlier_revision_text(p.read_bytes()), 1):
        gone = old - current
        if gone:
            report.findings.append(Finding("earlier revision", None, None,
                                           f"revision {i} holds {sum(gone.values())} word(s) no longer shown: "
                                           f"{_short(' '.join(gone))!r}"))
    return report


__all__ = ["check_pdf", "CheckReport", "Finding", "earlier_revision_text", "BadInputError"]
