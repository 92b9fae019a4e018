"""The release package of a case: what goes out to the requester, and the paperwork with it.

Only documents counsel approved are released. Each is redacted with its decisions by the
apply stage (which verifies); pages withheld in full become fresh placeholder pages naming
the exemptions, and are checked to carry nothing of the original page. Beside the PDFs:
the redaction log / Vaughn index (one row per withholding, CSV and HTML), the audit trail
(CSV and JSON, with redacted strings masked), and a manifest with the sha256 of every file.

The package is built in a temporary folder beside the target and renamed into place at the
end; an existing folder is never overwritten. The originals and the store are only read.
"""
from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pymupdf
import regex as re

from .apply import apply_proposals
from .codes import CodeSet, Policy, load_code_set
from .errors import BadInputError, RedactorError, VerificationError
from .load import open_pdf, read_page, sha256_of
from .models import ProposalSet
from .store import CaseProposalSet, CaseStore, DocumentRow
from .verify import MIN_GLOBAL_LEN, _normalise, _pattern, verify_pdf

try:
    __version__ = version("redactor")
except PackageNotFoundError:  # a bare checkout on sys.path
    __version__ = "unknown"

VAUGHN_COLUMNS = ["document", "page", "codes", "withheld", "extent", "justification", "reference"]
PLACEHOLDER_FONT = "helv"
MASK = "[withheld]"


@dataclass
class ReleasedDocument:
    name: str
    document_id: int
    source_sha256: str
    output: str  # relative to the package folder
    sha256: str
    page_count: int
    redactions: int
    withheld_pages: list[int]  # 1-based
    approved_by: str
    approved_at: str


@dataclass
class ReleaseReport:
    out_dir: Path | None
    released: list[ReleasedDocument] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (document, why)
    not_approved: list[tuple[str, str]] = field(default_factory=list)  # (document, status)
    vaughn_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed

    def __str__(self) -> str:
        parts = [f"{len(self.released)} document(s) released", f"{self.vaughn_rows} Vaughn index rows"]
        if self.failed:
            parts.append(f"{len(self.failed)} FAILED ({', '.join(n for n, _ in self.failed)})")
        if self.not_approved:
            parts.append(f"{len(self.not_approved)} not approved, not released")
        return ", ".join(parts)


# ---------------------------------------------------------------- withheld pages


def _placeholder_lines(number: int, count: int, codes: list[str], code_set: CodeSet) -> list[str]:
    return [f"Page {number + 1} of {count} withheld in full",
            f"Exemptions: {', '.join(code_set.get(c).printed for c in codes)}",
            *(f"{code_set.get(c).printed}  {code_set.get(c).title}" for c in codes)]


def _placeholder_page(doc: pymupdf.Document, number: int, codes: list[str], code_set: CodeSet) -> None:
    """Replace page `number` by a fresh page of the same size: the old page's content is
    not copied or covered but dropped (and garbage-collected when the file is saved)."""
    rect = doc[number].rect
    count = doc.page_count
    doc.delete_page(number)
    page = doc.new_page(pno=number, width=rect.width, height=rect.height)
    lines = _placeholder_lines(number, count, codes, code_set)
    y = rect.height / 2 - 14 * len(lines) / 2
    for i, line in enumerate(lines):
        size = 16 if i == 0 else 11
        width = pymupdf.get_text_length(line, fontname=PLACEHOLDER_FONT, fontsize=size)
        page.insert_text(((rect.width - width) / 2, y), line, fontname=PLACEHOLDER_FONT, fontsize=size)
        y += size * 1.8
    page.draw_rect(rect + (36, 36, -36, -36), color=(0, 0, 0), width=1)


