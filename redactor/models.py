"""Typed data passed between the pipeline stages.

load -> Document, detect -> Finding, code -> Proposal (the proposals JSON contract in DESIGN.md).
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field

Box = tuple[float, float, float, float]

# Withheld sentences and clauses ((b)(7)(E) techniques, (b)(5) deliberation). One of at least
# SENTENCE_WORDS words is withheld wherever it recurs in a record (detect) and looked for everywhere
# after apply (verify); a shorter piece, such as the end of a sentence carried over a page break,
# is no text of its own and is checked under its own boxes only.
SENTENCE_ENTITIES = frozenset({"LE_TECHNIQUE", "DELIBERATIVE"})
SENTENCE_WORDS = 5


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    block: int
    line: int

    @property
    def box(self) -> Box:
        return (self.x0, self.y0, self.x1, self.y1)


@dataclass
class OcrInfo:
    """How an image-only page was read (load OCR'd it)."""

    confidence: float | None  # mean word confidence 0-100 (None: blank page)
    dpi: float
    rotation: int = 0  # orientation corrected, degrees (Tesseract OSD)
    skew: float = 0.0  # small-angle deskew, degrees
    words: int = 0
    needs_review: bool = False  # low confidence: a person must check this page


@dataclass
class Page:
    """One page: its words in reading order and the text detection reads.

    `text` joins the words with spaces, lines with "\\n" and blocks with "\\n\\n"; a word
    hyphenated at a line end is joined to its continuation without the hyphen, so
    "Depart-" + "ment" reads as "Department". `word_spans[i]` is the (start, end) of
    the part of word i that appears in `text`.
    """

    number: int  # 0-based
    width: float
    height: float
    words: list[Word]
    text: str
    word_spans: list[tuple[int, int]]
    image_count: int = 0
    ocr: OcrInfo | None = None  # set when the page was OCR'd

    def words_in_span(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """(word index, first char, last char) of each word overlapping text[start:end],
        with the char range relative to the word's own text."""
        starts = [s for s, _ in self.word_spans]
        i = max(bisect_right(starts, start) - 1, 0)
        out = []
        while i < len(self.word_spans) and self.word_spans[i][0] < end:
            ws, we = self.word_spans[i]
            if we > start:
                out.append((i, max(start, ws) - ws, min(end, we) - ws))
            i += 1
        return out


@dataclass
class Document:
    path: str
    sha256: str
    pages: list[Page]
    metadata: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        from pathlib import Path

        return Path(self.path).name


@dataclass
class Finding:
    """Something detection found: a character span of one page's text."""

    page: int
    start: int
    end: int
    text: str
    entity: str
    score: float
    recognizer: str
    explanation: str
    origin: str | None = None  # for a finding propagated from another: that one's text


Status = Literal["proposed", "accepted", "rejected"]


class Proposal(BaseModel):
    id: str
    page: int = Field(ge=0)
    text: str
    bbox: list[float] = Field(min_length=4, max_length=4)
    boxes: list[list[float]] = Field(min_length=1)
    codes: list[str] = Field(min_length=1)
    entity: str
    score: float
    rationale: str
    source: str = "auto"
    status: str = "proposed"
    recognizer: str | None = None
    # extra fields (allowed by the contract): the span's character offsets in the page
    # text that detection read, so reviewers and benchmarks can map it back.
    start: int | None = None
    end: int | None = None
    # what a reviewer must know before accepting (e.g. a code no longer supported by case law)
    warnings: list[str] = Field(default_factory=list)


class ProposalSet(BaseModel):
    """The proposals JSON contract (DESIGN.md)."""

    doc: str
    source_sha256: str
    code_set: str
    record_context: str | None = None
    proposals: list[Proposal]
