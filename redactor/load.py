"""Stage 1, load: a PDF becomes pages of words with their boxes, in reading order.

Bad input is refused here with one clear line (BadInputError) before anything is written.
"""
from __future__ import annotations

import hashlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pymupdf

from . import ocr as ocr_mod
from .errors import BadInputError
from .models import Document, OcrInfo, Page, Word

MAX_FILE_MB = 500


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_file(path: str | Path, max_mb: float = MAX_FILE_MB) -> Path:
    """Refuse what is not a readable PDF file, by its bytes, before opening it."""
    p = Path(path)
    if not p.exists():
        raise BadInputError(p, "file not found")
    if p.is_dir():
        raise BadInputError(p, "is a directory, not a PDF file")
    size = p.stat().st_size
    if size == 0:
        raise BadInputError(p, "empty file (0 bytes)")
    if size > max_mb * 1024 * 1024:
        raise BadInputError(p, f"too large ({size / 2**20:.0f} MB; limit {max_mb:.0f} MB)")
    with open(p, "rb") as fh:
        head = fh.read(1024)
        fh.seek(max(size - 2048, 0))
        tail = fh.read()
    if b"%PDF-" not in head:
        raise BadInputError(p, "not a PDF (no %PDF header)")
    if b"%%EOF" not in tail:
        raise BadInputError(p, "corrupt or truncated PDF (no end-of-file marker)")
    return p


def reveal_hidden_layers(doc: pymupdf.Document) -> bool:
    """Drop the optional-content configuration (in memory) so every layer is visible:
    content in a hidden layer is then read by detection, removed by apply and checked by
    verify, instead of riding along unseen in the release."""
    catalog = doc.pdf_catalog()
    if doc.xref_get_key(catalog, "OCProperties")[0] == "null":
        return False
    doc.xref_set_key(catalog, "OCProperties", "null")
    return True


def open_pdf(path: Path, password: str | None = None,
             warnings: list[str] | None = None, reveal_layers: bool = True) -> pymupdf.Document:
    pymupdf.TOOLS.mupdf_warnings()  # clear the warning buffer so we see only this file's
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # MuPDF raises several types for unreadable files
        raise BadInputError(path, f"corrupt PDF, cannot be opened ({exc})") from None
    try:
        return _checked_open(path, doc, password, warnings, reveal_layers)
    except BadInputError:
        raise
    except Exception as exc:  # MuPDF raises as it meets a broken page tree or trailer
        doc.close()
        raise BadInputError(path, f"corrupt PDF, cannot be read ({exc})") from None


def _checked_open(path: Path, doc: pymupdf.Document, password: str | None,
                  warnings: list[str] | None, reveal_layers: bool) -> pymupdf.Document:
    if doc.needs_pass:
        if not password or not doc.authenticate(password):
            doc.close()
            raise BadInputError(
                path, "encrypted PDF: a user password is needed to open it" if not password
                else "encrypted PDF: the password given is wrong")
    if doc.page_count == 0:
        doc.close()
        raise BadInputError(path, "PDF has zero pages")
    if (doc.metadata or {}).get("encryption") and not password and warnings is not None:
        warnings.append("encrypted with an owner password only (permission restrictions): opened "
                        "without a password; the redacted output is not encrypted")
    if reveal_layers and reveal_hidden_layers(doc) and warnings is not None:
        warnings.append("optional-content layers found: hidden layers are made visible and treated as page content")
    return doc


def read_page(number: int, page: pymupdf.Page) -> Page:
    """Words and detection text of one page (load and verify read pages the same way)."""
    raw = page.get_text("words", flags=pymupdf.TEXTFLAGS_WORDS & ~pymupdf.TEXT_PRESERVE_LIGATURES)
    words = [Word(w[4], w[0], w[1], w[2], w[3], w[5], w[6]) for w in raw]
    text, spans = _page_text(words)
    return Page(number=number, width=page.rect.width, height=page.rect.height, words=words,
                text=text, word_spans=spans, image_count=len(page.get_images()))


