"""`redactor batch` through the real console script: bad files isolated, a SIGKILLed run
resumed with the same outputs and nothing processed twice, Dask giving the same proposals
as the process pool; and chunked (streamed) detection giving the same proposals as
detection over the whole document."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import jsonschema
import pymupdf
import pytest

from conftest import REDACTOR, ROOT, SAMPLES, make_pdf, run_cli, sha256

SCHEMA = json.loads((ROOT / "redactor" / "data" / "proposals.schema.json").read_text())
GOOD = ["letter.pdf", "memo-coordination.pdf", "email-chain.pdf", "incident-report.pdf",
        "issue-brief.pdf", "concept-paper-draft.pdf"]


def record_set(root: Path, names: list[str] = GOOD) -> Path:
    """The samples spread over nested folders, as a request's records arrive."""
    for i, name in enumerate(names):
        target = root / ("" if i % 2 == 0 else f"office-{i % 3}/sub") / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLES / name, target)
    return root


def log_events(out: Path) -> list[dict]:
    path = out / ".redactor-batch" / "log.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def report(out: Path) -> dict:
    return json.loads((out / "batch-report.json").read_text())


def outputs(out: Path) -> dict[str, Path]:
    return {p.relative_to(out).as_posix(): p for p in out.rglob("*")
            if p.is_file() and not p.relative_to(out).as_posix().startswith(".redactor-batch")
            and p.name != "batch-report.json"}


def page_texts(pdf: Path) -> list[str]:
    with pymupdf.open(pdf) as doc:
        return [page.get_text() for page in doc]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, Path]:
    """An uninterrupted --apply run over the record set: what every other run must match."""
    base = tmp_path_factory.mktemp("reference")
    records, out = record_set(base / "records"), base / "out"
    r = run_cli("batch", records, "--out", out, "--apply", "--workers", "2")
    assert r.returncode == 0, r.stdout + r.stderr
    return records, out


def test_batch_mirrors_the_tree_and_reports(reference):
    records, out = reference
    rep = report(out)
    assert rep["totals"]["done"] == len(GOOD) and rep["totals"]["failed"] == 0 and rep["exit_code"] == 0
    files = outputs(out)
    for pdf in records.rglob("*.pdf"):
        rel = pdf.relative_to(records).with_suffix("")
        proposals = json.loads(files[f"{rel.as_posix()}.proposals.json"].read_text())
        jsonschema.validate(proposals, SCHEMA)
        assert proposals["source_sha256"] == sha256(pdf)
        redacted = "\n".join(page_texts(files[f"{rel.as_posix()}.redacted.pdf"]))
        for p in proposals["proposals"]:
            assert p["text"] not in redacted
    assert len(files) == 2 * len(GOOD)
    # proposals by code add up over the documents
    by_code = Counter()
    for d in rep["documents"]:
        by_code.update(d["by_code"])
    assert rep["proposals_by_code"] == dict(by_code) and by_code["(b)(6)"] > 50
    # workers report their peak memory (the spaCy model alone is well over 50 MB)
    assert rep["worker_stats"] and all(w["peak_rss_mb"] > 50 for w in rep["worker_stats"])
    assert sum(w["documents"] for w in rep["worker_stats"]) == len(GOOD)


