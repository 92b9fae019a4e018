"""Stage 1, load: a PDF becomes pages of words with their boxes, in reading order.

Bad input is refused here with one clear line (BadInputError) before anything is written.
"""
from __future__ import annotations

import hashlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pymupdf

from .errors import BadInputError
from .models import Document, Page, Word

MAX_FILE_MB = 500
# An image-only page: no words, at least one image covering this share of the page.
IMAGE_ONLY_MIN_COVER = 0.25


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
             warnings: list[str] | None = None) -> pymupdf.Document:
    pymupdf.TOOLS.mupdf_warnings()  # clear the warning buffer so we see only this file's
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # MuPDF raises several types for unreadable files
        raise BadInputError(path, f"corrupt PDF, cannot be opened ({exc})") from None
    if doc.needs_pass:
        if not password or not doc.authenticate(password):
            doc.close()
            raise BadInputError(
                path, "encrypted PDF: a user password is needed to open it" if not password
                else "encrypted PDF: the password given is wrong")
    if doc.page_count == 0:
        doc.close()
        raise BadInputError(path, "PDF has zero pages")
    if reveal_hidden_layers(doc) and warnings is not None:
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


def _image_only(page: pymupdf.Page, parsed: Page) -> bool:
    if parsed.words or not parsed.image_count:
        return False
    area = abs(page.rect)
    covered = sum(abs(pymupdf.Rect(info["bbox"]) & page.rect) for info in page.get_image_info())
    return area > 0 and covered / area >= IMAGE_ONLY_MIN_COVER


class OpenPdf:
    """An opened, checked PDF whose pages are read one at a time, so a caller can stream
    a long document in chunks instead of holding every page's words at once."""

    def __init__(self, path: Path, password: str | None, max_mb: float):
        self.path = check_file(path, max_mb)
        self.sha256 = sha256_of(self.path)
        self.warnings: list[str] = []
        self.doc = open_pdf(self.path, password, self.warnings)
        if self.doc.is_repaired:
            self.warnings.append("damaged cross-reference table was repaired by MuPDF")
        self.metadata = {k: v for k, v in (self.doc.metadata or {}).items() if v}

    @property
    def page_count(self) -> int:
        return self.doc.page_count

    def page(self, number: int) -> Page:
        """One page, refused (BadInputError) if unreadable or image-only."""
        pdf_page = self.doc[number]
        try:
            parsed = read_page(number, pdf_page)
        except Exception as exc:
            raise BadInputError(self.path, f"corrupt PDF, page {number + 1} cannot be read ({exc})") from None
        if _image_only(pdf_page, parsed):
            raise BadInputError(
                self.path, f"page {number + 1} is image-only with no text layer: OCR is needed "
                           "(not supported yet), nothing was written")
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


@contextmanager
def open_document(path: str | Path, password: str | None = None,
                  max_mb: float = MAX_FILE_MB) -> Iterator[OpenPdf]:
    pdf = OpenPdf(Path(path), password, max_mb)
    try:
        yield pdf
    finally:
        pdf.close()


def load_document(path: str | Path, password: str | None = None,
                  max_mb: float = MAX_FILE_MB) -> Document:
    with open_document(path, password, max_mb) as pdf:
        return pdf.document(list(pdf.pages()))