def _page_text(words: list[Word]) -> tuple[str, list[tuple[int, int]]]:
    """Join words into the page text; rejoin words hyphenated across a line break."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for i, w in enumerate(words):
        token = w.text
        if i:
            prev = words[i - 1]
            same_line = (prev.block, prev.line) == (w.block, w.line)
            line_end_hyphen = (not same_line and prev.text.endswith("-") and len(prev.text) > 2
                               and prev.text[-2].isalpha() and w.text[:1].isalpha())
            if line_end_hyphen and w.text[:1].isupper():
                # a compound split at the line end ("Arriaga-" / "Benavides"): keep the hyphen
                sep = ""
            elif line_end_hyphen:
                # drop the hyphen already emitted for the previous word
                parts[-1] = parts[-1][:-1]
                pos -= 1
                ps, _ = spans[-1]
                spans[-1] = (ps, pos)
                sep = ""
            elif same_line:
                sep = " "
            elif prev.block == w.block:
                sep = "\n"
            else:
                sep = "\n\n"
            parts.append(sep)
            pos += len(sep)
        parts.append(token)
        spans.append((pos, pos + len(token)))
        pos += len(token)
    return "".join(parts), spans


def find_actions(doc: pymupdf.Document) -> list[str]:
    """Active content anywhere in the file: JavaScript, launch, submit-form and import actions
    (and the objects carrying them), by scanning every object's /S and /JS keys."""
    found = []
    kinds = {"/JavaScript": "JavaScript", "/Launch": "launch action", "/SubmitForm": "submit-form action",
             "/ImportData": "import-data action", "/GoToE": "go-to-embedded action"}
    for xref in range(1, doc.xref_length()):
        try:
            kind = doc.xref_get_key(xref, "S")
            js = doc.xref_get_key(xref, "JS")
        except Exception:
            continue
        if kind[0] == "name" and kind[1] in kinds:
            found.append(f"{kinds[kind[1]]} (object {xref})")
        elif js[0] != "null":
            found.append(f"JavaScript (object {xref})")
    return found


def _check_images(path: Path, number: int, page: pymupdf.Page, s: ocr_mod.OcrSettings) -> None:
    """Refuse a page image whose declared size would take gigabytes to decode (a
    decompression bomb): OCR, redaction and verification all decode the images they touch."""
    for img in page.get_images(full=True):
        width, height = img[2], img[3]
        if width * height > s.max_image_pixels:
            raise BadInputError(path, f"page {number + 1}: image of {width} x {height} pixels exceeds the "
                                      f"limit of {s.max_image_pixels:,} pixels (decompression bomb?); not processed")


def needs_ocr(page: pymupdf.Page, parsed: Page, s: ocr_mod.OcrSettings) -> bool:
    """Image-only: images cover much of the page and the text layer is absent or thin (a
    Bates stamp or a header over a scan)."""
    if not parsed.image_count:
        return False
    area = abs(page.rect)
    if area <= 0:
        return False
    image_area = sum(abs(pymupdf.Rect(info["bbox"]) & page.rect) for info in page.get_image_info())
    if image_area / area < s.image_min_cover:
        return False
    chars = sum(len(w.text) for w in parsed.words)
    word_area = sum(abs(pymupdf.Rect(w.box) & page.rect) for w in parsed.words)
    return chars < s.text_layer_min_chars or word_area / image_area < s.text_layer_min_cover


def _merge_ocr(number: int, page: pymupdf.Page, own: Page, words: list[Word], info: OcrInfo) -> Page:
    """OCR words in reading order, then any words of the page's own text layer that OCR did
    not cover (invisible or white text is read too, so detection sees it)."""
    boxes = [pymupdf.Rect(w.box) for w in words]
    extra = [Word(w.text, w.x0, w.y0, w.x1, w.y1, 100_000 + w.block, w.line) for w in own.words
             if not any(pymupdf.Point((w.x0 + w.x1) / 2, (w.y0 + w.y1) / 2) in b for b in boxes)]
    merged = words + extra
    text, spans = _page_text(merged)
    return Page(number=number, width=page.rect.width, height=page.rect.height, words=merged,
                text=text, word_spans=spans, image_count=own.image_count, ocr=info)


