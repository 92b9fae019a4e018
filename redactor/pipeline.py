"""The stages chained for one document: what the CLI, the batch runner and the reviewer call."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from .apply import ApplyReport, apply_proposals
from .codes import Policy, Released, code_findings
from .detect import detect
from .load import load_document
from .models import ProposalSet
from .proposals import write_proposals


@dataclass
class Proposed:
    proposal_set: ProposalSet
    released: list[Released]
    warnings: list[str]
    # OCR'd pages: {"page": 0-based, "confidence", "dpi", "rotation", "skew", "words", "needs_review"}
    ocr_pages: list[dict] = field(default_factory=list)


def propose(path: str | Path, context: str | None = None, policy: Policy | None = None,
            password: str | None = None, ocr: bool = True) -> Proposed:
    document = load_document(path, password=password, ocr=ocr)
    findings = detect(document)
    proposal_set, released = code_findings(document, findings, policy, context)
    ocr_pages = [{"page": pg.number, **asdict(pg.ocr)} for pg in document.pages if pg.ocr]
    return Proposed(proposal_set, released, document.warnings, ocr_pages)


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
    src = Path(path)
    sub = src.parent.relative_to(relative_to) if relative_to else Path()
    target_dir = Path(out_dir) / sub
    proposed = propose(src, context=context, policy=policy, password=password, ocr=ocr)
    proposals_path = target_dir / f"{src.stem}.proposals.json"
    output = target_dir / f"{src.stem}.redacted.pdf"
    report = apply_proposals(src, proposed.proposal_set, output, password=password)
    write_proposed(proposed, proposals_path)
    return Redacted(src, proposals_path, output, proposed, report)
