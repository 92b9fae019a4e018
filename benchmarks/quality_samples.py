"""Recall, precision and over-redaction of `propose` on the bundled samples, against their
answer files (samples/answers/*.yaml), plus the leak count after apply.

    python benchmarks/quality_samples.py [--samples samples] [--misses]

A gold occurrence (every place an answer `withhold` string appears) is found when
proposals cover at least 90% of its characters; a proposal is right when at least 50% of
its characters lie in gold occurrences; an over-redaction is a proposal touching a `keep`
string. The last line is one JSON summary.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import yaml

from redactor.apply import apply_proposals
from redactor.codes import Policy, code_findings
from redactor.detect import detect, get_detector
from redactor.errors import VerificationError
from redactor.load import load_document

from scoring import FOUND_COVER, RIGHT_COVER, covered, occurrences, ratio, recall_by_kind  # shared with quality.py


def evaluate(pdf: Path, answer: dict, policy: Policy, detector) -> dict:
    document = load_document(pdf)
    findings = detect(document, detector)
    proposal_set, _ = code_findings(document, findings, policy, answer.get("record_context"))
    props_by_page = defaultdict(list)
    for p in proposal_set.proposals:
        props_by_page[p.page].append(p)

    result = {"doc": pdf.name, "gold": 0, "found": 0, "proposals": len(proposal_set.proposals),
              "right": 0, "over": 0, "keep": 0, "code_ok": 0, "misses": [], "wrong": [],
              "over_list": [], "by_kind": defaultdict(lambda: [0, 0])}
    gold_spans = defaultdict(list)
    for item in answer.get("withhold") or []:
        if not any(occurrences(page.text, item["text"]) for page in document.pages):
            result["misses"].append(f"gold text not located in the PDF text: {item['text']!r}")
        for page in document.pages:
            for span in occurrences(page.text, item["text"]):
                gold_spans[page.number].append(span)
                result["gold"] += 1
                result["by_kind"][item["kind"]][0] += 1
                spans = [(p.start, p.end) for p in props_by_page[page.number]]
                if covered(span, spans) >= FOUND_COVER:
                    result["found"] += 1
                    result["by_kind"][item["kind"]][1] += 1
                    codes = {c for p in props_by_page[page.number]
                             if p.start < span[1] and p.end > span[0] for c in p.codes}
                    if set(item["codes"]) <= codes:
                        result["code_ok"] += 1
                    else:
                        result["misses"].append(f"p{page.number + 1} codes {sorted(codes)} for "
                                                f"{item['text']!r}, gold {item['codes']}")
                else:
                    result["misses"].append(f"p{page.number + 1} [{item['kind']}] {item['text']!r}")
    keep_spans = defaultdict(list)
    for text in answer.get("keep") or []:
        for page in document.pages:
            found = occurrences(page.text, text)
            keep_spans[page.number] += found
            result["keep"] += len(found)
    for page_no, props in props_by_page.items():
        for p in props:
            span = (p.start, p.end)
            if covered(span, gold_spans[page_no]) >= RIGHT_COVER:
                result["right"] += 1
            else:
                result["wrong"].append(f"p{page_no + 1} {p.entity} {p.text!r} ({p.recognizer})")
            if any(s < p.end and e > p.start for s, e in keep_spans[page_no]):
                result["over"] += 1
                result["over_list"].append(f"p{page_no + 1} {p.entity} {p.text!r}")
    with tempfile.TemporaryDirectory() as tmp:
        try:
            apply_proposals(pdf, proposal_set, Path(tmp) / "out.pdf")
            result["leaks"] = 0
        except VerificationError as exc:
            result["leaks"] = len(exc.leaks)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=Path(__file__).resolve().parent.parent / "samples")
    parser.add_argument("--misses", action="store_true", help="list every miss, wrong proposal and over-redaction")
    args = parser.parse_args()
    policy, detector = Policy.load(), get_detector()
    answers = sorted((args.samples / "answers").glob("*.yaml"))
    if not answers:
        print(f"no answer files in {args.samples / 'answers'}", file=sys.stderr)
        return 2
    totals = defaultdict(int)
    kinds = defaultdict(lambda: [0, 0])
    print(f"{'document':34} {'gold':>5} {'found':>5} {'recall':>7} {'props':>5} {'prec':>6} {'over':>4} {'leaks':>5}")
    for path in answers:
        answer = yaml.safe_load(path.read_text(encoding="utf-8"))
        r = evaluate(args.samples / answer["doc"], answer, policy, detector)
        for key in ("gold", "found", "proposals", "right", "over", "keep", "code_ok", "leaks"):
            totals[key] += r[key]
        for kind, (g, f) in r["by_kind"].items():
            kinds[kind][0] += g
            kinds[kind][1] += f
        print(f"{r['doc']:34} {r['gold']:>5} {r['found']:>5} {ratio(r['found'], r['gold']):>7} "
              f"{r['proposals']:>5} {ratio(r['right'], r['proposals']):>6} {r['over']:>4} {r['leaks']:>5}")
        if args.misses:
            for label, items in (("miss", r["misses"]), ("wrong", r["wrong"]), ("over", r["over_list"])):
                for item in items:
                    print(f"    {label}: {item}")
    by_kind = recall_by_kind(kinds)
    summary = {
        "documents": len(answers), "gold": totals["gold"], "found": totals["found"],
        "recall": ratio(totals["found"], totals["gold"]), "proposals": totals["proposals"],
        "precision": ratio(totals["right"], totals["proposals"]),
        "over_redactions": totals["over"], "keep_strings": totals["keep"],
        "over_redaction_rate": ratio(totals["over"], totals["keep"]) if totals["keep"] else 0.0,
        "code_accuracy": ratio(totals["code_ok"], totals["found"]), "leaks": totals["leaks"],
        "recall_by_kind": by_kind,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