def _check_withheld(path: Path, original: Path, withheld: dict[int, list[str]], code_set: CodeSet,
                    display: str) -> None:
    """Nothing of a withheld page survives: its placeholder carries only the placeholder
    text and no image, and no line found only on withheld pages of the original is
    extractable anywhere in the output or present in any of its streams."""
    leaks: list[str] = []
    with open_pdf(original) as src:
        source_pages = [read_page(i, p) for i, p in enumerate(src)]
    with open_pdf(path) as doc:
        placeholders = {n: _placeholder_lines(n, doc.page_count, codes, code_set) for n, codes in withheld.items()}
        # lines that may legitimately appear: those of released pages and of the placeholders
        public = " ".join([*(_normalise(p.text) for p in source_pages if p.number not in withheld),
                           *(line for lines in placeholders.values() for line in lines)])
        unique_lines = {_normalise(line) for n in withheld for line in source_pages[n].text.split("\n")}
        unique_lines = {s for s in unique_lines if len(s) >= MIN_GLOBAL_LEN and not _pattern(s).search(public)}
        pages = [read_page(i, p) for i, p in enumerate(doc)]
        for n, codes in withheld.items():
            allowed = set(" ".join(placeholders[n]).split())
            extra = [w.text for w in pages[n].words if w.text not in allowed]
            if extra:
                leaks.append(f"withheld page {n + 1} carries text not in its placeholder: {extra[:5]}")
            if doc[n].get_images():
                leaks.append(f"withheld page {n + 1} carries an image")
        text = [_normalise(p.text) for p in pages]
        raw = [doc.xref_stream(x) or b"" for x in range(1, doc.xref_length()) if doc.xref_is_stream(x)]
        for line in unique_lines:
            pat = _pattern(line)
            if any(pat.search(t) for t in text):
                leaks.append(f"text of a withheld page is still extractable: {line[:40]!r}")
            needles = [n for n in (line.encode("latin-1", "ignore"), line.encode("utf-16-be")) if len(n) >= 8]
            if any(n in data for data in raw for n in needles):
                leaks.append(f"text of a withheld page is in a PDF stream: {line[:40]!r}")
    if leaks:
        raise VerificationError(display, leaks)


def redact_for_release(store: CaseStore, row: DocumentRow, output: Path) -> tuple[CaseProposalSet, int]:
    """Apply the document's decisions into `output` (verified) and replace its withheld pages
    by placeholders (verified). Returns the proposal set used and the redaction box count."""
    ps = store.proposal_set(row.id)
    original = store.original_path(row.id)
    if not original.is_file() or sha256_of(original) != row.sha256:
        raise BadInputError(original, "the case's copy of the original is missing or changed "
                                      f"(expected sha256 {row.sha256[:12]}…)")
    withheld = ps.withheld_pages
    if not withheld:
        report = apply_proposals(original, ps, output)
        return ps, report.redactions
    code_set = load_code_set(ps.code_set)
    applied_tmp = output.with_name(output.stem + ".applied.pdf")
    report = apply_proposals(original, ps, applied_tmp)
    try:
        doc = pymupdf.open(applied_tmp)
        for number in sorted(withheld):
            _placeholder_page(doc, number, withheld[number], code_set)
        doc.save(output, garbage=4, deflate=True, clean=True)
        doc.close()
    finally:
        applied_tmp.unlink(missing_ok=True)
    # the redactions on the pages kept, and the pages withheld, each verified again
    kept = ProposalSet(**{**ps.model_dump(exclude={"withheld_pages"}), "proposals": [
        p for p in ps.proposals if p.page not in withheld or p.status == "rejected"]})
    verify_pdf(output, kept, display_name=row.original_name)
    _check_withheld(output, original, withheld, code_set, row.original_name)
    return ps, report.redactions


# ---------------------------------------------------------------- Vaughn index


def describe(entity: str, codes: list[str], code_set: CodeSet, policy: Policy) -> str:
    """What was withheld, without revealing it: the kind of information, never the text."""
    rule = policy.rules.get(entity)
    if rule and rule.get("what"):
        return rule["what"][0].upper() + rule["what"][1:]
    titles = ", ".join(code_set.get(c).title.lower() for c in codes)
    return f"Information identified by the reviewer as exempt ({titles})"


def justification(codes: list[str], code_set: CodeSet) -> str:
    return " ".join(f"{code_set.get(c).printed}: {' '.join(code_set.get(c).justification.split())}"
                    for c in codes)


