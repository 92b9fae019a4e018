"""The `redactor` command line.

Exit status: 0 success; 1 verification failed (redacted content recoverable) or another
error; 2 bad input (the file is named with what is wrong, nothing is written).
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from . import codes as codes_mod
from .errors import RedactorError
from .proposals import read_proposals

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="FOIA redaction: propose redactions, apply them for real, verify nothing leaks.")
out = Console()
err = Console(stderr=True)

ContextOpt = typer.Option(None, "--context", help="Record context (law_enforcement, general, public); "
                          "default: inferred from the record, else the policy's default.")
PolicyOpt = typer.Option(None, "--policy", exists=True, dir_okay=False, help="Policy YAML (default: built-in).")
PasswordOpt = typer.Option(None, "--password", help="User password of an encrypted PDF.")
NoOcrOpt = typer.Option(False, "--no-ocr", help="Refuse image-only pages instead of OCR'ing them.")


def _fail(exc: Exception, code: int | None = None) -> None:
    err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(code if code is not None else getattr(exc, "exit_code", 1))


def _policy(path: Optional[Path]) -> codes_mod.Policy:
    return codes_mod.Policy.load(path)


@app.command()
def propose(file: Path = typer.Argument(..., help="PDF to analyse"),
            out_path: Path = typer.Option(..., "--out", "-o", help="Where to write the proposals JSON"),
            context: Optional[str] = ContextOpt, policy: Optional[Path] = PolicyOpt,
            password: Optional[str] = PasswordOpt, no_ocr: bool = NoOcrOpt) -> None:
    """Find what must be withheld and write redaction proposals (JSON)."""
    from .pipeline import propose as run, write_proposed
    try:
        result = run(file, context=context, policy=_policy(policy), password=password, ocr=not no_ocr)
        write_proposed(result, out_path)
    except (RedactorError, ValueError) as exc:
        _fail(exc, 2 if isinstance(exc, ValueError) else None)
    for w in result.warnings:
        err.print(f"[yellow]warning:[/yellow] {file}: {w}", highlight=False)
    ps = result.proposal_set
    out.print(f"{file}: {len(ps.proposals)} proposals ({ps.record_context}) -> {out_path}", highlight=False)


@app.command()
def apply(file: Path = typer.Argument(..., help="Original PDF (never modified)"),
          proposals: Path = typer.Argument(..., help="Proposals JSON from `redactor propose`"),
          out_path: Path = typer.Option(..., "--out", "-o", help="Redacted PDF to write"),
          password: Optional[str] = PasswordOpt) -> None:
    """Apply every proposal not rejected, sanitise, and verify before reporting success."""
    from .apply import apply_proposals
    try:
        report = apply_proposals(file, read_proposals(proposals), out_path, password=password)
    except RedactorError as exc:
        _fail(exc)
    _report_unlabeled(file, report.unlabeled)
    out.print(f"{file}: {report.redactions} redaction boxes on {report.pages} pages, verified "
              f"({report.verify.checked_strings} strings, {report.verify.checked_boxes} boxes) -> {out_path}",
              highlight=False)


@app.command()
def verify(file: Path = typer.Argument(..., help="Redacted PDF"),
           proposals: Path = typer.Argument(..., help="The proposals JSON it was redacted with"),
           password: Optional[str] = PasswordOpt) -> None:
    """Fail (exit 1) if any redacted string can still be recovered from FILE."""
    from .verify import verify_pdf
    try:
        report = verify_pdf(file, read_proposals(proposals), password=password)
    except RedactorError as exc:
        _fail(exc)
    out.print(f"{file}: verified, no redacted content recoverable "
              f"({report.checked_strings} strings, {report.checked_boxes} boxes checked)", highlight=False)


@app.command()
def redact(path: Path = typer.Argument(..., help="A PDF or a folder of PDFs (searched recursively)"),
           out_dir: Path = typer.Option(..., "--out", "-o", help="Folder for redacted PDFs and proposals"),
           context: Optional[str] = ContextOpt, policy: Optional[Path] = PolicyOpt,
           password: Optional[str] = PasswordOpt, no_ocr: bool = NoOcrOpt) -> None:
    """Propose, apply and verify in one go, for one file or a whole folder (a folder is one
    record set: what is withheld in one record is withheld in all)."""
    from .pipeline import finish, propose_record_set
    if path.is_dir():
        files, base = sorted(p for p in path.rglob("*") if p.suffix.lower() == ".pdf" and p.is_file()), path
        if not files:
            _fail(RedactorError(path, "no PDF files in this folder"), 2)
    else:
        files, base = [path], None
    pol = _policy(policy)
    table = Table("document", "pages", "proposals", "boxes", "result")
    worst = 0
    for f, proposed in propose_record_set(files, context=context, policy=pol, password=password,
                                          ocr=not no_ocr):
        try:
            if isinstance(proposed, RedactorError):
                raise proposed
            r = finish(f, proposed, out_dir, password=password, relative_to=base)
        except RedactorError as exc:
            err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            table.add_row(f.name, "-", "-", "-", f"[red]{exc.problem}[/red]")
            worst = max(worst, exc.exit_code)
            continue
        for w in r.proposed.warnings:
            err.print(f"[yellow]warning:[/yellow] {f}: {w}", highlight=False, soft_wrap=True)
        _report_unlabeled(f, r.applied.unlabeled)
        table.add_row(f.name, str(r.applied.page_count),
                      str(len(r.proposed.proposal_set.proposals)), str(r.applied.redactions), "verified")
    out.print(table)
    out.print(f"Redacted PDFs (*.redacted.pdf) and proposals (*.proposals.json) are in {out_dir}/",
              highlight=False, soft_wrap=True)
    if worst:
        raise typer.Exit(worst)


@app.command("codes")
def list_codes(code_set: Optional[str] = typer.Argument(None, help="A code set to list (default: all sets)")) -> None:
    """List the exemption code sets, or the codes of one set."""
    names = [code_set] if code_set else codes_mod.list_code_sets()
    for name in names:
        try:
            cs = codes_mod.load_code_set(name)
        except FileNotFoundError as exc:
            _fail(exc, 2)
        table = Table("code", "title", "warning", title=f"{cs.id}: {cs.title} ({cs.statute})")
        for c in cs.codes.values():
            table.add_row(c.printed, c.title, (c.warning or "").split(". ")[0])
        out.print(table)


def _report_unlabeled(file: Path, ids: list[str]) -> None:
    if ids:
        err.print(f"[yellow]warning:[/yellow] {file}: boxes too small to print their codes: {', '.join(ids)}",
                  highlight=False, soft_wrap=True)


@app.command()
def check(files: list[Path] = typer.Argument(..., help="PDF files to inspect (any PDF, from anywhere)"),
          as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON"),
          password: Optional[str] = PasswordOpt) -> None:
    """Look for bad redactions (text under dark boxes, unapplied redactions) and hidden content;
    exit 1 if anything is found, 0 if clean, 2 on bad input."""
    import json

    from .check import check_pdf
    worst, reports = 0, []
    for f in files:
        try:
            report = check_pdf(f, password=password)
        except RedactorError as exc:
            err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            worst = max(worst, exc.exit_code)
            continue
        reports.append(report.as_dict())
        worst = max(worst, 0 if report.clean else 1)
        if as_json:
            continue
        for note in report.notes:
            err.print(f"[yellow]warning:[/yellow] {f}: {note}", highlight=False, soft_wrap=True)
        if report.clean:
            out.print(f"{f}: clean ({report.pages} pages): no text under boxes, no hidden content", highlight=False)
            continue
        table = Table(title=f"{f}: {len(report.findings)} finding(s)")
        table.add_column("page", no_wrap=True)
        table.add_column("finding", no_wrap=True)
        table.add_column("box")
        table.add_column("text / detail", overflow="fold")
        for x in report.findings:
            table.add_row(str(x.page or "-"), x.kind, ", ".join(f"{v:g}" for v in x.box) if x.box else "-", x.detail)
        out.print(table)
    if as_json:
        print(json.dumps(reports[0] if len(files) == 1 and reports else reports, indent=2))
    raise typer.Exit(worst)


@app.command()
def batch(in_dir: Path = typer.Argument(..., help="Folder of PDFs (searched recursively)"),
          out_dir: Path = typer.Option(..., "--out", "-o", help="Output folder (mirrors the input tree)"),
          apply_: bool = typer.Option(False, "--apply", help="Also apply and verify: NAME.redacted.pdf"),
          workers: Optional[int] = typer.Option(None, "--workers", "-j", min=1,
                                                help="Worker processes (default: number of cores)"),
          timeout: Optional[float] = typer.Option(None, "--timeout", min=0.1,
                                                  help="Seconds allowed per document; past it the document fails"),
          engine: str = typer.Option("pool", "--engine", help="pool (local processes) or dask"),
          scheduler: Optional[str] = typer.Option(None, "--scheduler",
                                                  help="Dask scheduler address (default: a local cluster)"),
          report: Optional[Path] = typer.Option(None, "--report", help="JSON report (default: OUT_DIR/batch-report.json)"),
          context: Optional[str] = ContextOpt, policy: Optional[Path] = PolicyOpt) -> None:
    """Propose (and with --apply, redact) a whole record set: parallel, resumable, failures isolated."""
    from . import batch as batch_mod
    if engine not in ("pool", "dask"):
        _fail(RedactorError("--engine", f"unknown engine {engine!r} (pool or dask)"), 2)
    report_path = report or out_dir / batch_mod.REPORT_NAME
    try:
        batch_mod.check_folders(in_dir, out_dir)
        with batch_mod.ProgressDisplay(err) as progress:
            result = batch_mod.run_batch(in_dir, out_dir, workers=workers, engine=engine, scheduler=scheduler,
                                         timeout=timeout, context=context, policy=policy, apply=apply_,
                                         on_outcome=progress.advance, on_total=progress.total)
    except RedactorError as exc:
        _fail(exc)
    batch_mod.write_report(result, report_path)
    batch_mod.print_summary(result, out, report_path)
    raise typer.Exit(result.exit_code)


# Issue 5: `redactor case …`, `redactor review CASE`, `redactor release CASE` (redactor/case_cli.py).
from .case_cli import register as _register_case_commands  # noqa: E402

_register_case_commands(app)


if __name__ == "__main__":
    app()
