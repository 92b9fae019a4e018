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


def _fail(exc: Exception, code: int | None = None) -> None:
    err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(code if code is not None else getattr(exc, "exit_code", 1))


def _policy(path: Optional[Path]) -> codes_mod.Policy:
    return codes_mod.Policy.load(path)


@app.command()
def propose(file: Path = typer.Argument(..., help="PDF to analyse"),
            out_path: Path = typer.Option(..., "--out", "-o", help="Where to write the proposals JSON"),
            context: Optional[str] = ContextOpt, policy: Optional[Path] = PolicyOpt,
            password: Optional[str] = PasswordOpt) -> None:
    """Find what must be withheld and write redaction proposals (JSON)."""
    from .pipeline import propose as run, write_proposed
    try:
        result = run(file, context=context, policy=_policy(policy), password=password)
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
           password: Optional[str] = PasswordOpt) -> None:
    """Propose, apply and verify in one go, for one file or a whole folder."""
    from .pipeline import redact as run
    if path.is_dir():
        files, base = sorted(p for p in path.rglob("*") if p.suffix.lower() == ".pdf" and p.is_file()), path
        if not files:
            _fail(RedactorError(path, "no PDF files in this folder"), 2)
    else:
        files, base = [path], None
    pol = _policy(policy)
    table = Table("document", "pages", "proposals", "boxes", "result")
    worst = 0
    for f in files:
        try:
            r = run(f, out_dir, context=context, policy=pol, password=password, relative_to=base)
        except RedactorError as exc:
            err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            table.add_row(f.name, "-", "-", "-", f"[red]{exc.problem}[/red]")
            worst = max(worst, exc.exit_code)
            continue
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
                  highlight=False)


# Issue 5: `redactor case …`, `redactor review CASE`, `redactor release CASE` (redactor/case_cli.py).
from .case_cli import register as _register_case_commands  # noqa: E402

_register_case_commands(app)


if __name__ == "__main__":
    app()
