"""OCR speed and quality on scanned copies of the bundled samples.

    python benchmarks/ocr.py [--samples samples] [--dpi 150] [--skew 1.5]

Each sample is "scanned" (samples/scan.py: rasterised, skewed, speckled, JPEG) into an
image-only PDF, then:
  - OCR seconds per page: load_document (all pages OCR'd) with 1 and with 2 workers;
  - end-to-end seconds per page: propose + apply + verify of the scan (detector warmed);
  - recall of names: the words of PERSON proposals on the text-layer PDF, page by page,
    found among the words of PERSON proposals on the scan (word level: exact, and fuzzy =
    accents folded, similarity >= 0.8, as OCR misreads a letter), and whole names exact.
The last line is one JSON summary.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from difflib import SequenceMatcher
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "samples"))

from scan import scan_pdf  # noqa: E402

from redactor.apply import apply_proposals  # noqa: E402
from redactor.detect import get_detector  # noqa: E402
from redactor.load import load_document  # noqa: E402
from redactor.pipeline import propose  # noqa: E402


def name_words(proposals) -> Counter:
    words: Counter = Counter()
    for p in proposals:
        if p.entity == "PERSON":
            words.update((p.page, w.lower()) for w in re.findall(r"[A-Za-z][A-Za-z'-]+", p.text) if len(w) > 1)
    return words


def fold(word: str) -> str:
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()


def fuzzy_found(gold: Counter, got: Counter) -> int:
    """Gold name words matched, page by page, by a scan word within OCR's usual slips
    (accents dropped, one or two letters misread: similarity >= 0.8). The box drawn over
    a misread word still covers the name on the page."""
    found = 0
    for (page, word), count in gold.items():
        cands = [w for (pg, w), c in got.items() if pg == page for _ in range(c)]
        hit = sum(1 for w in cands if SequenceMatcher(None, fold(word), fold(w)).ratio() >= 0.8)
        found += min(count, hit)
    return found


def names(proposals) -> set[tuple[int, str]]:
    return {(p.page, " ".join(p.text.split())) for p in proposals if p.entity == "PERSON"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--samples", type=Path, default=ROOT / "samples")
    ap.add_argument("--dpi", type=int, default=150)
    ap.add_argument("--skew", type=float, default=1.5)
    args = ap.parse_args()
    t = time.perf_counter()
    get_detector()
    print(f"detector load (once per process): {time.perf_counter() - t:.1f} s")
    rows, totals = [], Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for src in sorted(args.samples.glob("*.pdf")):
            scan = scan_pdf(src, Path(tmp) / f"{src.stem}.scan.pdf", dpi=args.dpi, skew=args.skew, seed=1)
            pages = len(load_document(src).pages)
            timing = {}
            for workers in (1, 2):
                t = time.perf_counter()
                document = load_document(scan, ocr_workers=workers)
                timing[workers] = time.perf_counter() - t
            conf = [pg.ocr.confidence for pg in document.pages if pg.ocr and pg.ocr.confidence is not None]
            t = time.perf_counter()
            on_scan = propose(scan)
            apply_proposals(scan, on_scan.proposal_set, Path(tmp) / f"{src.stem}.redacted.pdf")
            e2e = time.perf_counter() - t
            on_text = propose(src)
            gold, got = name_words(on_text.proposal_set.proposals), name_words(on_scan.proposal_set.proposals)
            gold_names, got_names = names(on_text.proposal_set.proposals), names(on_scan.proposal_set.proposals)
            found = sum((gold & got).values())
            fuzzy = fuzzy_found(gold, got)
            totals.update(pages=pages, ocr1=timing[1], ocr2=timing[2], e2e=e2e, gold=sum(gold.values()),
                          found=found, fuzzy=fuzzy, gold_names=len(gold_names), found_names=len(gold_names & got_names))
            rows.append((src.stem, pages, timing[1] / pages, timing[2] / pages, e2e / pages,
                         min(conf) if conf else 0, found, fuzzy, sum(gold.values())))
    print(f"{'document':24} {'pages':>5} {'ocr s/p 1w':>10} {'ocr s/p 2w':>10} {'e2e s/p':>8} {'min conf':>8} {'name words exact / fuzzy':>24}")
    for stem, pages, o1, o2, e2e, conf, found, fuzzy, gold in rows:
        print(f"{stem:24} {pages:5d} {o1:10.2f} {o2:10.2f} {e2e:8.2f} {conf:8.1f} {found:7d}/{gold:<3d} {fuzzy:7d}/{gold:<3d}")
    n = totals["pages"]
    summary = {
        "pages": n, "dpi": args.dpi, "skew": args.skew,
        "ocr_s_per_page_1_worker": round(totals["ocr1"] / n, 2),
        "ocr_s_per_page_2_workers": round(totals["ocr2"] / n, 2),
        "end_to_end_s_per_page": round(totals["e2e"] / n, 2),
        "name_word_recall": round(totals["found"] / max(totals["gold"], 1), 3),
        "name_word_recall_fuzzy": round(totals["fuzzy"] / max(totals["gold"], 1), 3),
        "name_recall_exact": round(totals["found_names"] / max(totals["gold_names"], 1), 3),
    }
    print(f"all: {n} pages; OCR {summary['ocr_s_per_page_1_worker']} s/page with 1 worker, "
          f"{summary['ocr_s_per_page_2_workers']} s/page with 2; end to end {summary['end_to_end_s_per_page']} "
          f"s/page; names recall {totals['found']}/{totals['gold']} words = {summary['name_word_recall']} "
          f"(fuzzy {totals['fuzzy']}/{totals['gold']} = {summary['name_word_recall_fuzzy']}), "
          f"{totals['found_names']}/{totals['gold_names']} whole names = {summary['name_recall_exact']}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
