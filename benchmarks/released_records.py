"""Over-redaction on records as agencies released them: every proposal is a defect.

    python benchmarks/released_records.py [DIR ...]
        (default: ../shared/seeds and benchmarks/data/released)

Each released record (text, its withholdings already replaced by markers such as
"(b)(6),(b)(7)(C)") is laid out as a PDF and run through `propose`. What remains in a
released record is what the agency chose to release, so any proposal on it over-redacts.
`../shared/seeds/` holds five real released records; `benchmarks/data/released/` holds
fictional records written in the same style (see its README), for precision only.

Every proposal is printed under its record, then totals per folder and overall. The last
line is one JSON summary: the overall "records", "pages", "over_redactions" and
"over_redactions_per_page", and "folders", the same figures for each folder.
"""
from __future__ import annotations

import html
import json
import os
import re
import sys
import tempfile
from pathlib import Path

import pymupdf

from redactor.pipeline import propose

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parent.parent / "shared" / "seeds"
FICTIONAL = HERE / "data" / "released"
DEFAULTS = [SEEDS, FICTIONAL]


PAGE = pymupdf.Rect(54, 54, 558, 738)  # letter size, ¾-inch margins
CSS = "p{font-size:10pt;margin:2pt}"


def _story(paragraphs: list[str]) -> pymupdf.Story:
    return pymupdf.Story(html="<body>" + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs) + "</body>",
                         user_css=CSS)


def _fits(paragraphs: list[str]) -> bool:
    more, filled = _story(paragraphs).place(PAGE)
    return not more and filled[3] <= PAGE.y1


def text_to_pdf(text: str, out: Path) -> None:
    """Each line a paragraph, filled page by page. (MuPDF's Story, asked to paginate a long body
    itself, at times reports that everything fitted and drops the rest of the record.)"""
    text = re.sub(r"[*#]+", "", text)  # markdown emphasis of the text dumps
    paragraphs = [line for line in text.splitlines() if line.strip()]
    writer = pymupdf.DocumentWriter(str(out))
    first = 0
    while first < len(paragraphs):
        last = first + 1
        while last < len(paragraphs) and _fits(paragraphs[first:last + 1]):
            last += 1
        device = writer.begin_page(pymupdf.paper_rect("letter"))
        story = _story(paragraphs[first:last])
        story.place(PAGE)
        story.draw(device)
        writer.end_page()
        first = last
    writer.close()


def _totals(records: int, pages: int, over: int) -> dict:
    return {"records": records, "pages": pages, "over_redactions": over,
            "over_redactions_per_page": round(over / pages, 3) if pages else 0.0}


def _label(folder: Path) -> str:
    return os.path.relpath(folder.resolve(), Path.cwd().resolve())


def run_folder(folder: Path, tmp: Path) -> dict:
    files = sorted(folder.glob("*.txt"))
    over = pages = 0
    print(f"== {_label(folder)}")
    for f in files:
        pdf = tmp / f"{f.parent.name}-{f.stem}.pdf"
        text_to_pdf(f.read_text(encoding="utf-8"), pdf)
        result = propose(pdf)
        n = len(result.proposal_set.proposals)
        with pymupdf.open(pdf) as doc:
            pages += doc.page_count
        over += n
        print(f"{f.name:56} {n:>3} proposals")
        for p in result.proposal_set.proposals:
            print(f"    p{p.page + 1} {p.entity} {p.text!r} ({p.recognizer})")
    totals = _totals(len(files), pages, over)
    print(f"   {_label(folder)}: {totals['records']} records, {totals['pages']} pages, "
          f"{totals['over_redactions']} over-redactions, "
          f"{totals['over_redactions_per_page']} per page\n")
    return totals


def main(argv: list[str]) -> int:
    explicit = bool(argv)
    folders = [Path(a) for a in argv] if explicit else DEFAULTS
    usable = []
    for folder in folders:
        if any(folder.glob("*.txt")):
            usable.append(folder)
        elif explicit:
            print(f"no released records (*.txt) in {folder}", file=sys.stderr)
            return 2
        else:
            print(f"skipped {folder}: no released records (*.txt)", file=sys.stderr)
    if not usable:
        print("no released records (*.txt) in " + ", ".join(map(str, folders)), file=sys.stderr)
        return 2
    per_folder: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for folder in usable:
            per_folder[_label(folder)] = run_folder(folder, Path(tmp))
    overall = _totals(*(sum(t[k] for t in per_folder.values())
                        for k in ("records", "pages", "over_redactions")))
    print(f"overall: {overall['records']} records, {overall['pages']} pages, "
          f"{overall['over_redactions']} over-redactions, "
          f"{overall['over_redactions_per_page']} per page")
    print(json.dumps({**overall, "folders": per_folder}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
