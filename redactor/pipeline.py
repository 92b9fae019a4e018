"""The stages chained for one document: what the CLI, the batch runner and the reviewer call."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from itertools import islice
from pathlib import Path

from .apply import ApplyReport, apply_proposals
from .codes import Policy, Released, code_findings
from . import detect as detect_mod
from .consistency import apply_record_set_consistency
from .detect import detect, get_detector
from .errors import RedactorError
from .load import OpenPdf, load_document, open_document
from .models import Document, Finding, Page, ProposalSet
from .proposals import write_proposals

# Documents longer than this are detected in chunks of this many pages, so memory stays
# bounded whatever the document's length (only each page's text is kept for the whole
# document; words and boxes are read again for the pages that get proposals).
CHUNK_PAGES = 48


@dataclass
class Proposed:
    proposal_set: ProposalSet
    released: list[Released]
    warnings: list[str]
    # OCR'd pages: {"page": 0-based, "confidence", "dpi", "rotation", "skew", "words", "needs_review"}
    ocr_pages: list[dict] = field(default_factory=list)
    document: Document | None = field(default=None, repr=False)  # kept for record-set passes


def propose(path: str | Path, context: str | None = None, policy: Policy | None = None,
            password: str | None = None, ocr: bool = True, chunk_pages: int = CHUNK_PAGES) -> Proposed:
    with open_document(path, password=password, ocr=ocr) as pdf:
        long_document = pdf.page_count > chunk_pages
        if long_document:
            document, findings = _detect_in_chunks(pdf, chunk_pages)
            proposal_set, released = code_findings(document, findings, policy, context)
    if not long_document:  # the whole document at once, its image-only pages OCR'd side by side
        document = load_document(path, password=password, ocr=ocr)
        findings = detect(document)
        proposal_set, released = code_findings(document, findings, policy, context)
    ocr_pages = [{"page": pg.number, **asdict(pg.ocr)} for pg in _pages_read(document) if pg.ocr]
    return Proposed(proposal_set, released, document.warnings, ocr_pages,
                    None if long_document else document)


def _pages_read(document: Document):
    pages = document.pages
    return pages.texts if isinstance(pages, _PagesOnDemand) else pages


def propose_record_set(paths: list[Path], context: str | None = None, policy: Policy | None = None,
                       password: str | None = None, ocr: bool = True) -> list[tuple[Path, Proposed | RedactorError]]:
    """Propose every record of a set, then make the set consistent: what is withheld in one
    record is withheld wherever it appears in the others. A bad file is returned as its error."""
    results: list[tuple[Path, Proposed | RedactorError]] = []
    for path in paths:
        try:
            results.append((path, propose(path, context=context, policy=policy, password=password, ocr=ocr)))
        except RedactorError as exc:
            results.append((path, exc))
    good = [r for _, r in results if isinstance(r, Proposed) and r.document is not None]
    apply_record_set_consistency([(r.document, r.proposal_set) for r in good],
                                 get_detector().titles_longest_first)
    for r in good:
        r.document = None  # the pages are not needed past this point
    return results


def _detect_in_chunks(pdf: OpenPdf, chunk_pages: int):
    """The same findings as `detect()` over the whole document, with at most `chunk_pages`
    pages' words in memory: each chunk is detected without propagation, then what was found
    anywhere is searched for in every page's text, as `detect()` does for one document."""
    detector = detect_mod.get_detector()
    direct_only = _without_propagation(detector)
    found: list[Finding] = []
    texts: list[Page] = []
    pages = pdf.pages()
    while chunk := list(islice(pages, chunk_pages)):
        found += detect(pdf.document(chunk), direct_only)
        texts += [replace(p, words=[], word_spans=[]) for p in chunk]  # keep the text only
    whole = pdf.document(texts)
    return pdf.document(_PagesOnDemand(pdf, texts)), detect_mod.combine(whole, found, detector)


def _without_propagation(detector: detect_mod.Detector) -> detect_mod.Detector:
    return replace(detector, config={**detector.config, "propagate_entities": []})


class _PagesOnDemand(Sequence):
    """The pages of an open PDF as a list, words read again when a page is asked for (coding
    walks the findings in page order, so the last few pages read are kept)."""

    def __init__(self, pdf: OpenPdf, texts: list[Page]):
        self.pdf, self.texts = pdf, texts
        self._recent: dict[int, Page] = {}

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, number):
        if isinstance(number, slice):
            return [self[i] for i in range(*number.indices(len(self)))]
        number = range(len(self))[number]
        if number not in self._recent:
            if len(self._recent) >= 4:
                self._recent.pop(next(iter(self._recent)))
            self._recent[number] = self.pdf.page(number)
        return self._recent[number]


def write_proposed(result: Proposed, path: str | Path) -> None:
    """The contract JSON, plus what the policy kept released and load warnings (extra fields)."""
    write_proposals(result.proposal_set, path, extra={
        "released": [asdict(r) for r in result.released], "warnings": result.warnings,
        "ocr_pages": result.ocr_pages})


@dataclass
class Redacted:
    source: Path
    proposals_path: Path
    output: Path
    proposed: Proposed
    applied: ApplyReport


def redact(path: str | Path, out_dir: str | Path, context: str | None = None,
           policy: Policy | None = None, password: str | None = None,
           relative_to: Path | None = None, ocr: bool = True) -> Redacted:
    """Propose, apply and verify one file into out_dir (keeping its sub-folder)."""
    proposed = propose(path, context=context, policy=policy, password=password, ocr=ocr)
    return finish(path, proposed, out_dir, password=password, relative_to=relative_to)


def finish(path: str | Path, proposed: Proposed, out_dir: str | Path, password: str | None = None,
           relative_to: Path | None = None) -> Redacted:
    """Apply and verify proposals already made, writing the PDF and its proposals JSON."""
    src = Path(path)
    sub = src.parent.relative_to(relative_to) if relative_to else Path()
    target_dir = Path(out_dir) / sub
    proposals_path = target_dir / f"{src.stem}.proposals.json"
    output = target_dir / f"{src.stem}.redacted.pdf"
    report = apply_proposals(src, proposed.proposal_set, output, password=password)
    write_proposed(proposed, proposals_path)
    return Redacted(src, proposals_path, output, proposed, report)
