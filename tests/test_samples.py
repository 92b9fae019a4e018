"""The demo's main job, `redactor redact samples/`, run as a person runs it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pymupdf

from redactor.codes import load_code_set
import pytest
import yaml

from conftest import ROOT, SAMPLES, run_cli, sha256

SCHEMA = json.loads((ROOT / "redactor" / "data" / "proposals.schema.json").read_text())
ANSWERS = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((SAMPLES / "answers").glob("*.yaml"))}


def _squash(text: str) -> str:
    return " ".join(text.split())


UNLABELED: dict[str, set[str]] = {}  # proposal ids whose boxes were too small for any label


@pytest.fixture(scope="module")
def redacted(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("released")
    before = {p.name: sha256(p) for p in SAMPLES.glob("*.pdf")}
    r = run_cli("redact", SAMPLES, "--out", out)
    assert r.returncode == 0, r.stdout + r.stderr
    assert {p.name: sha256(p) for p in SAMPLES.glob("*.pdf")} == before, "originals must not change"
    for line in r.stderr.splitlines():  # "warning: FILE: boxes too small to print their codes: p-0003, ..."
        if "too small to print" in line:
            name = Path(line.split("warning:")[1].split(":")[0].strip()).stem
            UNLABELED[name] = {i.strip() for i in line.rsplit(":", 1)[1].split(",")}
    return out


FOIA = load_code_set("foia")


def test_there_are_samples_of_every_genre():
    genres = {a["genre"] for a in ANSWERS.values()}
    assert len(ANSWERS) >= 6
    assert {"memo", "slides", "email", "letter", "press_release"} <= genres or len(genres) >= 6
    for name, answer in ANSWERS.items():
        assert (SAMPLES / answer["doc"]).exists(), name
        assert (SAMPLES / "src" / f"{name}.html").exists(), name


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_each_sample_is_redacted_verified_and_marked(redacted: Path, name: str):
    answer = ANSWERS[name]
    stem = Path(answer["doc"]).stem
    data = json.loads((redacted / f"{stem}.proposals.json").read_text())
    jsonschema.validate(data, SCHEMA)
    out = pymupdf.open(redacted / f"{stem}.redacted.pdf")
    text = _squash(" ".join(page.get_text() for page in out))
    for p in data["proposals"]:
        assert _squash(p["text"]) not in text or len(p["text"]) < 4, p["text"]
        page = out[p["page"]]
        inside = " ".join(page.get_text("text", clip=pymupdf.Rect(b)) for b in p["boxes"])
        # the codes are printed at the place of deletion (short form when the box is small)
        marks = [form for c in p["codes"] for form in (FOIA.get(c).printed, FOIA.get(c).short)]
        assert any(mark in inside for mark in marks) or \
            p["id"] in UNLABELED.get(stem, set()), (p["id"], inside)
    raw = (redacted / f"{stem}.redacted.pdf").read_bytes()
    for secret in answer.get("metadata_secrets") or []:
        assert secret not in str(out.metadata) and secret.encode() not in raw


def test_press_release_comes_out_untouched(redacted: Path):
    for answer in ANSWERS.values():
        if answer.get("record_context") != "public":
            continue
        stem = Path(answer["doc"]).stem
        data = json.loads((redacted / f"{stem}.proposals.json").read_text())
        assert data["proposals"] == [] and data["record_context"] == "public"
        original = _squash(" ".join(p.get_text() for p in pymupdf.open(SAMPLES / answer["doc"])))
        released = _squash(" ".join(p.get_text() for p in pymupdf.open(redacted / f"{stem}.redacted.pdf")))
        assert released == original
        for keep in answer["keep"]:
            assert _squash(keep) in released


def test_quality_benchmark_prints_a_summary():
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "quality_samples.py")],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert summary["documents"] == len(ANSWERS)
    assert {"recall", "precision", "over_redactions", "code_accuracy", "leaks"} <= set(summary)
    assert summary["leaks"] == 0
