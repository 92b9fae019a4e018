"""A case from end to end through the real `redactor` console script, as a disclosure officer
and counsel would run it: new → add → review → approve → release, then the package opened
and checked. And the same case commands on a shared PostgreSQL database."""
from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from pathlib import Path

import pymupdf

from conftest import SAMPLES, make_pdf, run_cli, sha256
from pg import pg_schema, pg_url_or_skip
from redactor.store import CaseStore


def norm(text: str) -> str:
    return " ".join(text.split())


def ok(proc, code: int = 0) -> str:
    assert proc.returncode == code, f"exit {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    return proc.stdout


def test_case_from_new_to_release(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("letter.pdf", "memo-coordination.pdf"):
        shutil.copy(SAMPLES / name, inbox / name)
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj garbage")
    originals = {p: sha256(p) for p in inbox.iterdir()}
    case = tmp_path / "2026-0042"

    out = ok(run_cli("case", "new", case, "--number", "2026-FOIA-0042", "--requester", "Jane Q. Public",
                     "--received", "2026-11-02", "--context", "law_enforcement", "--as", "alice"))
    assert "due 2026-11-30" in out and (case / "case.db").is_file() and (case / "case.json").is_file()

    add = run_cli("case", "add", case, inbox, "--as", "alice")
    ok(add, 2)  # the broken file is reported, the others are added
    assert "broken.pdf" in add.stderr and "2 added" in add.stdout
    status = ok(run_cli("case", "status", case))
    assert re.search(r"letter\.pdf.*0/\d+.*proposed", status)

    refused = run_cli("case", "approve", case, "letter.pdf", "--as", "carol")
    ok(refused, 2)
    assert "undecided" in refused.stderr

    listing = ok(run_cli("case", "proposals", case, "memo-coordination.pdf", "--page", "1"))
    assert "p-0001" in listing
    ok(run_cli("case", "decide", case, "memo-coordination.pdf", "reject", "p-0001", "--as", "alice",
               "--reason", "named in the public announcement"))
    ok(run_cli("case", "decide", case, "memo-coordination.pdf", "accept", "--all", "--as", "alice"))
    ok(run_cli("case", "decide", case, "letter.pdf", "accept", "--all", "--as", "bob"))
    added = ok(run_cli("case", "search", case, "Southwest Border", "-c", "(b)(7)(E)", "--doc",
                       "memo-coordination.pdf", "--as", "alice"))
    assert re.search(r"\b[1-9]\d* redaction\(s\) added", added)
    ok(run_cli("case", "withhold", case, "memo-coordination.pdf", "2", "-c", "(b)(5)", "--as", "alice",
               "--reason", "predecisional draft principles"))
    ok(run_cli("case", "approve", case, "letter.pdf", "--as", "carol", "--comment", "ok"))
    ok(run_cli("case", "approve", case, "memo-coordination.pdf", "--as", "carol"))
    status = ok(run_cli("case", "status", case))
    assert status.count("approved") >= 2 and "2 approved" in status
    assert "carol" in ok(run_cli("case", "audit", case, "letter.pdf"))

    with CaseStore.open(case) as store:
        docs = {d.original_name: d for d in store.documents()}
        sets = {name: store.proposal_set(d.id) for name, d in docs.items()}
    db_before = sha256(case / "case.db")

    release = tmp_path / "release-1"
    out = ok(run_cli("release", case, "--out", release))
    assert "2 document(s) released" in out
    assert sha256(case / "case.db") == db_before
    assert {p: sha256(p) for p in inbox.iterdir()} == originals

    for name, ps in sets.items():
        with pymupdf.open(release / "documents" / name.replace(".pdf", ".redacted.pdf")) as pdf:
            pages = [norm(p.get_text()) for p in pdf]
        assert len(pages) == docs[name].page_count
        for p in ps.proposals:
            if p.page in ps.withheld_pages:
                continue
            text = norm(p.text)
            if p.status == "accepted" and len(text) >= 4:
                assert text not in pages[p.page], (name, p.id, text)
    memo = sets["memo-coordination.pdf"]
    rejected = next(p for p in memo.proposals if p.id == "p-0001")
    with pymupdf.open(release / "documents" / "memo-coordination.redacted.pdf") as pdf:
        released = [norm(p.get_text()) for p in pdf]
    assert rejected.status == "rejected" and norm(rejected.text) in released[rejected.page]
    assert released[1].startswith("Page 2 of 3 withheld in full Exemptions: (b)(5)")

    with open(release / "vaughn_index.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    expected = sum(1 for ps in sets.values() for p in ps.proposals
                   if p.status == "accepted" and p.page not in ps.withheld_pages) + 1
    assert len(rows) == expected
    [page_row] = [r for r in rows if r["extent"] == "withheld in full"]
    assert (page_row["document"], page_row["page"], page_row["codes"], page_row["withheld"]) == (
        "memo-coordination.pdf", "2", "(b)(5)", "Entire page")
    manifest = json.loads((release / "manifest.json").read_text())
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == digest
    assert len(manifest["files"]) == 6  # 2 PDFs, Vaughn CSV + HTML, audit CSV + JSON

    again = run_cli("release", case, "--out", release)
    ok(again, 2)
    assert "never overwritten" in again.stderr


def test_case_commands_on_a_shared_postgresql_database(tmp_path):
    with pg_schema(pg_url_or_skip()) as url:
        memo = make_pdf(tmp_path / "memo.pdf", ["Questions go to Paul Brennan at (202) 555-0143."])
        case = tmp_path / "shared-case"
        ok(run_cli("case", "new", case, "--number", "2026-PG-1", "--requester", "R. Roe", "--db", url))
        assert not (case / "case.db").exists()
        assert json.loads((case / "case.json").read_text())["database"] == "external"
        ok(run_cli("case", "add", case, memo, "--db", url, "--as", "alice"))
        no_db = run_cli("case", "status", case)
        ok(no_db, 2)
        assert "shared database" in no_db.stderr and "--db" in no_db.stderr
        assert re.search(r"memo\.pdf.*0/[1-9]", ok(run_cli("case", "status", case, "--db", url)))
        ok(run_cli("case", "decide", case, "memo.pdf", "accept", "--all", "--db", url, "--as", "alice"))
        ok(run_cli("case", "approve", case, "memo.pdf", "--db", url, "--as", "carol"))
        ok(run_cli("release", case, "--out", tmp_path / "rel", "--db", url))
        with pymupdf.open(tmp_path / "rel" / "documents" / "memo.redacted.pdf") as pdf:
            text = pdf[0].get_text()
        assert "Brennan" not in text and "555-0143" not in text


def test_review_starts_the_reviewer_on_the_case(tmp_path):
    import os
    import signal
    import socket
    import subprocess
    import time
    import urllib.request

    from conftest import REDACTOR

    refused = run_cli("review", tmp_path / "no-such-case")
    ok(refused, 2)
    assert "case folder not found" in refused.stderr
    case = tmp_path / "c"
    ok(run_cli("case", "new", case, "--number", "2026-R-1", "--requester", "R. Roe"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (tmp_path / "review.log").open("w")
    proc = subprocess.Popen([str(REDACTOR), "review", str(case), "--server.port", str(port),
                             "--server.address", "127.0.0.1"], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        health = None
        for _ in range(120):
            if proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    health = r.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert health == "ok", (tmp_path / "review.log").read_text()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            assert r.status == 200 and b"<html" in r.read().lower()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()