def vaughn_rows(name: str, ps: CaseProposalSet, code_set: CodeSet, policy: Policy) -> list[dict]:
    rows = []
    for page, codes in sorted(ps.withheld_pages.items()):
        rows.append({"document": name, "page": page + 1, "codes": ", ".join(codes),
                     "withheld": "Entire page", "extent": "withheld in full",
                     "justification": justification(codes, code_set), "reference": f"page-{page + 1}"})
    for p in ps.proposals:
        if p.status == "rejected" or p.page in ps.withheld_pages:
            continue
        rows.append({"document": name, "page": p.page + 1, "codes": ", ".join(p.codes),
                     "withheld": describe(p.entity, p.codes, code_set, policy), "extent": "redacted in part",
                     "justification": justification(p.codes, code_set), "reference": p.id})
    return sorted(rows, key=lambda r: (r["page"], r["extent"] != "withheld in full"))


def _csv(rows: list[dict], columns: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def _html(case, rows: list[dict], released: list[ReleasedDocument], generated: str) -> str:
    e = html.escape
    docs = "".join(f"<tr><td>{e(d.name)}</td><td>{d.page_count}</td><td>{e(d.output)}</td>"
                   f"<td>{e(d.approved_by)}</td><td>{e(d.approved_at)}</td></tr>" for d in released)
    body = "".join("<tr>" + "".join(f"<td>{e(str(r[c]))}</td>" for c in VAUGHN_COLUMNS[:-1]) + "</tr>"
                   for r in rows)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vaughn index — {e(case.number)}</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse;width:100%;margin-bottom:2em}}
