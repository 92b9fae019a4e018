"""`redactor case …`, `redactor review CASE` and `redactor release CASE`: a FOIA request as a
case folder with its store, from the command line (for scripting, and what the reviewer runs on).

Who acts is `--as NAME` (default: $REDACTOR_USER, else the login name); decisions are made
as disclosure staff, approvals and returns as counsel. The database is the case folder's
SQLite file unless `--db URL` (or $REDACTOR_DB_URL) names a shared one.
"""
from __future__ import annotations

import getpass
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.table import Table

from .errors import RedactorError
from .store import CaseStore, ConflictError, DocumentRow, StoreError, User

case_app = typer.Typer(add_completion=False, no_args_is_help=True,
                       help="A FOIA request as a case: add records, review, approve (see also `review`, `release`).")
out = Console()
err = Console(stderr=True)

CaseArg = typer.Argument(..., help="The case folder")
DocArg = typer.Argument(..., help="Document: its number in `case status`, its file name, or a sha256 prefix")
DbOpt = typer.Option(None, "--db", envvar="REDACTOR_DB_URL",
                     help="SQLAlchemy URL of a shared database (default: the case folder's case.db)")
AsOpt = typer.Option(None, "--as", envvar="REDACTOR_USER", help="Your name, for the audit trail (default: login name)")
CodesOpt = typer.Option(None, "--codes", "-c", help="Exemption code (repeat for several), e.g. -c '(b)(6)'")
ReasonOpt = typer.Option("", "--reason", "-r", help="Why (kept in the audit trail)")


def _fail(exc: Exception) -> None:
    err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
    if isinstance(exc, RedactorError):
        raise typer.Exit(exc.exit_code)
    raise typer.Exit(2 if isinstance(exc, StoreError) and not isinstance(exc, ConflictError) else 1)


def _user(name: Optional[str], role: str = "staff") -> User:
    return User((name or getpass.getuser() or "unknown").strip(), role)


def _open(case_dir: Path, db: Optional[str]) -> CaseStore:
    try:
        return CaseStore.open(case_dir, db)
    except (RedactorError, StoreError) as exc:
        _fail(exc)
    except Exception as exc:  # an unreachable or broken database: one line, not a traceback
        _fail(RedactorError(case_dir, f"cannot open the case database ({exc.__class__.__name__}: {exc})"))


def _document(store: CaseStore, ref: str) -> DocumentRow:
    docs = store.documents()
    matches = ([d for d in docs if str(d.id) == ref] or [d for d in docs if d.original_name == ref]
               or [d for d in docs if len(ref) >= 6 and d.sha256.startswith(ref.lower())])
    if len(matches) != 1:
        known = ", ".join(f"{d.id}={d.original_name}" for d in docs) or "none"
        _fail(StoreError(f"{'no' if not matches else 'more than one'} document {ref!r} in case "
                         f"{store.case.number} (documents: {known})"))
    return matches[0]


