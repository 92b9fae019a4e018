"""The reconstructions benchmark (benchmarks/reconstructions.py): the fills take their markers' places,
every fill is found again on the laid-out pages, a record laid out loses no text, and the script runs
through its entry point and can fail."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import reconstructions  # noqa: E402
from released_records import text_to_pdf  # noqa: E402
from redactor.load import load_document  # noqa: E402

DATA = ROOT / "benchmarks" / "data" / "reconstructed"
RELEASED = ROOT / "benchmarks" / "data" / "released"
MARKER = re.compile(r"\(b\)\s?\(\d\)")


def test_every_record_with_markers_has_its_reconstruction_and_no_marker_is_left():
    with_markers = {p.name for p in RELEASED.glob("*.txt") if MARKER.search(p.read_text(encoding="utf-8"))}
    assert with_markers <= {p.name for p in DATA.glob("*.txt")}
    kinds = set()
    for path in DATA.glob("*.txt"):
        plain, fills = reconstructions.parse(path.read_text(encoding="utf-8"))
        assert fills, path.name
        kinds |= {f["kind"] for f in fills}
        assert "[[" not in plain and "]]" not in plain, path.name
    assert kinds <= {"person", "phone", "email", "id", "location", "technique", "statistic", "deliberative", "other"}


@pytest.mark.parametrize("name", ["05_usms_email_chain_operation_press_2013.txt", "seed_000.txt"])
def test_a_long_record_is_laid_out_whole_and_every_fill_is_found_again(tmp_path, name):
    plain, fills = reconstructions.parse((DATA / name).read_text(encoding="utf-8"))
    pdf = tmp_path / "r.pdf"
    text_to_pdf(plain, pdf)
    pages = load_document(pdf).pages
    laid_out = " ".join(" ".join(p.text for p in pages).split())
    last = " ".join(plain.strip().splitlines()[-1].split())[:30]
    assert last in laid_out  # the end of the record is on the pages (MuPDF's Story once dropped it)
    for fill in fills:
        places = [m for p in pages for m in fill["pattern"].finditer(p.text)]
        assert fill["rank"] < len(places), fill["text"]


def test_the_script_runs_and_a_record_with_nothing_found_scores_zero(tmp_path):
    folder = tmp_path / "recon"
    folder.mkdir()
    (folder / "one.txt").write_text(
        "MEMORANDUM FOR: Port Directors\n"
        "For questions, contact Program Manager [[person|(b)(6),(b)(7)(C)|Marisol T. Quarrington]] at "
        "(202) [[phone|(b)(6),(b)(7)(C)|555-0147]].\n"
        "The schedule is [[other|(b)(7)(E)|kept on a shelf]].\n", encoding="utf-8")
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "reconstructions.py"), str(folder), "--misses"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert summary["gold"] == 3 and summary["found"] == 2  # the name and the number; not the plain words
    assert summary["recall_by_kind"] == {"other": 0.0, "person": 1.0, "phone": 1.0}
    assert "miss: " in r.stdout and "kept on a shelf" in r.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    assert subprocess.run([sys.executable, str(ROOT / "benchmarks" / "reconstructions.py"), str(empty)],
                          capture_output=True, text=True).returncode == 2
