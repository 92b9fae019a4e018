"""The case store: a FOIA request's documents, proposals, review decisions, counsel's
approvals and an append-only audit trail, in a real database.

SQLite in the case folder by default (`CASE_DIR/case.db`, nothing to start); any SQLAlchemy
URL (PostgreSQL) for a shared deployment, where one database holds many cases and the
files stay in each case folder. The schema is created and upgraded by the Alembic
migrations in `redactor/migrations/`, applied when a store is opened.

Every change is committed at once (a review survives a restart or a crash), and two
reviewers never overwrite each other: each proposal and page carries a version, a change
made from a stale version raises ConflictError, and writers to one document are serialised
(row lock on PostgreSQL, `BEGIN IMMEDIATE` on SQLite). Decisions, approvals and the audit
log are append-only, enforced here and by database triggers; an undo appends the inverse.
"""
from __future__ import annotations

import getpass
import json
import shutil
import threading
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Literal

import regex as re
from sqlalchemy import (JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text,
                        UniqueConstraint, create_engine, event, select)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from .codes import Policy, boxes_for_span, load_code_set, union
from .errors import BadInputError, RedactorError
from .fileio import atomic_target, write_text_atomic
from .models import Proposal, ProposalSet

CASE_FILE = "case.json"
DB_FILE = "case.db"
MIGRATIONS = Path(__file__).parent / "migrations"
# FOIA's time limit: 20 working days from receipt (5 U.S.C. § 552(a)(6)(A)(i)).
RESPONSE_WORKING_DAYS = 20

Role = Literal["staff", "counsel"]
ROLES = ("staff", "counsel")
PROPOSAL_ACTIONS = ("accept", "reject", "recode")


# ---------------------------------------------------------------- errors and values


class StoreError(ValueError):
    """A refused store operation (one clear line: what and why)."""


class ConflictError(StoreError):
    """Someone else changed the record since the caller read it; nothing was saved."""


class AppendOnlyError(StoreError):
    """Decisions, approvals and the audit trail are never updated or deleted."""


@dataclass(frozen=True)
class User:
    name: str
    role: Role = "staff"

    def __post_init__(self) -> None:
        if not self.name or not self.name.strip():
            raise ValueError("a user needs a name")
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r} (known: {', '.join(ROLES)})")


def default_user() -> User:
    """Whoever runs the command, as staff (the CLI's --as overrides it)."""
    return User(getpass.getuser() or "unknown", "staff")


def now() -> datetime:
    return datetime.now(timezone.utc)


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time stored here is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def due_date(received: date, working_days: int = RESPONSE_WORKING_DAYS) -> date:
    """Receipt plus the statutory working days (weekends skipped; federal holidays are not)."""
    day = received
    while working_days:
        day += timedelta(days=1)
        working_days -= day.weekday() < 5
    return day


# ---------------------------------------------------------------- ORM models


class Base(DeclarativeBase):
    type_annotation_map = {dict: JSON, list: JSON, datetime: DateTime(timezone=True)}


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    number: Mapped[str] = mapped_column(String(100), unique=True)
    requester: Mapped[str] = mapped_column(String(300))
    received: Mapped[date] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date)
    record_context: Mapped[str | None] = mapped_column(String(50))  # None: inferred per document
    code_set: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))


class DocumentRecord(Base):
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("case_id", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(500))
    original_path: Mapped[str] = mapped_column(Text)  # where it was added from (never touched)
    page_count: Mapped[int]
    record_context: Mapped[str | None] = mapped_column(String(50))
    approval: Mapped[str | None] = mapped_column(String(20))  # None | approved | returned
    added_at: Mapped[datetime]
    added_by: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class ProposalRecord(Base):
    __tablename__ = "proposals"
    __table_args__ = (UniqueConstraint("document_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    key: Mapped[str] = mapped_column(String(20))  # p-0001 (detected) or m-0001 (added by hand)
    page: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    boxes: Mapped[list]
    codes: Mapped[list]
    entity: Mapped[str] = mapped_column(String(50))
    recognizer: Mapped[str | None] = mapped_column(String(100))
    score: Mapped[float] = mapped_column(Float)
    rationale: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10))  # auto | manual
    status: Mapped[str] = mapped_column(String(10), default="proposed")  # proposed | accepted | rejected
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)  # a manual addition undone
    start: Mapped[int | None]
    end: Mapped[int | None]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class PageWithholding(Base):
    __tablename__ = "withheld_pages"
    __table_args__ = (UniqueConstraint("document_id", "page"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    page: Mapped[int]
    codes: Mapped[list]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class Decision(Base):
    """One reviewer action (append-only). `before`/`after` are the states it moved between,
    so an undo can append the inverse and refuse if someone changed the record since."""
    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    page: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(20))  # accept reject recode add withhold_page release_page undo
    user_name: Mapped[str] = mapped_column(String(200))
    user_role: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="")
    codes: Mapped[list | None]
    before: Mapped[dict | None]
    after: Mapped[dict | None]
    batch: Mapped[str] = mapped_column(String(36), index=True)  # one user action (bulk, search) = one batch
    undoes_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))


