"""Fuzz: mutated PDFs (byte flips, truncations, splices, insertions) fed to `load` and to
`check`. Either works or raises our BadInputError; nothing else, and nothing hangs.

Each example runs in a worker process with a per-file timeout, so a hang in MuPDF's C code
is caught and reported instead of stalling CI. Deterministic (derandomize=True). Run alone:
    .venv/bin/python -m pytest -q -m fuzz
FUZZ_EXAMPLES (default 10000) sets the number of examples.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import traceback
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CORPUS = sorted((Path(__file__).parent / "fuzz_corpus").glob("*.pdf"))
SEEDS = [p.read_bytes() for p in CORPUS]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10000"))
TIMEOUT = 20.0  # seconds per file (load + check of a tiny file take milliseconds)


def _worker(conn, workdir: str) -> None:
    import pymupdf

    from redactor.check import check_pdf
    from redactor.errors import BadInputError
    from redactor.load import load_document

    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    path = Path(workdir) / "fuzzed.pdf"
    while True:
        data = conn.recv()
        if data is None:
            return
        path.write_bytes(data)
        outcome = []
        for stage, run in (("load", lambda: load_document(path, ocr=False)), ("check", lambda: check_pdf(path))):
            try:
                run()
                outcome.append(f"{stage}:ok")
            except BadInputError:
                outcome.append(f"{stage}:bad-input")
            except Exception:
                conn.send(f"{stage} raised:\n{traceback.format_exc()}")
                break
        else:
            conn.send(" ".join(outcome))


class Runner:
    """A worker process, restarted after a hang."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.ctx = mp.get_context("spawn")
        self.start()

    def start(self) -> None:
        self.conn, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_worker, args=(child, str(self.workdir)), daemon=True)
        self.proc.start()

    def run(self, data: bytes) -> str:
        self.conn.send(data)
        if not self.conn.poll(TIMEOUT):
            self.proc.kill()
            self.proc.join()
            self.start()
            return f"HANG: no answer within {TIMEOUT:.0f} s"
        try:
            return self.conn.recv()
        except EOFError:
            code = self.proc.exitcode
            self.proc.join()
            self.start()
            return f"CRASH: worker died (exit {code})"

    def stop(self) -> None:
        self.conn.send(None)
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()


@st.composite
def mutated_pdfs(draw) -> bytes:
    data = bytearray(SEEDS[draw(st.integers(0, len(SEEDS) - 1))])
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "flip", "truncate", "splice", "insert", "delete", "digits"]))
        n = len(data)
        if n < 2:
            break
        pos = draw(st.integers(0, n - 1))
        if kind == "flip":
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            data = data[: max(pos, 16)]
        elif kind == "splice":  # a chunk of another corpus file dropped in
            other = SEEDS[draw(st.integers(0, len(SEEDS) - 1))]
            a = draw(st.integers(0, len(other) - 1))
            data[pos:pos] = other[a: a + draw(st.integers(1, 400))]
        elif kind == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=32))
        elif kind == "delete":
            del data[pos: pos + draw(st.integers(1, 64))]
        else:  # change a number: object numbers, lengths, offsets, counts
            for i in range(pos, min(pos + 200, n)):
                if chr(data[i]).isdigit():
                    data[i: i + 1] = str(draw(st.sampled_from([0, 9, 99999999, 4294967296]))).encode()
                    break
    return bytes(data)


@pytest.fixture(scope="module")
def runner(tmp_path_factory):
    r = Runner(tmp_path_factory.mktemp("fuzz"))
    yield r
    r.stop()


OUTCOMES: dict[str, int] = {}


@pytest.mark.fuzz
def test_mutated_pdfs_never_crash_or_hang(runner):
    assert len(CORPUS) >= 5 and sum(len(s) for s in SEEDS) < 200_000
    assert runner.run(SEEDS[0]) == "load:ok check:ok"  # the harness itself works

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(mutated_pdfs())
    def fuzz(data: bytes) -> None:
        result = runner.run(data)
        OUTCOMES[result] = OUTCOMES.get(result, 0) + 1
        assert "raised" not in result and not result.startswith(("HANG", "CRASH")), result

    fuzz()
    total = sum(OUTCOMES.values())
    print(f"\nfuzz: {total} examples: " + ", ".join(f"{k} {v}" for k, v in sorted(OUTCOMES.items())))
    assert total >= EXAMPLES
    # the mutations reach past the front door: many files still load, many are refused
    assert OUTCOMES.get("load:ok check:ok", 0) > total * 0.1
    assert sum(v for k, v in OUTCOMES.items() if "bad-input" in k) > total * 0.05