def _ocr_pages(p: Path, doc: pymupdf.Document, pages: list[Page], numbers: list[int],
               s: ocr_mod.OcrSettings, workers: int | None, warnings: list[str]) -> None:
    """OCR the image-only pages, streamed: at most a few page images exist at a time."""
    if not ocr_mod.available():
        raise BadInputError(p, f"page {numbers[0] + 1} is image-only and OCR is needed, but Tesseract "
                               "is not installed (Debian: tesseract-ocr); nothing was written")
    matrices: dict[int, tuple[pymupdf.Matrix, float]] = {}

    def images():
        for n in numbers:
            page = doc[n]
            dpi = ocr_mod.render_dpi(page, s)
            if dpi < s.min_dpi:
                raise BadInputError(p, f"page {n + 1} is {page.rect.width:.0f} x {page.rect.height:.0f} pt: "
                                       f"too large to OCR (would need {dpi:.0f} dpi); nothing was written")
            if dpi < s.dpi:
                warnings.append(f"page {n + 1} is {page.rect.width:.0f} x {page.rect.height:.0f} pt: "
                                f"rendered at {dpi:.0f} dpi for OCR")
            image, to_page = ocr_mod.render_page(page, dpi)
            matrices[n] = (to_page, dpi)
            yield n, image

    count = workers if workers else s.worker_count(len(numbers))
    for n, result in ocr_mod.ocr_many(images(), count, s):
        to_page, dpi = matrices.pop(n)
        review = result.confidence is not None and result.confidence < s.review_below_confidence
        info = OcrInfo(confidence=None if result.confidence is None else round(result.confidence, 1),
                       dpi=round(dpi, 1), rotation=result.rotation, skew=result.skew,
                       words=len(result.words), needs_review=review or bool(result.error))
        pages[n] = _merge_ocr(n, doc[n], pages[n], ocr_mod.page_words(result, to_page), info)
        note = f"page {n + 1} is image-only: OCR'd"
        note += f" (confidence {info.confidence:.0f}" if info.confidence is not None else " (blank page"
        note += f", turned {info.rotation} degrees" if info.rotation else ""
        note += f", deskewed {info.skew:+.1f} degrees" if info.skew else ""
        note += ")"
        if result.error:
            note += f"; {result.error}"
        if info.needs_review:
            note += ": low confidence, review this page manually"
        warnings.append(note)


class OpenPdf:
    """An opened, checked PDF whose pages are read one at a time, so a caller can stream
    a long document in chunks instead of holding every page's words at once."""

    def __init__(self, path: Path, password: str | None, max_mb: float, ocr: bool = True):
        self.path = check_file(path, max_mb)
        self.sha256 = sha256_of(self.path)
        self.warnings: list[str] = []
        self.ocr = ocr
        self.settings = ocr_mod.settings()
        self.doc = open_pdf(self.path, password, self.warnings)
        if self.doc.is_repaired:
            self.warnings.append("damaged cross-reference table was repaired by MuPDF")
        self.metadata = {k: v for k, v in (self.doc.metadata or {}).items() if v}

    @property
    def page_count(self) -> int:
        return self.doc.page_count

    def page(self, number: int) -> Page:
        """One page, refused (BadInputError) if unreadable or image-only."""
        try:
            pdf_page = self.doc[number]
            parsed = read_page(number, pdf_page)
            _check_images(self.path, number, pdf_page, self.settings)
            image_only = needs_ocr(pdf_page, parsed, self.settings)
        except BadInputError:
            raise
        except Exception as exc:
            raise BadInputError(self.path, f"corrupt PDF, page {number + 1} cannot be read ({exc})") from None
        if image_only and not self.ocr:
            raise BadInputError(self.path, f"page {number + 1} is image-only with no text layer: OCR is "
                                           "needed (OCR was turned off), nothing was written")
        if image_only:  # one page at a time here: the batch runs documents in parallel
            pages = {number: parsed}
            _ocr_pages(self.path, self.doc, pages, [number], self.settings, 1, self.warnings)
            parsed = pages[number]
        return parsed

    def pages(self) -> Iterator[Page]:
        """Every page in order; a repaired file with no readable content is refused at the end."""
        content = False
        for number in range(self.page_count):
            parsed = self.page(number)
            content = content or bool(parsed.words or parsed.image_count)
            yield parsed
        if self.doc.is_repaired and not content:
            raise BadInputError(self.path, "corrupt PDF: repaired, but no page content could be read")

    def document(self, pages: list[Page]) -> Document:
        return Document(path=str(self.path), sha256=self.sha256, pages=pages,
                        metadata=self.metadata, warnings=self.warnings)

    def close(self) -> None:
        self.doc.close()
        if sha256_of(self.path) != self.sha256:
            raise BadInputError(self.path, "the file changed while it was being read; nothing was written")