td,th{{border:1px solid #999;padding:4px 6px;vertical-align:top;text-align:left;font-size:0.9em}}
th{{background:#eee}}</style></head><body>
<h1>Redaction log (Vaughn index)</h1>
<p>Request {e(case.number)} · requester {e(case.requester)} · received {case.received} ·
code set {e(case.code_set)} · generated {e(generated)} by redactor {__version__}</p>
<h2>Documents released</h2>
<table><tr><th>document</th><th>pages</th><th>released file</th><th>approved by</th><th>approved at (UTC)</th></tr>
{docs}</table>
<h2>Withholdings ({len(rows)})</h2>
<table><tr>{''.join(f'<th>{c}</th>' for c in VAUGHN_COLUMNS[:-1])}</tr>
{body}</table>
</body></html>
"""


# ---------------------------------------------------------------- audit trail


def _masker(strings: set[str]):
    """Masks every redacted string (any length, whole words) in the audit text."""
    patterns = [_pattern(s) for s in sorted(strings, key=len, reverse=True) if s.strip()]

    def mask(text: str) -> str:
        for pat in patterns:
            text = pat.sub(MASK, text)
        return text
    return mask


def _withheld_strings(ps: CaseProposalSet) -> set[str]:
    """The texts this release withholds: applied proposals, and every proposal on a page withheld in full."""
    return {_normalise(p.text) for p in ps.proposals if p.status != "rejected" or p.page in ps.withheld_pages}


# ---------------------------------------------------------------- the package


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _unique_name(name: str, sha: str, taken: set[str]) -> str:
    stem = Path(name).stem
    candidate = f"{stem}.redacted.pdf"
    if candidate in taken:
        candidate = f"{stem}.{sha[:8]}.redacted.pdf"
    taken.add(candidate)
    return candidate


def release_case(store: CaseStore, out_dir: str | Path) -> ReleaseReport:
    out = Path(out_dir)
    if out.exists():
        raise BadInputError(out, "already exists; a release package is never overwritten, choose a new folder")
    case = store.case
    documents = store.documents()
    approved = [d for d in documents if d.status == "approved"]
    report = ReleaseReport(out_dir=None, not_approved=[(d.original_name, d.status) for d in documents
                                                       if d.status != "approved"])
    if not approved:
        raise BadInputError(store.case_dir, "no document is approved by counsel: nothing to release")
    code_set = load_code_set(case.code_set)
    policy = Policy.load()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        (staging / "documents").mkdir()
        rows: list[dict] = []
        secrets: set[str] = set()
        names: set[str] = set()
        for d in approved:
            target = staging / "documents" / _unique_name(d.original_name, d.sha256, names)
            try:
                ps, boxes = redact_for_release(store, d, target)
            except (RedactorError, ValueError, RuntimeError) as exc:
                target.unlink(missing_ok=True)
                report.failed.append((d.original_name, str(exc)))
                continue
            approval = next(a for a in reversed(store.approvals(d.id)) if a.action == "approve")
            at = approval.at.replace(tzinfo=timezone.utc) if approval.at.tzinfo is None else approval.at
            report.released.append(ReleasedDocument(
                d.original_name, d.id, d.sha256, str(target.relative_to(staging)), sha256_of(target),
                d.page_count, boxes, [p + 1 for p in sorted(ps.withheld_pages)], approval.user_name,
                at.strftime("%Y-%m-%d %H:%M:%S")))
            rows.extend(vaughn_rows(d.original_name, ps, code_set, policy))
            secrets |= _withheld_strings(ps)
        if not report.released:
            raise VerificationError(store.case_dir, [f"{n}: {why}" for n, why in report.failed])
        report.vaughn_rows = len(rows)
        generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        _write_paperwork(staging, store, case, rows, report, secrets, generated)
        if out.exists():
            raise BadInputError(out, "appeared while the release was being built; nothing was written there")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)  # mkdtemp's private 0700 would outlive the rename
        os.rename(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    report.out_dir = out
    return report


def _write_paperwork(staging: Path, store: CaseStore, case, rows: list[dict], report: ReleaseReport,
                     secrets: set[str], generated: str) -> None:
    released_ids = {d.document_id for d in report.released}
    mask = _masker(secrets)
    audit = [{"when": a.when.strftime("%Y-%m-%d %H:%M:%S"), "who": a.who, "role": a.role,
              "action": a.action, "document": a.document or "", "detail": mask(a.detail)}
             for a in store.audit() if a.document_id is None or a.document_id in released_ids]
    files = {
        "vaughn_index.csv": _csv(rows, VAUGHN_COLUMNS),
        "vaughn_index.html": _html(case, rows, report.released, generated),
        "audit_trail.csv": _csv(audit, ["when", "who", "role", "action", "document", "detail"]),
        "audit_trail.json": json.dumps(audit, indent=2, ensure_ascii=False) + "\n",
    }
    # the paperwork must not say what the PDFs withhold
    long_secrets = [s for s in secrets if len(s) >= MIN_GLOBAL_LEN]
    for name, text in files.items():
        leaked = [s for s in long_secrets if _pattern(s).search(_normalise(html.unescape(text)))]
        if leaked:
            raise VerificationError(name, [f"withheld text {s!r} appears in the {name}" for s in leaked[:5]])
        (staging / name).write_text(text, encoding="utf-8")
    hashes = {str(p.relative_to(staging)): sha256_of(p) for p in sorted(staging.rglob("*")) if p.is_file()}
    manifest = {
        "case": {"number": case.number, "requester": case.requester, "received": str(case.received),
                 "due": str(case.due), "code_set": case.code_set, "record_context": case.record_context},
        "generated": generated, "generator": f"redactor {__version__}",
        "documents": [asdict(d) for d in report.released],
        "failed": [{"document": n, "error": e} for n, e in report.failed],
        "not_released": [{"document": n, "status": s} for n, s in report.not_approved],
        "vaughn_rows": len(rows),
        "files": hashes,
    }
    manifest_text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (staging / "manifest.json").write_text(manifest_text, encoding="utf-8")
    hashes["manifest.json"] = _sha256_bytes(manifest_text.encode("utf-8"))
    # `sha256sum -c SHA256SUMS` inside the package checks every file
    (staging / "SHA256SUMS").write_text("".join(f"{h}  {p}\n" for p, h in sorted(hashes.items())), encoding="utf-8")
