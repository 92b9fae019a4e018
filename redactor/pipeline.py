"""The stages chained for one document: what the CLI, the batch runner and the reviewer call."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from .apply import ApplyReport, apply_proposals
from .codes import Policy, Released, code_findings
from .consistency import apply_record_set_consistency
from .detect import detect, get_detector
from .errors import RedactorError
from .load import load_document
from .models import Document, ProposalSet
from .proposals import write_proposals


@dataclass
class Proposed:
    proposal_set: ProposalSet
    released: list[Released]
    warnings: list[str]
    # OCR'd pages: {"page": 0-based, "confidence", "dpi", "rotation", "skew", "words", "needs_review"}
    ocr_pages: list[dict] = field(default_factory=list)
    document: Document | None = field(default=None, repr=False)  # kept for record-set passes


def propose(path: str | Path, context: str | None = None, policy: Policy | None = None,
            password: str | None = None, ocr: bool = True) -> Proposed:
    document = load_document(path, password=password, ocr=ocr)
    findings = detect(document)
    proposal_set, released = code_findings(document, findings, policy, context)
    ocr_pages = [{"page": pg.number, **asdict(pg.ocr)} for pg in document.pages if pg.ocr]
    return Proposed(proposal_set, released, document.warnings, ocr_pages, document)


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
    good = [r for _, r in results if isinstance(r, Proposed)]
    apply_record_set_consistency([(r.document, r.proposal_set) for r in good],
                                 get_detector().titles_longest_first)
    for r in good:
        r.document = None  # the pages are not needed past this point
    return results


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