class Approval(Base):
    __tablename__ = "approvals"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    action: Mapped[str] = mapped_column(String(10))  # approve | return
    user_name: Mapped[str] = mapped_column(String(200))
    user_role: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]
    comment: Mapped[str] = mapped_column(Text, default="")


class AuditLog(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    at: Mapped[datetime]
    who: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")


APPEND_ONLY = (Decision, Approval, AuditLog)
APPEND_ONLY_TABLES = tuple(m.__tablename__ for m in APPEND_ONLY)


@event.listens_for(Session, "before_flush")
def _refuse_rewriting_history(session: Session, flush_context, instances) -> None:
    for obj in [*session.dirty, *session.deleted]:
        if isinstance(obj, APPEND_ONLY) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError(f"{obj.__tablename__} is append-only: rows are never changed or deleted")


# ---------------------------------------------------------------- what callers see


@dataclass
class DocumentRow:
    id: int
    sha256: str
    original_name: str
    original_path: str
    page_count: int
    status: str  # proposed | in_review | reviewed | returned | approved
    reviewed: int
    total: int
    record_context: str | None
    added_at: datetime
    added_by: str
    version: int
    withheld_pages: dict[int, list[str]] = field(default_factory=dict)
    last_comment: str = ""  # counsel's latest approve/return comment


@dataclass
class ProposalView:
    id: int
    document_id: int
    key: str
    page: int
    text: str
    boxes: list[list[float]]
    bbox: list[float]
    codes: list[str]
    entity: str
    recognizer: str | None
    score: float
    rationale: str
    source: str
    status: str
    version: int
    start: int | None = None
    end: int | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None


@dataclass
class AuditEntry:
    id: int
    when: datetime
    who: str
    role: str
    action: str
    detail: str
    document_id: int | None = None
    document: str | None = None


@dataclass
class AddResult:
    path: Path
    status: Literal["added", "duplicate", "failed"]
    document_id: int | None = None
    sha256: str | None = None
    page_count: int = 0
    proposals: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """The file is in the case (added now, or already there)."""
        return self.status != "failed"


class CaseProposalSet(ProposalSet):
    """The proposals JSON contract with the current decisions, plus the pages withheld in
    full (page -> codes): `apply_proposals` reads the contract fields, the release the rest."""
    withheld_pages: dict[int, list[str]] = {}


# ---------------------------------------------------------------- engine


def sqlite_url(case_dir: Path) -> str:
    return f"sqlite:///{(case_dir / DB_FILE).resolve()}"


def make_engine(url: str) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn, _record) -> None:
            dbapi_conn.isolation_level = None  # transactions begun below, not by the driver
            dbapi_conn.execute("PRAGMA foreign_keys = ON")

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:
            # a writer takes the write lock up front, so what it read stays true until it commits
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("writer") else "BEGIN")
        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        conn.commit()


def _read_case_file(case_dir: Path) -> dict:
    path = case_dir / CASE_FILE
    if not case_dir.is_dir():
        raise BadInputError(case_dir, "case folder not found")
    if not path.is_file():
        raise BadInputError(case_dir, f"not a case folder (no {CASE_FILE}); create one with `redactor case new`")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadInputError(path, f"broken case file ({exc})") from None


# ---------------------------------------------------------------- the service


