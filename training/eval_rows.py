"""Training rows for the passage classifier from the evaluation set's tuning splits (never heldout).

Each sentence of a tuning split's pages is labelled from the split's gold: a technique or a
deliberative passage where gold of that kind covers most of it, an operational statistic where it
holds a withheld figure, and "release" where no withheld content touches it. A sentence only partly
covered is split into its clauses and labelled the same way; what is still mixed is left out.
Fragments (table cells, headings) are left out too: the classifier does not carry them alone.

    python training/eval_rows.py --splits dev,tune,probe,check,field,trial --out training/data/eval_tuning.jsonl

Deterministic: files, pages and sentences in order.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from redactor.load import load_document  # noqa: E402
from redactor.passages import clauses, sentences  # noqa: E402

GOLD = ROOT / "eval" / "gold"
CONTENT = ("technique", "statistic", "deliberative")
MIN_WORDS = 6
COVERED = 0.6  # a unit is a kind's example when gold of that kind covers this share of its characters


def gold_chars(document, gold: dict) -> dict[int, dict[str, set[int]]]:
    """Per page, per content kind: the character offsets of the words inside the kind's gold boxes."""
    marks: dict[int, dict[str, set[int]]] = {}
    for span in gold["withhold"]:
        if span["kind"] not in CONTENT:
            continue
        for occurrence in span["occurrences"]:
            page = document.pages[occurrence["page"]]
            chars = marks.setdefault(page.number, {k: set() for k in CONTENT})[span["kind"]]
            for word, (start, end) in zip(page.words, page.word_spans):
                cx, cy = (word.x0 + word.x1) / 2, (word.y0 + word.y1) / 2
                if any(x0 <= cx <= x1 and y0 <= cy <= y1 for x0, y0, x1, y1 in occurrence["boxes"]):
                    chars.update(range(start, end))
    return marks


def label(text: str, start: int, end: int, marks: dict[str, set[int]]) -> str | None:
    """The unit's label, or None where it is mixed."""
    letters = [i for i in range(start, end) if not text[i].isspace()]
    if not letters:
        return None
    share = {k: sum(i in marks[k] for i in letters) / len(letters) for k in CONTENT}
    if not any(share.values()):
        return "release"
    for kind in ("technique", "deliberative"):
        if share[kind] >= COVERED:
            return kind
    if share["statistic"] and not share["technique"] and not share["deliberative"]:
        return "statistic"
    return None


def rows_of(split: str) -> list[dict]:
    rows = []
    for path in sorted(GOLD.glob(f"{split}-*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        if gold.get("record_context") == "public":
            continue  # press releases: nothing withheld, and their prose is not an agency record's
        document = load_document(ROOT / "eval" / gold["doc"])
        marks = gold_chars(document, gold)
        for page in document.pages:
            page_marks = marks.get(page.number, {k: set() for k in CONTENT})
            for s, e in sentences(page.text):
                units = [(s, e)]
                if label(page.text, s, e, page_marks) is None:
                    units = [(cs, ce) for cs, ce in clauses(page.text[s:e])]
                    units = [(s + cs, s + ce) for cs, ce in units]
                for us, ue in units:
                    kind = label(page.text, us, ue, page_marks)
                    unit = " ".join(page.text[us:ue].split())
                    if kind and len(unit.split()) >= MIN_WORDS:
                        rows.append({"text": unit, "label": kind, "genre": gold["genre"], "hard": False,
                                     "source": f"eval/{split}"})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", default="dev,tune,probe,check,field,trial")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    splits = args.splits.split(",")
    if "heldout" in splits:
        sys.exit("heldout is never trained on")
    rows, seen = [], set()
    for split in splits:
        for row in rows_of(split):
            # one row per wording: template sentences that differ only in names and figures count once
            key = " ".join(w for w in row["text"].lower().split() if w.isalpha())
            if (key, row["label"]) not in seen:
                seen.add((key, row["label"]))
                rows.append(row)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    counts = {k: sum(r["label"] == k for r in rows) for k in (*CONTENT, "release")}
    print(f"{len(rows)} rows to {args.out}: {counts}")


if __name__ == "__main__":
    main()