def _run(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except (RedactorError, StoreError, PermissionError) as exc:
        _fail(exc)


# ---------------------------------------------------------------- case new / add / status


@case_app.command("new")
def new(case_dir: Path = typer.Argument(..., help="The case folder to create"),
        number: str = typer.Option(..., "--number", "-n", help="The request's tracking number"),
        requester: str = typer.Option(..., "--requester", help="Who asked"),
        received: Optional[str] = typer.Option(None, "--received", help="Date received, YYYY-MM-DD (default: today)"),
        context: Optional[str] = typer.Option(None, "--context", help="Record context (law_enforcement, general, "
                                              "public); default: inferred per document"),
        code_set: str = typer.Option("foia", "--code-set", help="Exemption code set"),
        db: Optional[str] = DbOpt, who: Optional[str] = AsOpt) -> None:
    """Create a case folder (and its database) for one FOIA request."""
    try:
        day = date.fromisoformat(received) if received else date.today()
    except ValueError:
        _fail(RedactorError(case_dir, f"--received {received!r} is not a date (YYYY-MM-DD)"))
    try:
        store = CaseStore.create(case_dir, number, requester, day, context, code_set, db, _user(who))
    except (RedactorError, StoreError) as exc:
        _fail(exc)
    except Exception as exc:
        _fail(RedactorError(case_dir, f"cannot create the case database ({exc.__class__.__name__}: {exc})"))
    case = store.case
    store.close()
    out.print(f"Case {case.number} created in {case_dir} (received {case.received}, due {case.due}, "
              f"{'database ' + ('case.db' if db is None else 'shared')}). Next: redactor case add {case_dir} FILES",
              highlight=False, soft_wrap=True)


def _pdfs(paths: List[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() == ".pdf"))
        else:
            files.append(p)  # a missing or non-PDF file is reported by add_documents
    return files


@case_app.command("add")
def add(case_dir: Path = CaseArg,
        paths: List[Path] = typer.Argument(..., help="PDF files or folders (searched recursively for *.pdf)"),
        db: Optional[str] = DbOpt, who: Optional[str] = AsOpt) -> None:
    """Add records to the case: copy each original, propose redactions, store them.
    A bad file is reported and the others go on (exit 2 if any failed)."""
    store = _open(case_dir, db)
    files = _pdfs(paths)
    if not files:
        _fail(RedactorError(", ".join(map(str, paths)), "no PDF files found"))
    with err.status("") as status:
        results = store.add_documents(files, _user(who),
                                      progress=lambda p: status.update(f"proposing redactions for {p.name} …"))
    table = Table("file", "pages", "proposals", "result")
    for r in results:
        if r.status == "failed":
            err.print(f"[red]error:[/red] {r.error}", highlight=False, soft_wrap=True)
        for w in r.warnings:
            err.print(f"[yellow]warning:[/yellow] {r.path}: {w}", highlight=False, soft_wrap=True)
        result = {"added": "added", "duplicate": "already in the case", "failed": f"[red]{r.error}[/red]"}[r.status]
        table.add_row(str(r.path), str(r.page_count or "-"), str(r.proposals if r.status == "added" else "-"), result)
    out.print(table)
    added = sum(r.status == "added" for r in results)
    failed = sum(r.status == "failed" for r in results)
    out.print(f"{added} added, {len(results) - added - failed} already in the case, {failed} failed. "
              f"Review with: redactor review {case_dir}", highlight=False, soft_wrap=True)
    store.close()
    if failed:
        raise typer.Exit(2)


@case_app.command("status")
def status(case_dir: Path = CaseArg, db: Optional[str] = DbOpt) -> None:
    """The case, and each document's review progress and status."""
    store = _open(case_dir, db)
    case = store.case
    docs = store.documents()
    out.print(f"Case {case.number} · requester {case.requester} · received {case.received} · due {case.due} · "
              f"context {case.record_context or 'inferred per document'} · code set {case.code_set}",
              highlight=False, soft_wrap=True)
    table = Table("#", "document", "pages", "reviewed", "withheld pages", "status", "counsel's comment")
    for d in docs:
        table.add_row(str(d.id), d.original_name, str(d.page_count), f"{d.reviewed}/{d.total}",
                      ", ".join(str(p + 1) for p in d.withheld_pages) or "-", d.status, d.last_comment)
    out.print(table)
    reviewed, total = sum(d.reviewed for d in docs), sum(d.total for d in docs)
    approved = sum(d.status == "approved" for d in docs)
    out.print(f"{len(docs)} documents, {reviewed}/{total} proposals reviewed, {approved} approved", highlight=False)
    store.close()


@case_app.command("proposals")
def proposals(case_dir: Path = CaseArg, document: str = DocArg,
              page: Optional[int] = typer.Option(None, "--page", "-p", help="Only this page (1-based)"),
              db: Optional[str] = DbOpt) -> None:
    """List a document's proposals with their keys (for `case decide`)."""
    store = _open(case_dir, db)
    doc = _document(store, document)
    table = Table("key", "page", "status", "codes", "kind", "text", "decided by", title=doc.original_name)
    for p in store.proposals(doc.id):
        if page is None or p.page == page - 1:
            table.add_row(p.key, str(p.page + 1), p.status, ", ".join(p.codes), p.entity,
                          " ".join(p.text.split()), p.decided_by or "")
    out.print(table)
    store.close()


# ---------------------------------------------------------------- review decisions


@case_app.command("decide")
def decide(case_dir: Path = CaseArg, document: str = DocArg,
           action: str = typer.Argument(..., help="accept, reject or recode"),
           keys: Optional[List[str]] = typer.Argument(None, help="Proposal keys (p-0001 …); none with --all"),
           all_undecided: bool = typer.Option(False, "--all", help="Every undecided proposal of the document"),
           entity: Optional[str] = typer.Option(None, "--kind", help="With --all: only this kind (PERSON, …)"),
           codes: Optional[List[str]] = CodesOpt, reason: str = ReasonOpt,
           db: Optional[str] = DbOpt, who: Optional[str] = AsOpt) -> None:
    """Accept, reject or re-code proposals, as disclosure staff."""
    store = _open(case_dir, db)
    doc = _document(store, document)
    views = store.proposals(doc.id)
    if all_undecided:
        chosen = [p for p in views if p.status == "proposed" and (entity is None or p.entity == entity)]
    else:
        by_key = {p.key: p for p in views}
        missing = [k for k in keys or [] if k not in by_key]
        if missing or not keys:
            _fail(StoreError(f"name proposals by key (see `redactor case proposals`) or use --all; "
                             f"unknown: {', '.join(missing) or 'none given'}"))
        chosen = [by_key[k] for k in keys]
    if not chosen:
        out.print("Nothing to decide.")
        return
    n = _run(store.decide_many, [p.id for p in chosen], action, _user(who), reason=reason, codes=codes,
             expected_versions={p.id: p.version for p in chosen})
    out.print(f"{doc.original_name}: {action} {n} proposal(s)", highlight=False)
    store.close()


@case_app.command("search")
def search(case_dir: Path = CaseArg, pattern: str = typer.Argument(..., help="Text (whole words, any case) or --regex"),
           codes: List[str] = typer.Option(..., "--codes", "-c", help="Exemption code (repeat for several)"),
           regex: bool = typer.Option(False, "--regex", help="PATTERN is a regular expression"),
           document: Optional[str] = typer.Option(None, "--doc", help="Only this document (default: the whole case)"),
           reason: str = ReasonOpt, db: Optional[str] = DbOpt, who: Optional[str] = AsOpt) -> None:
    """Redact every occurrence of a text or pattern in the case (consistency)."""
    store = _open(case_dir, db)
    doc_id = _document(store, document).id if document else None
    n = _run(store.add_by_search, pattern, regex=regex, codes=codes, user=_user(who),
             scope="document" if doc_id else "case", document_id=doc_id, reason=reason)
    out.print(f"{n} redaction(s) added", highlight=False)
    store.close()


@case_app.command("withhold")
def withhold(case_dir: Path = CaseArg, document: str = DocArg,
             page: int = typer.Argument(..., help="Page number (1-based)"),
             codes: List[str] = typer.Option(..., "--codes", "-c", help="Exemption code (repeat for several)"),
             reason: str = ReasonOpt, db: Optional[str] = DbOpt, who: Optional[str] = AsOpt) -> None:
    """Withhold a page in full (released as a placeholder naming the exemptions)."""
    store = _open(case_dir, db)
    doc = _document(store, document)
    _run(store.withhold_page, doc.id, page - 1, codes, _user(who), reason)
    out.print(f"{doc.original_name}: page {page} withheld in full ({', '.join(codes)})", highlight=False)
    store.close()


@case_app.command("undo")
def undo(case_dir: Path = CaseArg, document: str = DocArg, db: Optional[str] = DbOpt,
         who: Optional[str] = AsOpt) -> None:
    """Undo your last action on a document (recorded as a new decision)."""
    store = _open(case_dir, db)
    doc = _document(store, document)
    n = _run(store.undo, doc.id, _user(who))
    out.print(f"{doc.original_name}: {n} decision(s) undone", highlight=False)
    store.close()


@case_app.command("approve")
def approve(case_dir: Path = CaseArg, document: str = DocArg,
            comment: str = typer.Option("", "--comment", help="Counsel's comment"),
            db: Optional[str] = DbOpt, who: Optional[str] = AsOpt) -> None:
    """Approve a fully reviewed document's exemptions, as counsel: it may be released."""
    store = _open(case_dir, db)
    doc = _document(store, document)
    _run(store.approve, doc.id, _user(who, "counsel"), comment)
    out.print(f"{doc.original_name}: approved by {_user(who).name}", highlight=False)
    store.close()


@case_app.command("return")
def return_document(case_dir: Path = CaseArg, document: str = DocArg,
                    comment: str = typer.Option(..., "--comment", help="What the reviewers should change"),
                    db: Optional[str] = DbOpt, who: Optional[str] = AsOpt) -> None:
    """Return a document to the reviewers with a comment, as counsel."""
    store = _open(case_dir, db)
    doc = _document(store, document)
    _run(store.return_document, doc.id, _user(who, "counsel"), comment)
    out.print(f"{doc.original_name}: returned to the reviewers", highlight=False)
    store.close()


@case_app.command("audit")
def audit(case_dir: Path = CaseArg, document: Optional[str] = typer.Argument(None, help="Only this document"),
          db: Optional[str] = DbOpt) -> None:
    """The audit trail: who did what, when and why."""
    store = _open(case_dir, db)
    doc_id = _document(store, document).id if document else None
    table = Table("when (UTC)", "who", "role", "action", "document", "detail")
    for a in store.audit(doc_id):
        table.add_row(f"{a.when:%Y-%m-%d %H:%M:%S}", a.who, a.role, a.action, a.document or "", a.detail)
    out.print(table)
    store.close()


# ---------------------------------------------------------------- review and release (top-level commands)


def review(ctx: typer.Context, case_dir: Path = CaseArg, db: Optional[str] = DbOpt) -> None:
    """Start the reviewer (Streamlit) on a case; extra options go to `streamlit run`
    (e.g. --server.port 8600)."""
    store = _open(case_dir, db)  # refuse a bad case here, with one line, before starting a server
    store.close()
    app_py = Path(__file__).resolve().parent.parent / "app.py"
    if not app_py.is_file():
        _fail(RedactorError(app_py, "the reviewer app.py was not found (run from a checkout of redactor)"))
    env = {**os.environ, "REDACTOR_CASE": str(case_dir.resolve()), "REDACTOR_DB_URL": db or ""}
    cmd = [sys.executable, "-m", "streamlit", "run", str(app_py), "--server.headless", "true",
           "--browser.gatherUsageStats", "false", *ctx.args]
    try:
        raise typer.Exit(subprocess.run(cmd, env=env).returncode)
    except KeyboardInterrupt:
        raise typer.Exit(0)


def release(case_dir: Path = CaseArg,
            out_dir: Path = typer.Option(..., "--out", "-o", help="The package folder to create (must not exist)"),
            db: Optional[str] = DbOpt) -> None:
    """Write the release package of the approved documents: redacted PDFs (verified),
    Vaughn index, audit trail, manifest. Exit 1 if any document failed verification."""
    from .release import release_case

    store = _open(case_dir, db)
    with err.status("redacting and verifying the approved documents …"):
        try:
            report = release_case(store, out_dir)
        except RedactorError as exc:
            _fail(exc)
    table = Table("document", "pages", "boxes", "withheld pages", "result")
    for d in report.released:
        table.add_row(d.name, str(d.page_count), str(d.redactions),
                      ", ".join(map(str, d.withheld_pages)) or "-", f"released → {d.output}")
    for name, why in report.failed:
        err.print(f"[red]error:[/red] {why}", highlight=False, soft_wrap=True)
        table.add_row(name, "-", "-", "-", "[red]NOT released: verification or input failed[/red]")
    for name, st in report.not_approved:
        table.add_row(name, "-", "-", "-", f"not released ({st}, not approved by counsel)")
    out.print(table)
    out.print(f"Release package in {report.out_dir}/: {report}. Check it with: "
              f"cd {report.out_dir} && sha256sum -c SHA256SUMS", highlight=False, soft_wrap=True)
    store.close()
    if report.failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `case`, `review` and `release` to the main `redactor` app."""
    app.add_typer(case_app, name="case")
    app.command("review", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(review)
    app.command("release")(release)