class CaseStore:
    """One case: its folder (originals, proposals) and its rows in the database."""

    def __init__(self, case_dir: Path, engine: Engine, case_id: int):
        self.case_dir = Path(case_dir)
        self.engine = engine
        self.case_id = case_id
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(engine.execution_options(writer=True), expire_on_commit=False)
        self._pages_lock = threading.Lock()
        self._pages_cache: dict[str, list] = {}

    # ------------------------------------------------------------ open / create

    @classmethod
    def create(cls, case_dir: Path, number: str, requester: str, received: date,
               record_context: str | None = None, code_set: str = "foia", url: str | None = None,
               user: User | None = None) -> "CaseStore":
        case_dir = Path(case_dir)
        if (case_dir / CASE_FILE).exists():
            raise BadInputError(case_dir, "is already a case folder")
        if case_dir.exists() and not case_dir.is_dir():
            raise BadInputError(case_dir, "exists and is not a folder")
        if not number.strip() or not requester.strip():
            raise BadInputError(case_dir, "a case needs a request number and a requester")
        try:
            load_code_set(code_set)
        except FileNotFoundError as exc:
            raise BadInputError(case_dir, str(exc)) from None
        contexts = Policy.load().contexts
        if record_context is not None and record_context not in contexts:
            raise BadInputError(case_dir, f"unknown record context {record_context!r} "
                                          f"(known: {', '.join(contexts)})")
        user = user or default_user()
        case_dir.mkdir(parents=True, exist_ok=True)
        for sub in ("originals", "proposals"):
            (case_dir / sub).mkdir(exist_ok=True)
        engine = make_engine(url or sqlite_url(case_dir))
        migrate(engine)
        uid = str(uuid.uuid4())
        with sessionmaker(engine.execution_options(writer=True))() as s, s.begin():
            if s.scalar(select(Case.id).where(Case.number == number)) is not None:
                engine.dispose()
                raise BadInputError(case_dir, f"case number {number!r} already exists in this database")
            case = Case(uid=uid, number=number, requester=requester, received=received,
                        due=due_date(received), record_context=record_context, code_set=code_set,
                        status="open", created_at=now(), created_by=user.name)
            s.add(case)
            s.flush()
            s.add(AuditLog(case_id=case.id, at=now(), who=user.name, role=user.role, action="case_created",
                           detail=f"case {number} for {requester}, received {received}, "
                                  f"context {record_context or 'inferred per document'}, code set {code_set}"))
            case_id = case.id
        write_text_atomic(case_dir / CASE_FILE, json.dumps(
            {"uid": uid, "number": number, "database": DB_FILE if url is None else "external"}, indent=2) + "\n")
        return cls(case_dir, engine, case_id)

    @classmethod
    def open(cls, case_dir: Path, url: str | None = None) -> "CaseStore":
        case_dir = Path(case_dir)
        info = _read_case_file(case_dir)
        if not url:
            if info.get("database", DB_FILE) != DB_FILE:
                raise BadInputError(case_dir, "this case lives in a shared database: pass --db URL "
                                              "or set REDACTOR_DB_URL")
            if not (case_dir / DB_FILE).is_file():
                raise BadInputError(case_dir, f"{DB_FILE} is missing from the case folder")
            url = sqlite_url(case_dir)
        engine = make_engine(url)
        try:
            migrate(engine)
            with Session(engine) as s:
                case_id = s.scalar(select(Case.id).where(Case.uid == info.get("uid")))
        except Exception:
            engine.dispose()
            raise
        if case_id is None:
            engine.dispose()
            raise BadInputError(case_dir, f"case {info.get('number')!r} is not in the database "
                                          f"{make_url(url).render_as_string(hide_password=True)}")
        return cls(case_dir, engine, case_id)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "CaseStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ reading

    @property
    def case(self) -> Case:
        with self._read() as s:
            return s.get(Case, self.case_id)

    def original_path(self, document_id: int) -> Path:
        return self.case_dir / "originals" / f"{self._document(document_id).sha256}.pdf"

    def _document(self, document_id: int, s: Session | None = None) -> DocumentRecord:
        if s is None:
            with self._read() as s2:
                return self._document(document_id, s2)
        doc = s.get(DocumentRecord, document_id)
        if doc is None or doc.case_id != self.case_id:
            raise StoreError(f"no document {document_id} in this case")
        return doc

    def documents(self) -> list[DocumentRow]:
        with self._read() as s:
            docs = s.scalars(select(DocumentRecord).where(DocumentRecord.case_id == self.case_id)
                             .order_by(DocumentRecord.id)).all()
            return [self._row(s, d) for d in docs]

    def document(self, document_id: int) -> DocumentRow:
        with self._read() as s:
            return self._row(s, self._document(document_id, s))

    def _row(self, s: Session, d: DocumentRecord) -> DocumentRow:
        statuses = s.scalars(select(ProposalRecord.status).where(
            ProposalRecord.document_id == d.id, ProposalRecord.withdrawn.is_(False))).all()
        total = len(statuses)
        reviewed = sum(st != "proposed" for st in statuses)
        any_decision = s.scalar(select(Decision.id).where(Decision.document_id == d.id).limit(1)) is not None
        if d.approval in ("approved", "returned"):
            status = d.approval
        elif reviewed == total and (any_decision or total == 0):
            status = "reviewed"
        elif any_decision:
            status = "in_review"
        else:
            status = "proposed"
        comment = s.scalar(select(Approval.comment).where(Approval.document_id == d.id)
                           .order_by(Approval.id.desc()).limit(1)) or ""
        return DocumentRow(d.id, d.sha256, d.original_name, d.original_path, d.page_count, status,
                           reviewed, total, d.record_context, _utc(d.added_at), d.added_by, d.version,
                           self._withheld(s, d.id), comment)

    def proposals(self, document_id: int) -> list[ProposalView]:
        with self._read() as s:
            self._document(document_id, s)
            rows = s.scalars(select(ProposalRecord).where(
                ProposalRecord.document_id == document_id, ProposalRecord.withdrawn.is_(False))
                .order_by(ProposalRecord.page, ProposalRecord.id)).all()
            last: dict[int, Decision] = {}
            for d in s.scalars(select(Decision).where(Decision.document_id == document_id,
                                                      Decision.proposal_id.is_not(None)).order_by(Decision.id)):
                last[d.proposal_id] = d
            return [self._view(p, last.get(p.id)) for p in rows]

    def proposal(self, proposal_id: int) -> ProposalView:
        with self._read() as s:
            p = self._proposal(s, proposal_id)
            d = s.scalar(select(Decision).where(Decision.proposal_id == p.id).order_by(Decision.id.desc()).limit(1))
            return self._view(p, d)

    @staticmethod
    def _view(p: ProposalRecord, last: Decision | None) -> ProposalView:
        return ProposalView(p.id, p.document_id, p.key, p.page, p.text, [list(b) for b in p.boxes],
                            union(p.boxes), list(p.codes), p.entity, p.recognizer, p.score, p.rationale,
                            p.source, p.status, p.version, p.start, p.end,
                            last.user_name if last else None, _utc(last.at) if last else None)

    def withheld_pages(self, document_id: int) -> dict[int, list[str]]:
        with self._read() as s:
            self._document(document_id, s)
            return self._withheld(s, document_id)

    @staticmethod
    def _withheld(s: Session, document_id: int) -> dict[int, list[str]]:
        rows = s.scalars(select(PageWithholding).where(PageWithholding.document_id == document_id,
                                                       PageWithholding.active.is_(True))
                         .order_by(PageWithholding.page)).all()
        return {r.page: list(r.codes) for r in rows}

    def proposal_set(self, document_id: int) -> CaseProposalSet:
        """The document's proposals with the current decisions: what apply consumes."""
        case = self.case
        with self._read() as s:
            d = self._document(document_id, s)
            rows = s.scalars(select(ProposalRecord).where(
                ProposalRecord.document_id == document_id, ProposalRecord.withdrawn.is_(False))
                .order_by(ProposalRecord.page, ProposalRecord.id)).all()
            proposals = [Proposal(id=p.key, page=p.page, text=p.text, bbox=union(p.boxes), boxes=p.boxes,
                                  codes=p.codes, entity=p.entity, score=p.score, rationale=p.rationale,
                                  source=p.source, status=p.status, recognizer=p.recognizer,
                                  start=p.start, end=p.end) for p in rows]
            return CaseProposalSet(doc=d.original_name, source_sha256=d.sha256, code_set=case.code_set,
                                   record_context=d.record_context, proposals=proposals,
                                   withheld_pages=self._withheld(s, document_id))

    def audit(self, document_id: int | None = None) -> list[AuditEntry]:
        with self._read() as s:
            q = select(AuditLog, DocumentRecord.original_name).outerjoin(
                DocumentRecord, AuditLog.document_id == DocumentRecord.id).where(AuditLog.case_id == self.case_id)
            if document_id is not None:
                q = q.where(AuditLog.document_id == document_id)
            return [AuditEntry(a.id, _utc(a.at), a.who, a.role, a.action, a.detail, a.document_id, name)
                    for a, name in s.execute(q.order_by(AuditLog.id))]

    def decisions(self, document_id: int | None = None) -> list[Decision]:
        """The raw decision rows (oldest first), for reports and tests."""
        with self._read() as s:
            q = select(Decision).join(DocumentRecord, Decision.document_id == DocumentRecord.id).where(
                DocumentRecord.case_id == self.case_id)
            if document_id is not None:
                q = q.where(Decision.document_id == document_id)
            return list(s.scalars(q.order_by(Decision.id)))

    def approvals(self, document_id: int) -> list[Approval]:
        with self._read() as s:
            return list(s.scalars(select(Approval).where(Approval.document_id == document_id).order_by(Approval.id)))

    # ------------------------------------------------------------ adding documents

    def add_documents(self, paths: Iterable[Path], user: User, password: str | None = None,
                      progress=None) -> list[AddResult]:
        """Copy each original into the case, propose, store. A bad file is recorded with its
        reason and the others go on. `progress(path)` is called before each file."""
        from .load import check_file, sha256_of
        from .pipeline import propose, write_proposed

        case = self.case
        results = []
        for path in map(Path, paths):
            if progress:
                progress(path)
            try:
                check_file(path)
                sha = sha256_of(path)
                with self._read() as s:
                    existing = s.scalar(select(DocumentRecord.id).where(
                        DocumentRecord.case_id == self.case_id, DocumentRecord.sha256 == sha))
                if existing is not None:
                    results.append(AddResult(path, "duplicate", existing, sha, error="already in the case"))
                    continue
                result = propose(path, context=case.record_context, password=password)
                if result.proposal_set.source_sha256 != sha:
                    raise BadInputError(path, "changed while it was being added; add it again")
                copy = self.case_dir / "originals" / f"{sha}.pdf"
                if not copy.exists():
                    with atomic_target(copy) as tmp:
                        shutil.copyfile(path, tmp)
                        if sha256_of(tmp) != sha:
                            raise BadInputError(path, "the copy into the case folder differs from the original")
                ps = result.proposal_set.model_copy(update={"doc": path.name})
                write_proposed(result.__class__(ps, result.released, result.warnings),
                               self.case_dir / "proposals" / f"{sha}.json")
                page_count = _page_count(copy)
                doc_id = self._insert_document(path, sha, page_count, ps, user)
                results.append(AddResult(path, "added", doc_id, sha, page_count, len(ps.proposals),
                                         warnings=list(result.warnings)))
            except (RedactorError, OSError, ValueError) as exc:
                message = str(exc) if isinstance(exc, RedactorError) else f"{path}: {exc}"
                results.append(AddResult(path, "failed", error=message))
                self._audit_only("add_failed", user, message)
        return results

    def _insert_document(self, path: Path, sha: str, page_count: int, ps: ProposalSet, user: User) -> int:
        at = now()
        with self._write() as s, s.begin():
            doc = DocumentRecord(case_id=self.case_id, sha256=sha, original_name=path.name,
                                 original_path=str(path.resolve()), page_count=page_count,
                                 record_context=ps.record_context, added_at=at, added_by=user.name)
            s.add(doc)
            s.flush()
            for p in ps.proposals:
                s.add(ProposalRecord(document_id=doc.id, key=p.id, page=p.page, text=p.text, boxes=p.boxes,
                                     codes=p.codes, entity=p.entity, recognizer=p.recognizer, score=p.score,
                                     rationale=p.rationale, source="auto", status="proposed",
                                     start=p.start, end=p.end, created_at=at, created_by="redactor"))
            s.add(self._log(user, "document_added", doc.id,
                            f"{path.name} ({page_count} pages, sha256 {sha[:12]}…, "
                            f"{len(ps.proposals)} proposals, context {ps.record_context})"))
            return doc.id

    def _audit_only(self, action: str, user: User, detail: str, document_id: int | None = None) -> None:
        with self._write() as s, s.begin():
            s.add(self._log(user, action, document_id, detail))

    def _log(self, user: User, action: str, document_id: int | None, detail: str) -> AuditLog:
        return AuditLog(case_id=self.case_id, document_id=document_id, at=now(), who=user.name,
                        role=user.role, action=action, detail=detail)

    # ------------------------------------------------------------ decisions

    def _lock_document(self, s: Session, document_id: int) -> DocumentRecord:
        """The document, locked for this write (PostgreSQL row lock; SQLite's write lock is
        already held), refusing changes to an approved document."""
        doc = s.scalar(select(DocumentRecord).where(DocumentRecord.id == document_id).with_for_update())
        if doc is None or doc.case_id != self.case_id:
            raise StoreError(f"no document {document_id} in this case")
        if doc.approval == "approved":
            raise StoreError(f"{doc.original_name} is approved; counsel must return it before it can change")
        return doc

    def _proposal(self, s: Session, proposal_id: int) -> ProposalRecord:
        p = s.get(ProposalRecord, proposal_id)
        if p is None or p.withdrawn:
            raise StoreError(f"no proposal {proposal_id}")
        self._document(p.document_id, s)
        return p

    def _check_codes(self, codes: list[str] | None) -> list[str]:
        if not codes:
            raise StoreError("at least one exemption code is needed")
        code_set = load_code_set(self.case.code_set)
        unknown = [c for c in codes if c not in code_set.codes]
        if unknown:
            raise StoreError(f"unknown code(s) {', '.join(unknown)} in code set {code_set.id}")
        return list(dict.fromkeys(codes))

    def _conflict(self, s: Session, p: ProposalRecord, expected: int) -> ConflictError:
        last = s.scalar(select(Decision).where(Decision.proposal_id == p.id).order_by(Decision.id.desc()).limit(1))
        by = f" by {last.user_name} ({last.action}, {_utc(last.at):%Y-%m-%d %H:%M:%S} UTC)" if last else ""
        return ConflictError(f"proposal {p.key} on page {p.page + 1} was changed{by} since you read it "
                             f"(your version {expected}, now {p.version}); nothing was saved")

    def _decide_in(self, s: Session, p: ProposalRecord, action: str, user: User, reason: str,
                   codes: list[str] | None, expected_version: int | None, batch: str) -> None:
        if action not in PROPOSAL_ACTIONS:
            raise StoreError(f"unknown action {action!r} (known: {', '.join(PROPOSAL_ACTIONS)})")
        if expected_version is not None and p.version != expected_version:
            raise self._conflict(s, p, expected_version)
        before = {"status": p.status, "codes": list(p.codes)}
        if action == "recode":
            p.codes = self._check_codes(codes)
            p.status = "accepted"
        else:
            p.status = "accepted" if action == "accept" else "rejected"
        after = {"status": p.status, "codes": list(p.codes)}
        s.add(Decision(document_id=p.document_id, proposal_id=p.id, page=p.page, action=action,
                       user_name=user.name, user_role=user.role, at=now(), reason=reason or "",
                       codes=list(p.codes), before=before, after=after, batch=batch))
        detail = f"{action} {p.key} (page {p.page + 1}, {p.entity}) {' '.join(p.text.split())!r} as {', '.join(p.codes)}"
        s.add(self._log(user, action, p.document_id, detail + (f": {reason}" if reason else "")))

    def _commit(self, s: Session, what: str) -> None:
        try:
            s.flush()
        except StaleDataError:
            raise ConflictError(f"{what} was changed by someone else at the same moment; nothing was saved") from None

    def decide(self, proposal_id: int, action: str, user: User, reason: str = "",
               codes: list[str] | None = None, expected_version: int | None = None) -> ProposalView:
        """Accept, reject or re-code (= accept with other codes) one proposal."""
        with self._write() as s, s.begin():
            p = self._proposal(s, proposal_id)
            self._lock_document(s, p.document_id)
            s.refresh(p)
            self._decide_in(s, p, action, user, reason, codes, expected_version, str(uuid.uuid4()))
            self._commit(s, f"proposal {p.key}")
        return self.proposal(proposal_id)

    def decide_many(self, proposal_ids: list[int], action: str, user: User, reason: str = "",
                    codes: list[str] | None = None, expected_version: int | None = None,
                    expected_versions: dict[int, int] | None = None) -> int:
        """One decision for many proposals (all of a kind or recognizer), all or nothing:
        a conflict on any of them saves none. Returns how many were decided."""
        batch = str(uuid.uuid4())
        with self._write() as s, s.begin():
            rows = [self._proposal(s, pid) for pid in proposal_ids]
            for doc_id in sorted({p.document_id for p in rows}):
                self._lock_document(s, doc_id)
            for p in rows:
                s.refresh(p)
                expected = (expected_versions or {}).get(p.id, expected_version)
                self._decide_in(s, p, action, user, reason, codes, expected, batch)
            self._commit(s, "a proposal")
        return len(rows)

    # ------------------------------------------------------------ additions

    def _next_manual_key(self, s: Session, document_id: int) -> str:
        keys = s.scalars(select(ProposalRecord.key).where(ProposalRecord.document_id == document_id,
                                                          ProposalRecord.source == "manual")).all()
        return f"m-{max((int(k[2:]) for k in keys), default=0) + 1:04d}"

    def _add_in(self, s: Session, doc: DocumentRecord, page: int, boxes: list[list[float]], text: str,
                codes: list[str], user: User, reason: str, batch: str, how: str,
                start: int | None = None, end: int | None = None) -> ProposalRecord:
        if not 0 <= page < doc.page_count:
            raise StoreError(f"{doc.original_name} has no page {page + 1} (it has {doc.page_count})")
        boxes = [[round(float(v), 2) for v in b] for b in boxes]
        if not boxes or any(len(b) != 4 or b[2] <= b[0] or b[3] <= b[1] for b in boxes):
            raise StoreError("a redaction needs boxes [x0, y0, x1, y1] with x1 > x0 and y1 > y0")
        at = now()
        p = ProposalRecord(document_id=doc.id, key=self._next_manual_key(s, doc.id), page=page, text=text,
                           boxes=boxes, codes=codes, entity="MANUAL", recognizer=None, score=1.0,
                           rationale=f"Added by {user.name} ({how})" + (f": {reason}" if reason else ""),
                           source="manual", status="accepted", start=start, end=end,
                           created_at=at, created_by=user.name)
        s.add(p)
        s.flush()
        after = {"status": "accepted", "codes": list(codes), "withdrawn": False}
        s.add(Decision(document_id=doc.id, proposal_id=p.id, page=page, action="add", user_name=user.name,
                       user_role=user.role, at=at, reason=reason or "", codes=list(codes),
                       before={"status": "accepted", "codes": list(codes), "withdrawn": True}, after=after,
                       batch=batch))
        s.add(self._log(user, "add", doc.id, f"add {p.key} (page {page + 1}, {how}) {text!r} as "
                                             f"{', '.join(codes)}" + (f": {reason}" if reason else "")))
        return p

    def add_redaction(self, document_id: int, page: int, boxes: list[list[float]], text: str,
                      codes: list[str], user: User, reason: str = "") -> ProposalView:
        """A redaction drawn by hand (a page region), accepted at once."""
        codes = self._check_codes(codes)
        doc_row = self.document(document_id)
        if 0 <= page < doc_row.page_count:
            boxes = [list(b) for b in boxes] + self._line_boxes(self._pages(doc_row.sha256)[page], boxes)
        with self._write() as s, s.begin():
            doc = self._lock_document(s, document_id)
            p = self._add_in(s, doc, page, boxes, text or f"[region on page {page + 1}]", codes, user, reason,
                             str(uuid.uuid4()), "region")
            pid = p.id
        return self.proposal(pid)

    @staticmethod
    def _line_boxes(page, regions: list[list[float]]) -> list[list[float]]:
        """One box per text line of the words whose centre lies in a region: apply removes
        text under the middle band of each box (sized for a line), so a region taller
        than a line needs its lines boxed too."""
        lines: dict[tuple[int, int], list[float]] = {}
        for w in page.words:
            cx, cy = (w.x0 + w.x1) / 2, (w.y0 + w.y1) / 2
            if any(len(r) == 4 and r[0] <= cx <= r[2] and r[1] <= cy <= r[3] for r in regions):
                box = lines.get((w.block, w.line))
                lines[(w.block, w.line)] = ([min(box[0], w.x0), min(box[1], w.y0), max(box[2], w.x1), max(box[3], w.y1)]
                                            if box else [w.x0, w.y0, w.x1, w.y1])
        return list(lines.values())

    def _pages(self, sha: str) -> list:
        with self._pages_lock:
            if sha not in self._pages_cache:
                from .load import load_document
                self._pages_cache[sha] = load_document(self.case_dir / "originals" / f"{sha}.pdf").pages
            return self._pages_cache[sha]

    @staticmethod
    def search_pattern(pattern: str, regex: bool) -> re.Pattern:
        """A plain string matches as whole words, any case, across line breaks."""
        if not pattern.strip():
            raise StoreError("an empty search")
        if regex:
            try:
                return re.compile(pattern)
            except re.error as exc:
                raise StoreError(f"not a valid pattern: {exc}") from None
        words = [re.escape(w) for w in pattern.split()]
        return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.I)

    def add_by_search(self, pattern: str, regex: bool = False, codes: list[str] | None = None,
                      user: User | None = None, scope: str = "case", document_id: int | None = None,
                      reason: str = "") -> int:
        """Add an accepted redaction for every occurrence in the case (or one document) not
        already covered by a proposal that will be applied. Returns how many were added."""
        if user is None:
            raise StoreError("a user is needed")
        codes = self._check_codes(codes)
        compiled = self.search_pattern(pattern, regex)
        if scope not in ("case", "document"):
            raise StoreError(f"unknown scope {scope!r} (case or document)")
        if scope == "document" and document_id is None:
            raise StoreError("scope 'document' needs a document")
        docs = self.documents() if scope == "case" else [self.document(document_id)]
        found: dict[int, list[tuple[int, int, int, str]]] = {}
        for d in docs:
            for page in self._pages(d.sha256):
                for m in compiled.finditer(page.text):
                    if m.end() > m.start():
                        found.setdefault(d.id, []).append((page.number, m.start(), m.end(), m.group()))
        locked = [d.original_name for d in docs if d.id in found and d.status == "approved"]
        if locked:
            raise StoreError(f"occurrences are in approved documents ({', '.join(locked)}): counsel must return "
                             "them first, or search this document only")
        batch, added = str(uuid.uuid4()), 0
        how = f"search {'pattern' if regex else 'text'} {pattern!r}"
        with self._write() as s, s.begin():
            for doc_id, matches in found.items():
                doc = self._lock_document(s, doc_id)
                pages = self._pages(doc.sha256)
                covered = s.execute(select(ProposalRecord.page, ProposalRecord.start, ProposalRecord.end).where(
                    ProposalRecord.document_id == doc_id, ProposalRecord.withdrawn.is_(False),
                    ProposalRecord.status != "rejected", ProposalRecord.start.is_not(None))).all()
                for page_no, start, end, text in matches:
                    if any(pg == page_no and cs < end and start < ce for pg, cs, ce in covered):
                        continue
                    boxes = boxes_for_span(pages[page_no], start, end)
                    if not boxes:
                        continue
                    self._add_in(s, doc, page_no, boxes, " ".join(text.split()), codes, user, reason, batch,
                                 how, start, end)
                    covered.append((page_no, start, end))
                    added += 1
        return added

    # ------------------------------------------------------------ pages withheld in full

    def _set_page(self, document_id: int, page: int, user: User, reason: str, codes: list[str] | None,
                  active: bool, expected_version: int | None = None) -> None:
        with self._write() as s, s.begin():
            doc = self._lock_document(s, document_id)
            if not 0 <= page < doc.page_count:
                raise StoreError(f"{doc.original_name} has no page {page + 1} (it has {doc.page_count})")
            row = s.scalar(select(PageWithholding).where(PageWithholding.document_id == document_id,
                                                         PageWithholding.page == page))
            if expected_version is not None and (row.version if row else 0) != expected_version:
                raise ConflictError(f"page {page + 1} of {doc.original_name} was changed since you read it")
            before = {"active": bool(row and row.active), "codes": list(row.codes) if row else []}
            if not active and not before["active"]:
                raise StoreError(f"page {page + 1} of {doc.original_name} is not withheld")
            if row is None:
                row = PageWithholding(document_id=document_id, page=page, codes=codes, active=True)
                s.add(row)
            else:
                row.active = active
                if active:
                    row.codes = codes
            after = {"active": active, "codes": list(row.codes)}
            action = "withhold_page" if active else "release_page"
            s.add(Decision(document_id=document_id, proposal_id=None, page=page, action=action,
                           user_name=user.name, user_role=user.role, at=now(), reason=reason or "",
                           codes=list(row.codes) if active else None, before=before, after=after,
                           batch=str(uuid.uuid4())))
            s.add(self._log(user, action, document_id,
                            f"{action.replace('_', ' ')} {page + 1}"
                            + (f" as {', '.join(row.codes)}" if active else "") + (f": {reason}" if reason else "")))
            self._commit(s, f"page {page + 1}")

    def withhold_page(self, document_id: int, page: int, codes: list[str], user: User, reason: str = "") -> None:
        """Withhold page `page` (0-based) in full: released as a placeholder naming the codes."""
        self._set_page(document_id, page, user, reason, self._check_codes(codes), True)

    def release_page(self, document_id: int, page: int, user: User, reason: str = "") -> None:
        self._set_page(document_id, page, user, reason, None, False)

    # ------------------------------------------------------------ undo

    def undo(self, document_id: int, user: User) -> int:
        """Revert `user`'s last action on the document (a bulk or search action as a whole)
        by appending the inverse decisions. Refused if someone changed those records since.
        Returns how many decisions were reverted."""
        with self._write() as s, s.begin():
            self._lock_document(s, document_id)
            mine = s.scalars(select(Decision).where(Decision.document_id == document_id,
                                                    Decision.user_name == user.name).order_by(Decision.id.desc())).all()
            undone = set(s.scalars(select(Decision.undoes_id).where(Decision.document_id == document_id,
                                                                    Decision.undoes_id.is_not(None))).all())
            last = next((d for d in mine if d.action != "undo" and d.id not in undone), None)
            if last is None:
                raise StoreError("nothing of yours to undo on this document")
            batch = [d for d in mine if d.batch == last.batch and d.id not in undone]
            new_batch = str(uuid.uuid4())
            for d in batch:
                if d.proposal_id is not None:
                    p = s.get(ProposalRecord, d.proposal_id)
                    state = {"status": p.status, "codes": list(p.codes)}
                    if state != {k: d.after[k] for k in ("status", "codes")} or p.withdrawn != d.after.get("withdrawn", False):
                        raise self._conflict(s, p, p.version)
                    p.status, p.codes = d.before["status"], d.before["codes"]
                    p.withdrawn = d.before.get("withdrawn", False)
                    what = f"{d.action} of {p.key} (page {p.page + 1}) {p.text!r}"
                else:
                    row = s.scalar(select(PageWithholding).where(PageWithholding.document_id == document_id,
                                                                 PageWithholding.page == d.page))
                    if {"active": row.active, "codes": list(row.codes)} != d.after:
                        raise ConflictError(f"page {d.page + 1} was changed since; undo refused")
                    row.active, row.codes = d.before["active"], d.before["codes"] or row.codes
                    what = f"{d.action.replace('_', ' ')} {d.page + 1}"
                s.add(Decision(document_id=document_id, proposal_id=d.proposal_id, page=d.page, action="undo",
                               user_name=user.name, user_role=user.role, at=now(), reason="",
                               codes=d.before.get("codes"), before=d.after, after=d.before, batch=new_batch,
                               undoes_id=d.id))
                s.add(self._log(user, "undo", document_id, f"undo {what}"))
            self._commit(s, "a record")
            return len(batch)

    # ------------------------------------------------------------ counsel

    def _counsel_only(self, user: User, what: str) -> None:
        if user.role != "counsel":
            raise PermissionError(f"only counsel can {what} (signed in as {user.name}, {user.role})")

    def approve(self, document_id: int, user: User, comment: str = "") -> None:
        """Counsel approves the exemptions of a fully reviewed document: it may be released."""
        self._counsel_only(user, "approve a document")
        with self._write() as s, s.begin():
            doc = self._lock_document(s, document_id)
            undecided = s.scalar(select(ProposalRecord.key).where(
                ProposalRecord.document_id == document_id, ProposalRecord.withdrawn.is_(False),
                ProposalRecord.status == "proposed").limit(1))
            if undecided is not None:
                n = len(s.scalars(select(ProposalRecord.id).where(
                    ProposalRecord.document_id == document_id, ProposalRecord.withdrawn.is_(False),
                    ProposalRecord.status == "proposed")).all())
                raise StoreError(f"{doc.original_name} still has {n} undecided proposal(s); "
                                 "every proposal must be reviewed before approval")
            self._approval(s, doc, "approve", user, comment)

    def return_document(self, document_id: int, user: User, comment: str) -> None:
        """Counsel sends a document back to the reviewers, saying what to change."""
        self._counsel_only(user, "return a document")
        if not comment or not comment.strip():
            raise StoreError("returning a document needs a comment saying what to change")
        with self._write() as s, s.begin():
            doc = s.scalar(select(DocumentRecord).where(DocumentRecord.id == document_id).with_for_update())
            if doc is None or doc.case_id != self.case_id:
                raise StoreError(f"no document {document_id} in this case")
            self._approval(s, doc, "return", user, comment)

    def _approval(self, s: Session, doc: DocumentRecord, action: str, user: User, comment: str) -> None:
        doc.approval = "approved" if action == "approve" else "returned"
        s.add(Approval(document_id=doc.id, action=action, user_name=user.name, user_role=user.role,
                       at=now(), comment=comment or ""))
        s.add(self._log(user, action, doc.id, f"{action} {doc.original_name}" + (f": {comment}" if comment else "")))
        self._commit(s, doc.original_name)


def _page_count(path: Path) -> int:
    import pymupdf

    with pymupdf.open(path) as doc:
        return doc.page_count
