"""Over-redaction on records as agencies released them: every proposal is a defect.

    python benchmarks/released_records.py [SEEDS_DIR]     (default: ../shared/seeds)

Each released record (text, its withholdings already replaced by markers such as
"(b)(6),(b)(7)(C)") is laid out as a PDF and run through `propose`. What remains in a
released record is what the agency chose to release, so any proposal on it over-redacts.
The last line is one JSON summary.
"""
from __future__ import annotations

import html
import json
import re
import sys
import tempfile
from pathlib import Path

import pymupdf

from redactor.pipeline import propose

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


def text_to_pdf(text: str, out: Path) -> None:
    text = re.sub(r"[*#]+", "", text)  # markdown emphasis of the text dumps
    body = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    story = pymupdf.Story(html=f"<body>{body}</body>", user_css="p{font-size:10pt;margin:2pt}")
    writer = pymupdf.DocumentWriter(str(out))
    more = True
    while more:
        device = writer.begin_page(pymupdf.paper_rect("letter"))
        more, _ = story.place(pymupdf.Rect(54, 54, 558, 738))
        story.draw(device)
        writer.end_page()
    writer.close()


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    files = sorted(folder.glob("*.txt"))
    if not files:
        print(f"no released records (*.txt) in {folder}", file=sys.stderr)
        return 2
    total = pages = 0
    with tempfile.TemporaryDirectory() as tmp:
        for f in files:
            pdf = Path(tmp) / f"{f.stem}.pdf"
            text_to_pdf(f.read_text(encoding="utf-8"), pdf)
            result = propose(pdf)
            n = len(result.proposal_set.proposals)
            pages += pymupdf.open(pdf).page_count
            total += n
            print(f"{f.name:34} {n:>3} proposals")
            for p in result.proposal_set.proposals:
                print(f"    p{p.page + 1} {p.entity} {p.text!r} ({p.recognizer})")
    print(json.dumps({"records": len(files), "pages": pages, "over_redactions": total}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
