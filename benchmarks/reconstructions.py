"""Recall and precision of `propose` on reconstructions of released records: each exemption
marker of a released record filled back in with what was plausibly withheld.

    python benchmarks/reconstructions.py [--misses] [DIR]     (default: benchmarks/data/reconstructed)

A reconstruction is a released record (text) whose markers were replaced by fills written
`[[kind|codes|text]]` (see the folder's README). Each record is laid out as a PDF the way
`released_records.py` lays out released records, and run through `propose` with its record
context inferred, as the CLI does. Scored by characters, as the samples are:

- a fill is found when proposals cover at least 90% of its characters;
- a proposal is right when at least 50% of its characters lie in fills; every other proposal
  is an over-redaction, since everything outside the fills is what the agency released;
- a found fill's code is right when the codes of the proposals over it include every code of
  its marker;
- leaks: fills whose text is still extractable after apply (apply stops the release).

Prints every record, then recall by kind and overall; the last line is one JSON summary.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import regex as re

from redactor.apply import apply_proposals
from redactor.errors import VerificationError
from redactor.pipeline import propose

from released_records import text_to_pdf  # the same layout as the released records
from scoring import FOUND_COVER, RIGHT_COVER, covered, ratio, recall_by_kind

HERE = Path(__file__).resolve().parent
DEFAULT = HERE / "data" / "reconstructed"
FILL = re.compile(r"\[\[(?P<kind>\w+)\|(?P<codes>[^|\]]+)\|(?P<text>[^\]]+?)\]\]")
PERSONAL = {"person", "phone", "email", "id"}
CONTENT = {"technique", "statistic", "deliberative"}
MARKDOWN = re.compile(r"[*#]+")  # text_to_pdf drops markdown emphasis and headings


def parse(source: str) -> tuple[str, list[dict]]:
    """The record's text with its fills in place, and the fills in reading order, each with how
    many earlier places of the record read the same words (to find it again on the laid-out pages)."""
    fills, pieces, pos = [], [], 0
    for m in FILL.finditer(source):
        pieces.append(MARKDOWN.sub("", source[pos:m.start()]))
        start = sum(map(len, pieces))
        text = MARKDOWN.sub("", m.group("text"))
        pieces.append(text)
        fills.append({"kind": m.group("kind"), "codes": m.group("codes").split(","), "text": text, "start": start})
        pos = m.end()
    pieces.append(MARKDOWN.sub("", source[pos:]))
    plain = "".join(pieces)
    for fill in fills:
        end = fill["start"] + len(fill["text"])
        fill["pattern"] = _pattern(fill["text"], glued=plain[end:end + 1].isalnum())
        fill["rank"] = sum(1 for m in fill["pattern"].finditer(plain) if m.start() < fill["start"])
    return plain, fills


def _pattern(text: str, glued: bool) -> re.Pattern:
    """The fill as laid out: any run of spaces may be a line break, a URL may wrap after / or ., and
    a hyphen at a line end may be gone once the loader joins the word ("court-" / "authorized"). A fill the record prints
    glued to a following letter ("…Hollis]]I –") has no word boundary after it."""
    def char(c: str) -> str:  # a URL or a code may also wrap after / or .
        return "-?\n?" if c == "-" else re.escape(c) + "\n?" if c in "/." else re.escape(c)
    words = ["".join(map(char, word)) for word in text.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + ("" if glued else r"(?!\w)"))


def evaluate(path: Path, tmp: Path) -> dict:
    plain, fills = parse(path.read_text(encoding="utf-8"))
    pdf = tmp / f"{path.stem}.pdf"
    text_to_pdf(plain, pdf)
    result = propose(pdf)
    document, proposals = result.document, result.proposal_set.proposals
    by_page = defaultdict(list)
    for p in proposals:
        by_page[p.page].append(p)
    r = {"doc": path.name, "gold": len(fills), "found": 0, "proposals": len(proposals), "right": 0, "code_ok": 0,
         "by_kind": defaultdict(lambda: [0, 0]), "misses": [], "over_list": [], "context": result.proposal_set.record_context or "?"}
    gold_spans = defaultdict(list)
    for fill in fills:
        r["by_kind"][fill["kind"]][0] += 1
        places = [(page.number, m.span()) for page in document.pages for m in fill["pattern"].finditer(page.text)]
        if fill["rank"] >= len(places):
            r["misses"].append(f"[{fill['kind']}] fill not located in the PDF text: {fill['text']!r}")
            continue
        page, span = places[fill["rank"]]
        gold_spans[page].append(span)
        props = by_page[page]
        cover = covered(span, [(p.start, p.end) for p in props])
        if cover < FOUND_COVER:
            r["misses"].append(f"p{page + 1} [{fill['kind']}] {fill['text']!r} (covered {cover:.0%})")
            continue
        r["found"] += 1
        r["by_kind"][fill["kind"]][1] += 1
        codes = {c for p in props if p.start < span[1] and p.end > span[0] for c in p.codes}
        if set(fill["codes"]) <= codes:
            r["code_ok"] += 1
        else:
            r["misses"].append(f"p{page + 1} codes {sorted(codes)} for {fill['text'][:80]!r}, gold {fill['codes']}")
    for page, props in by_page.items():
        for p in props:
            if covered((p.start, p.end), gold_spans[page]) >= RIGHT_COVER:
                r["right"] += 1
            else:
                r["over_list"].append(f"p{page + 1} {p.entity} {p.text!r} ({p.recognizer})")
    try:
        apply_proposals(pdf, result.proposal_set, tmp / f"{path.stem}.redacted.pdf")
        r["leaks"] = 0
    except VerificationError as exc:
        r["leaks"] = len(exc.leaks)
    return r


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--misses", action="store_true", help="list every miss and over-redaction")
    args = parser.parse_args()
    files = sorted(args.folder.glob("*.txt"))
    if not files:
        print(f"no reconstructions (*.txt) in {args.folder}", file=sys.stderr)
        return 2
    totals, kinds = defaultdict(int), defaultdict(lambda: [0, 0])
    print(f"{'record':58} {'context':16} {'gold':>4} {'found':>5} {'recall':>6} {'props':>5} {'prec':>5} {'over':>4}")
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            r = evaluate(path, Path(tmp))
            for key in ("gold", "found", "proposals", "right", "code_ok", "leaks"):
                totals[key] += r[key]
            for kind, (g, f) in r["by_kind"].items():
                kinds[kind][0] += g
                kinds[kind][1] += f
            print(f"{r['doc']:58} {r['context']:16} {r['gold']:>4} {r['found']:>5} {ratio(r['found'], r['gold']):>6} "
                  f"{r['proposals']:>5} {ratio(r['right'], r['proposals']):>5} {len(r['over_list']):>4}")
            if args.misses:
                for label, items in (("miss", r["misses"]), ("over", r["over_list"])):
                    for item in items:
                        print(f"    {label}: {item}")
    by_kind = recall_by_kind(kinds)

    def share(group: set[str]) -> float:
        return ratio(sum(kinds[k][1] for k in group if k in kinds), sum(kinds[k][0] for k in group if k in kinds))
    summary = {
        "records": len(files), "gold": totals["gold"], "found": totals["found"],
        "recall": ratio(totals["found"], totals["gold"]), "recall_personal": share(PERSONAL),
        "recall_content": share(CONTENT), "proposals": totals["proposals"],
        "precision": ratio(totals["right"], totals["proposals"]),
        "over_redactions": totals["proposals"] - totals["right"],
        "code_accuracy": ratio(totals["code_ok"], totals["found"]), "leaks": totals["leaks"],
        "recall_by_kind": by_kind,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
