"""The stages chained for one document: what the CLI, the batch runner and the reviewer call."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from itertools import islice
from pathlib import Path

from .apply import ApplyReport, apply_proposals
from .codes import Policy, Released, code_findings
from . import detect as detect_mod
from .detect import detect
from .load import OpenPdf, open_document
from .models import Finding, Page, ProposalSet
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


def propose(path: str | Path, context: str | None = None, policy: Policy | None = None,
            password: str | None = None, chunk_pages: int = CHUNK_PAGES) -> Proposed:
    with open_document(path, password=password) as pdf:
        if pdf.page_count <= chunk_pages:
            document = pdf.document(list(pdf.pages()))
            findings = detect(document)
        else:
            document, findings = _detect_in_chunks(pdf, chunk_pages)
        proposal_set, released = code_findings(document, findings, policy, context)
    return Proposed(proposal_set, released, document.warnings)


def _detect_in_chunks(pdf: OpenPdf, chunk_pages: int):
    """The same findings as `detect()` over the whole document, with at most `chunk_pages`
    pages' words in memory: each chunk is detected without propagation, then what was found
    anywhere is searched for in every page's text, as `detect()` does for one document."""
    detector = detect_mod.get_detector()
    entities = set(detector.config.get("propagate_entities", []))
    direct_only = _without_propagation(detector)
    found: list[Finding] = []
    texts: list[Page] = []
    pages = pdf.pages()
    while chunk := list(islice(pages, chunk_pages)):
        found += detect(pdf.document(chunk), direct_only)
        texts += [replace(p, words=[], word_spans=[]) for p in chunk]  # keep the text only
    whole = pdf.document(texts)
    found = detect_mod._resolve_overlaps(found)
    findings = detect_mod._resolve_overlaps(found + detect_mod._propagate(whole, found, entities, detector))
    return pdf.document(_PagesOnDemand(pdf, texts)), findings


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
        "released": [asdict(r) for r in result.released], "warnings": result.warnings})


@dataclass
class Redacted:
    source: Path
    proposals_path: Path
    output: Path
    proposed: Proposed
    applied: ApplyReport


def redact(path: str | Path, out_dir: str | Path, context: str | None = None,
           policy: Policy | None = None, password: str | None = None,
           relative_to: Path | None = None) -> Redacted:
    """Propose, apply and verify one file into out_dir (keeping its sub-folder)."""
    src = Path(path)
    sub = src.parent.relative_to(relative_to) if relative_to else Path()
    target_dir = Path(out_dir) / sub
    proposed = propose(src, context=context, policy=policy, password=password)
    proposals_path = target_dir / f"{src.stem}.proposals.json"
    output = target_dir / f"{src.stem}.redacted.pdf"
    report = apply_proposals(src, proposed.proposal_set, output, password=password)
    write_proposed(proposed, proposals_path)
    return Redacted(src, proposals_path, output, proposed, report)