def test_bad_files_are_reported_and_the_rest_processed(tmp_path: Path):
    records = record_set(tmp_path / "records", ["letter.pdf", "memo-coordination.pdf", "issue-brief.pdf",
                                                 "slides-briefing.pdf"])
    (records / "not-a-pdf.pdf").write_text("Dear FOIA officer, this is a text file.\n")
    (records / "corrupt.pdf").write_bytes((SAMPLES / "letter.pdf").read_bytes()[:4000])
    with pymupdf.open(SAMPLES / "letter.pdf") as doc:
        doc.save(records / "office-1" / "encrypted.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256,
                 user_pw="secret", owner_pw="owner")
    (records / "notes.txt").write_text("not a PDF by name: not part of the record set")
    out = tmp_path / "out"
    env = {**os.environ, "REDACTOR_TEST_FAULT": "crash:issue-brief.pdf,hang:slides-briefing.pdf"}
    r = subprocess.run([str(REDACTOR), "batch", records, "--out", out, "--apply", "--workers", "2",
                        "--timeout", "20"], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 2, r.stdout + r.stderr  # a bad input is the worst failure here
    rep = report(out)
    failed = {f["doc"]: (f["kind"], f["reason"]) for f in rep["failed"]}
    assert failed["not-a-pdf.pdf"] == ("bad_input", "not a PDF (no %PDF header)")
    assert failed["corrupt.pdf"][0] == "bad_input" and "corrupt" in failed["corrupt.pdf"][1]
    assert failed["office-1/encrypted.pdf"][0] == "bad_input" and "encrypted" in failed["office-1/encrypted.pdf"][1]
    assert failed["issue-brief.pdf"][0] == "crash" and "died" in failed["issue-brief.pdf"][1]
    hung = "office-0/sub/slides-briefing.pdf"
    assert failed[hung][0] == "timeout" and "timed out after 20 s" in failed[hung][1]
    assert len(failed) == 5 and "notes.txt" not in json.dumps(rep)
    done = {d["doc"] for d in rep["documents"] if d["status"] == "done"}
    assert done == {"letter.pdf", "office-1/sub/memo-coordination.pdf"}
    for doc in done:
        stem = doc.removesuffix(".pdf")
        assert (out / f"{stem}.proposals.json").exists() and (out / f"{stem}.redacted.pdf").exists()
    assert not (out / "not-a-pdf.proposals.json").exists() and not (out / "corrupt.redacted.pdf").exists()
    assert "not a PDF (no %PDF header)" in r.stdout and "worker process died" in r.stdout
    # a rerun skips what was done and retries only the failures
    r = subprocess.run([str(REDACTOR), "batch", records, "--out", out, "--apply", "--workers", "2",
                        "--timeout", "20"], capture_output=True, text=True, timeout=600)
    rep = report(out)
    assert {d["doc"] for d in rep["documents"] if d["status"] == "skipped"} == done
    assert {d["doc"] for d in rep["documents"] if d["status"] == "done"} == {"issue-brief.pdf", hung}
    assert r.returncode == 2 and rep["totals"]["failed"] == 3


def test_killed_batch_resumes_without_redoing_work(reference, tmp_path: Path):
    records, ref_out = reference
    out = tmp_path / "out"
    cmd = [str(REDACTOR), "batch", records, "--out", out, "--apply", "--workers", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while sum(e["event"] == "done" for e in log_events(out)) < 2:
        assert proc.poll() is None, "the batch ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the coordinator and its workers, at once, mid-run
    proc.wait()
    first = log_events(out)
    done_first = {e["doc"] for e in first if e["event"] == "done"}
    assert 2 <= len(done_first) < len(GOOD), "killed too late to test resuming"

    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    rep = report(out)
    skipped = {d["doc"] for d in rep["documents"] if d["status"] == "skipped"}
    redone = {d["doc"] for d in rep["documents"] if d["status"] == "done"}
    assert done_first <= skipped and not (redone & done_first)
    assert skipped | redone == {d["doc"] for d in report(ref_out)["documents"]}
    done_events = Counter(e["doc"] for e in log_events(out) if e["event"] == "done")
    # no document finished twice (a kill between its record and its log line leaves it at 0, skipped)
    assert all(done_events[doc] == 1 or (done_events[doc] == 0 and doc in skipped) for doc in skipped | redone)
    # the same outputs as the uninterrupted run, and no half-written temporary file left
    got, want = outputs(out), outputs(ref_out)
    assert sorted(got) == sorted(want)
    for rel, path in want.items():
        if rel.endswith(".json"):
            assert got[rel].read_bytes() == path.read_bytes(), rel
        else:
            assert page_texts(got[rel]) == page_texts(path), rel
    assert not list(out.rglob("*.tmp"))


def test_rerun_after_a_change_redoes_only_what_changed(tmp_path: Path):
    records = record_set(tmp_path / "records", ["letter.pdf", "issue-brief.pdf"])
    out = tmp_path / "out"
    assert run_cli("batch", records, "--out", out, "--workers", "1").returncode == 0
    make_pdf(records / "letter.pdf", ["Questions go to Paul Brennan at (202) 555-0143."])
    assert run_cli("batch", records, "--out", out, "--workers", "1").returncode == 0
    status = {d["doc"]: d["status"] for d in report(out)["documents"]}
    assert status == {"letter.pdf": "done", "office-1/sub/issue-brief.pdf": "skipped"}
    texts = {p["text"] for p in json.loads((out / "letter.proposals.json").read_text())["proposals"]}
    assert texts == {"Paul Brennan", "(202) 555-0143"}
    # another record context is another configuration: everything is redone
    assert run_cli("batch", records, "--out", out, "--workers", "1", "--context", "general").returncode == 0
    assert {d["status"] for d in report(out)["documents"]} == {"done"}
    # an output deleted by hand is noticed and rebuilt
    (out / "letter.proposals.json").unlink()
    assert run_cli("batch", records, "--out", out, "--workers", "1", "--context", "general").returncode == 0
    status = {d["doc"]: d["status"] for d in report(out)["documents"]}
    assert status == {"letter.pdf": "done", "office-1/sub/issue-brief.pdf": "skipped"}


def test_dask_engine_gives_the_same_proposals_as_the_pool(reference, tmp_path: Path):
    records, ref_out = reference
    out = tmp_path / "out"
    r = run_cli("batch", records, "--out", out, "--engine", "dask", "--workers", "2")
    assert r.returncode == 0, r.stdout + r.stderr
    rep = report(out)
    assert rep["engine"] == "dask" and rep["totals"]["done"] == len(GOOD)
    assert rep["worker_stats"] and all(d["worker"] for d in rep["documents"])
    for rel, path in outputs(ref_out).items():
        if rel.endswith(".proposals.json"):
            assert (out / rel).read_bytes() == path.read_bytes(), rel


def test_long_document_is_detected_in_chunks_with_the_same_proposals(tmp_path: Path):
    """A name found on page 1 is also withheld where it appears alone far later (another
    chunk), exactly as whole-document detection does."""
    from redactor import pipeline

    doc = pymupdf.open()
    for n in range(60):
        page = doc.new_page()
        lines = [f"Page {n + 1} of the quarterly coordination summary for the Laredo sector."]
        if n == 0:
            lines.append("The review was led by SA Rebecca Thornton of the Laredo field office.")
        if n == 7:
            lines.append("Questions go to Paul Brennan at (202) 555-0143 or paul.brennan@cbp.dhs.gov.")
        if n == 57:
            lines.append("Thornton agreed; call 202-555-0143 before the next review.")
        for i, line in enumerate(lines):
            page.insert_text((72, 72 + 18 * i), line, fontsize=11)
    path = tmp_path / "long.pdf"
    doc.save(path)
    whole = pipeline.propose(path, chunk_pages=1000)
    chunked = pipeline.propose(path, chunk_pages=8)
    assert chunked.proposal_set == whole.proposal_set and chunked.released == whole.released
    late = {p.text: p.recognizer for p in chunked.proposal_set.proposals if p.page == 57}
    assert late["Thornton"] == "ConsistencyPropagation"  # found on page 1, seven chunks earlier
    assert "202-555-0143" in late


# --------------------------------------------------------------------------- record-set consistency

def consistency_set(root: Path, extra: dict[str, list[str]] | None = None) -> Path:
    """A names "SA Quorra Ashgrove" (detection finds it); B names her where detection alone finds
    nothing (her surname after a title broken over two lines, her name alone on a line: a given name
    no name list knows, so only the record set says it is hers); D shares nothing with them; a bad
    file sits among them."""
    (root / "office").mkdir(parents=True)
    make_pdf(root / "a.pdf", ["MEMORANDUM FOR THE RECORD",
                              "The interview was conducted by SA Quorra Ashgrove of the Laredo field office.",
                              "She reviewed the seizure log with the port director on 14 May 2019."])
    make_pdf(root / "b.pdf", ["FOLLOW-UP NOTES", "The keys were handed to Agent", "Ashgrove at the lot gate.",
                              "Quorra Ashgrove"])
    make_pdf(root / "office" / "d.pdf", ["UNRELATED", "The lot was repainted in June."])
    for name, lines in (extra or {}).items():
        make_pdf(root / name, lines)
    (root / "bad.pdf").write_text("not a PDF at all\n")
    return root


def proposals_of(out: Path, stem: str) -> list[dict]:
    data = json.loads((out / f"{stem}.proposals.json").read_text())
    jsonschema.validate(data, SCHEMA)
    return data["proposals"]


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file of OUT_DIR (records included) but the run's report and log."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
            if p.is_file() and p.name not in ("batch-report.json", "log.jsonl")}


def test_record_set_consistency_withholds_a_name_in_every_record(tmp_path: Path):
    records, out = consistency_set(tmp_path / "records"), tmp_path / "out"
    r = run_cli("batch", records, "--out", out, "--apply", "--workers", "1")
    assert r.returncode == 2, r.stdout + r.stderr  # bad.pdf: the pass ran anyway
    rep = report(out)
    assert {f["doc"] for f in rep["failed"]} == {"bad.pdf"}

    a = proposals_of(out, "a")
    assert [p["text"] for p in a if "Ashgrove" in p["text"]] == ["Quorra Ashgrove"]  # found by detection
    b = proposals_of(out, "b")
    # detection alone found nothing of hers in B: every Ashgrove there is the pass's
    assert all(p["recognizer"] == "RecordSetConsistency" for p in b if "Ashgrove" in p["text"])
    added = {p["text"]: p for p in b if p["recognizer"] == "RecordSetConsistency"}
    assert sorted(added) == ["Ashgrove", "Quorra Ashgrove"]
    for p in added.values():
        assert "withheld in a.pdf (p-0001" in p["rationale"] and p["codes"] == a[0]["codes"]
    assert "surname, after a title" in added["Ashgrove"]["rationale"]
    assert "Ashgrove" not in "\n".join(page_texts(out / "b.redacted.pdf"))
    assert "Ashgrove" not in "\n".join(page_texts(out / "a.redacted.pdf"))
    assert not [p for p in proposals_of(out, "office/d") if p["recognizer"] == "RecordSetConsistency"]

    # counts: in the report, per document, and in the summary line
    c = rep["consistency"]
    assert (c["proposals_added"], c["documents_changed"], rep["totals"]["consistency_added"]) == (2, 1, 2)
    # B and D searched by their raw text (A only for strings of its own: not at all), and only
    # B's one page read into words
    assert (c["carried"], c["documents_searched"], c["documents_loaded"], c["pages_read"]) == (1, 2, 1, 1)
    docs = {d["doc"]: d for d in rep["documents"]}
    assert docs["b.pdf"]["consistency_added"] == 2 and docs["b.pdf"]["proposals"] == len(b)
    assert docs["b.pdf"]["by_code"] == dict(Counter(code for p in b for code in p["codes"]))
    assert "Record-set consistency: 2 proposals added, 1 documents changed" in r.stdout

    # a rerun does no work and changes no file, records included
    before = snapshot(out)
    events = len(log_events(out))
    r = run_cli("batch", records, "--out", out, "--apply", "--workers", "1")
    assert r.returncode == 2, r.stdout + r.stderr
    rep = report(out)
    assert {d["doc"]: d["status"] for d in rep["documents"]} == {
        "a.pdf": "skipped", "b.pdf": "skipped", "office/d.pdf": "skipped", "bad.pdf": "failed"}
    assert rep["consistency"]["up_to_date"] and rep["consistency"]["documents_searched"] == 0
    assert rep["totals"]["consistency_added"] == 0
    assert {d["doc"]: d["consistency_added"] for d in rep["documents"]}["b.pdf"] == 2
    assert snapshot(out) == before
    assert {e["doc"] for e in log_events(out)[events:]} == {"bad.pdf"}
    assert "Record-set consistency: up to date" in r.stdout


def scanned(path: Path, lines: list[str]) -> Path:
    """A one-page image-only PDF (propose OCRs it)."""
    text = make_pdf(path.with_suffix(".text.pdf"), lines, fontsize=14)
    with pymupdf.open(text) as src:
        pix = src[0].get_pixmap(dpi=200)
        doc = pymupdf.open()
        doc.new_page(width=src[0].rect.width, height=src[0].rect.height).insert_image(src[0].rect, pixmap=pix)
        doc.save(path)
    text.unlink()
    return path


def test_record_set_consistency_failure_fails_only_that_document(tmp_path: Path):
    """C's re-apply fails verification (injected): C fails, with no redacted PDF left, B is made
    consistent all the same; the next run redoes C alone and leaves A and B untouched. A
    scanned record's OCR'd page is not searched, and its warnings say so."""
    records = consistency_set(tmp_path / "records", {"c.pdf": ["LOT INVENTORY", "Vehicle 3 released.",
                                                               "Quorra Ashgrove"]})
    scanned(records / "scan.pdf", ["HANDWRITTEN NOTE", "Gate log checked twice."])
    out = tmp_path / "out"
    cmd = [str(REDACTOR), "batch", records, "--out", out, "--apply", "--workers", "1"]
    env = {**os.environ, "REDACTOR_TEST_FAULT": "unverified:c.pdf"}
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    rep = report(out)
    failed = {f["doc"]: (f["kind"], f["reason"]) for f in rep["failed"]}
    assert set(failed) == {"bad.pdf", "c.pdf"}, r.stdout + r.stderr
    assert failed["c.pdf"][0] == "verification" and "after record-set consistency" in failed["c.pdf"][1]
    assert r.returncode == 2  # bad.pdf (bad input) is the worst; the verification failure counts too
    assert not (out / "c.redacted.pdf").exists() and not (out / ".redactor-batch/records/c.pdf.json").exists()
    assert rep["consistency"]["failed"] == 1 and rep["consistency"]["documents_changed"] == 1
    assert "Ashgrove" not in "\n".join(page_texts(out / "b.redacted.pdf"))
    scan = {d["doc"]: d for d in rep["documents"]}["scan.pdf"]
    assert scan["status"] == "done" and rep["consistency"]["ocr_pages_skipped"] == 1
    assert "record-set consistency: OCR'd page(s) 1 not searched" in " ".join(scan["warnings"])
    assert "1 OCR'd pages not searched" in r.stdout

    b_files = {k: v for k, v in snapshot(out).items() if k.startswith(("b.", ".redactor-batch/records/b."))}
    r = run_cli("batch", records, "--out", out, "--apply", "--workers", "1")
    rep = report(out)
    assert {d["doc"]: d["status"] for d in rep["documents"]} == {
        "a.pdf": "skipped", "b.pdf": "skipped", "c.pdf": "done", "office/d.pdf": "skipped", "bad.pdf": "failed",
        "scan.pdf": "skipped"}
    assert any("OCR'd page(s) 1 not searched" in w for w in {d["doc"]: d for d in rep["documents"]}["scan.pdf"]["warnings"])
    c = {p["text"]: p["recognizer"] for p in proposals_of(out, "c")}
    assert c == {"Quorra Ashgrove": "RecordSetConsistency"}
    assert "Ashgrove" not in "\n".join(page_texts(out / "c.redacted.pdf"))
    # what A and B are consistent with did not change: neither was read nor rewritten
    assert rep["consistency"]["documents_searched"] == 1 and rep["consistency"]["documents_changed"] == 1
    assert {k: v for k, v in snapshot(out).items() if k in b_files} == b_files


def test_record_set_prefilter_finds_what_the_consistency_patterns_find():
    """The cheap search of raw page text finds every string the patterns would match on the
    page (across line breaks and line-end hyphens, a surname after a title, one string inside
    another; finding more is only a page read for nothing), and a surname only after a title.
    The batch's titles are detection's."""
    from redactor.batch import _Needles, _titles
    from redactor.detect import get_detector

    assert list(_titles()) == get_detector().titles_longest_first
    withheld = {("Maria Lopez", "PERSON"): 0, ("Maria Lopez-Arriaga", "PERSON"): 0,
                ("(202) 555-0143", "PHONE_NUMBER"): 0}
    needles = _Needles(withheld, _titles())
    lopez, arriaga, phone = withheld
    assert needles.keys_in("called Maria\nLo-\npez today") == {lopez}
    assert needles.keys_in("Maria Lopez-\nArriaga signed") >= {arriaga}
    assert needles.keys_in("handed to Agent\nLopez at the gate") == {lopez}
    assert needles.keys_in("handed to SA. Lopez-\nArriaga") >= {arriaga}
    assert needles.keys_in("Lopez Street is closed; call (202)\n555-0143") == {phone}  # no title
    assert needles.keys_in("nothing here") == set()