@contextmanager
def open_document(path: str | Path, password: str | None = None,
                  max_mb: float = MAX_FILE_MB, ocr: bool = True) -> Iterator[OpenPdf]:
    """A PDF opened for streaming its pages (the batch's path for long documents)."""
    pdf = OpenPdf(Path(path), password, max_mb, ocr)
    try:
        yield pdf
    finally:
        pdf.close()


def load_document(path: str | Path, password: str | None = None,
                  max_mb: float = MAX_FILE_MB, ocr: bool = True,
                  ocr_workers: int | None = None) -> Document:
    """Read a PDF into pages of words. Image-only pages are OCR'd (`ocr=False` refuses them
    instead); `ocr_workers` pages are OCR'd side by side (default: ocr.yaml, one per core)."""
    p = check_file(path, max_mb)
    digest = sha256_of(p)
    warnings: list[str] = []
    s = ocr_mod.settings()
    doc = open_pdf(p, password, warnings)
    try:
        if doc.is_repaired:
            warnings.append("damaged cross-reference table was repaired by MuPDF")
        pages: list[Page] = []
        to_ocr: list[int] = []
        for number in range(doc.page_count):
            try:
                page = doc[number]
                parsed = read_page(number, page)
                _check_images(p, number, page, s)
                image_only = needs_ocr(page, parsed, s)
            except BadInputError:
                raise
            except Exception as exc:
                raise BadInputError(p, f"corrupt PDF, page {number + 1} cannot be read ({exc})") from None
            if image_only and not ocr:
                raise BadInputError(
                    p, f"page {number + 1} is image-only with no text layer: OCR is needed "
                       "(OCR was turned off), nothing was written")
            if image_only:
                to_ocr.append(number)
            pages.append(parsed)
        if to_ocr:
            try:
                _ocr_pages(p, doc, pages, to_ocr, s, ocr_workers, warnings)
            except BadInputError:
                raise
            except Exception as exc:
                raise BadInputError(p, f"corrupt PDF, a page cannot be rendered for OCR ({exc})") from None
        if doc.is_repaired and not any(pg.words or pg.image_count for pg in pages):
            raise BadInputError(p, "corrupt PDF: repaired, but no page content could be read")
        try:
            actions = find_actions(doc)
        except Exception:
            actions = ["unreadable objects (not inspected)"]
        if actions:
            warnings.append(f"active content found ({', '.join(sorted(set(a.split(' (')[0] for a in actions)))}): "
                            "not run, and removed from the redacted output")
        try:
            metadata = {k: v for k, v in (doc.metadata or {}).items() if v}
        except Exception:
            metadata = {}
    finally:
        doc.close()
    if sha256_of(p) != digest:
        raise BadInputError(p, "the file changed while it was being read; nothing was written")
    return Document(path=str(p), sha256=digest, pages=pages, metadata=metadata, warnings=warnings)
