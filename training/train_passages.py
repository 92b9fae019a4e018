"""Train the passage classifier shipped in redactor/data/passage_model/.

A spaCy `textcat_multilabel` pipeline (no vectors, no download) that scores a sentence or a
clause as a law-enforcement technique, an operational statistic or a deliberative passage.
It is trained only on `training/data/*.jsonl`: sentences written for training, apart from the
evaluation set (eval/) and the bundled samples, so that `benchmarks/quality.py` measures it on
text it has never seen. The rule lexicons of data/passages.yaml and this model vote together
(redactor/passages.py).

    python training/train_passages.py            # train, report 5-fold figures, save
    python training/train_passages.py --folds 0  # train and save only

Deterministic: a fixed seed, a fixed order of files and lines.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import spacy
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "training" / "data"
OUT = ROOT / "redactor" / "data" / "passage_model"
LABELS = ("technique", "statistic", "deliberative")
SEED = 20261123

# A bag of words and word pairs beside a small CNN over word shapes and affixes: the CNN lets
# an unseen word that looks like a seen one ("geofenced", "pole-camera") count.
MODEL = {
    "@architectures": "spacy.TextCatEnsemble.v2",
    "tok2vec": {
        "@architectures": "spacy.Tok2Vec.v2",
        "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": 64,
                  "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"], "rows": [5000, 1000, 2500, 500],
                  "include_static_vectors": False},
        "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 64, "depth": 2,
                   "window_size": 1, "maxout_pieces": 3},
    },
    "linear_model": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False,
                     "ngram_size": 2, "no_output_layer": False, "length": 65536},
}


def load_rows(data: Path = DATA) -> list[dict]:
    rows = []
    for path in sorted(data.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if row["label"] not in (*LABELS, "release"):
                sys.exit(f"{path}:{number}: unknown label {row['label']!r}")
            rows.append(row)
    return rows


def build(rows: list[dict], epochs: int) -> spacy.Language:
    fix_random_seed(SEED)
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("textcat_multilabel", config={"model": MODEL, "threshold": 0.5})
    for label in LABELS:
        textcat.add_label(label)
    examples = [Example.from_dict(nlp.make_doc(r["text"]), {"cats": {lab: float(r["label"] == lab) for lab in LABELS}})
                for r in rows]
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(SEED)
    for epoch in range(epochs):
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=32):
            nlp.update(batch, sgd=optimizer, drop=0.2, losses=losses)
    return nlp


def evaluate(nlp: spacy.Language, rows: list[dict], threshold: float = 0.5) -> dict[str, dict[str, float]]:
    """Precision and recall per label (a sentence is predicted a label when its score ≥ threshold)."""
    docs = list(nlp.pipe([r["text"] for r in rows], batch_size=256))
    out = {}
    for label in LABELS:
        tp = sum(1 for r, d in zip(rows, docs) if r["label"] == label and d.cats[label] >= threshold)
        fp = sum(1 for r, d in zip(rows, docs) if r["label"] != label and d.cats[label] >= threshold)
        fn = sum(1 for r, d in zip(rows, docs) if r["label"] == label and d.cats[label] < threshold)
        out[label] = {"precision": tp / max(1, tp + fp), "recall": tp / max(1, tp + fn), "n": tp + fn}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--folds", type=int, default=5, help="k-fold cross-validation first (0: none)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--data", type=Path, default=DATA, help="folder of *.jsonl training rows")
    args = parser.parse_args()
    rows = load_rows(args.data)
    counts = {lab: sum(r["label"] == lab for r in rows) for lab in (*LABELS, "release")}
    print(f"{len(rows)} training sentences: {counts}")
    if args.folds:
        order = list(range(len(rows)))
        random.Random(SEED).shuffle(order)
        totals = {lab: [0.0, 0.0] for lab in LABELS}
        for k in range(args.folds):
            test = [rows[i] for i in order[k::args.folds]]
            train = [rows[i] for n, i in enumerate(order) if n % args.folds != k]
            scores = evaluate(build(train, args.epochs), test)
            for lab in LABELS:
                totals[lab][0] += scores[lab]["precision"] / args.folds
                totals[lab][1] += scores[lab]["recall"] / args.folds
        for lab in LABELS:
            print(f"  {args.folds}-fold {lab:13s} precision {totals[lab][0]:.3f}  recall {totals[lab][1]:.3f}")
    nlp = build(rows, args.epochs)
    nlp.meta.update({"name": "redactor_passages", "version": "1.0.0",
                     "description": "Technique / statistic / deliberative sentence classifier for redactor "
                                    "(trained by training/train_passages.py on training/data).",
                     "labels_trained_on": counts})
    args.out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(args.out)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"saved {args.out} ({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
