"""Shared fixtures: the real `redactor` entry point, and small PDFs made on the fly."""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
REDACTOR = Path(sys.executable).parent / "redactor"  # the installed console script


@pytest.fixture(autouse=True)
def keep_main_module():
    """Streamlit's AppTest installs the app as sys.modules["__main__"] and leaves it there, so a
    later "spawn" child (batch workers, the fuzz runner) would re-run app.py on start-up."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


def run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(REDACTOR), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_pdf(path: Path, lines: list[str], fontsize: float = 11, leading: float = 1.6, **save_kwargs) -> Path:
    """A one-page text PDF with each line at a fixed position (as a memo would have). At the
    default leading each line is a paragraph of its own; at 1.3 the lines wrap one paragraph."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = 72
    for line in lines:
        page.insert_text((72, y), line, fontsize=fontsize, fontname="helv")
        y += fontsize * leading
    doc.save(path, **save_kwargs)
    doc.close()
    return path


@pytest.fixture
def memo_pdf(tmp_path: Path) -> Path:
    return make_pdf(tmp_path / "memo.pdf", [
        "MEMORANDUM FOR: Directors, Field Operations",
        "The meeting was led by SA Rebecca Thornton of the Laredo field office.",
        "Questions go to Paul Brennan at (202) 555-0143 or paul.brennan@cbp.dhs.gov.",
        "U.S. Customs and Border Protection will report on Operation Sandpiper in May 2009.",
    ])
