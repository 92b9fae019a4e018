"""Table columns read from where the words stand on the page.

A grid's text runs cell by cell, and a cell that wraps adds lines, so a column cannot be told by
counting lines. The page's word boxes can tell it: a column starts where its header starts, a row
starts where most columns start a line at the same height, and a cell is what lies in its column
between one row's start and the next. detect.py reads the cells under columns that place the
agency's people or evidence ("Post", "Evidence room") as operational sites.
"""
from __future__ import annotations

from dataclasses import dataclass

import regex as re

from .models import Page

SAME_HEIGHT = 2.0  # points: lines this close in y stand on one row
COLUMN_SLACK = 3.0  # points: a cell may start this far left of its header
ROW_SHARE = 0.75  # a row starts where this share of the columns start a line
CELL_WORDS = 14  # a longer line is prose, not a cell


@dataclass
class Line:
    x0: float
    y0: float
    x1: float
    y1: float
    start: int  # offsets in page.text
    end: int


@dataclass
class Cell:
    start: int
    end: int
    header: str


def page_lines(page: Page) -> list[Line]:
    """The page's lines (a block's line of words), top to bottom, left to right."""
    lines: dict[tuple[int, int], Line] = {}
    for word, (start, end) in zip(page.words, page.word_spans):
        key = (word.block, word.line)
        line = lines.get(key)
        if line is None:
            lines[key] = Line(word.x0, word.y0, word.x1, word.y1, start, end)
        else:
            line.x0, line.y0 = min(line.x0, word.x0), min(line.y0, word.y0)
            line.x1, line.y1 = max(line.x1, word.x1), max(line.y1, word.y1)
            line.start, line.end = min(line.start, start), max(line.end, end)
    return sorted(lines.values(), key=lambda line: (round(line.y0), line.x0))


def cells_under(page: Page, columns: set[str], beside: dict[str, set[str]] | None = None) -> list[Cell]:
    """Each cell under a header named in `columns`, or in `beside` when one of the headers listed
    for it stands in the same header row (all lower case), in every grid of the page."""
    lines = page_lines(page)
    text = page.text
    beside = beside or {}
    cells: list[Cell] = []
    for header in lines:
        name = _header_name(text, header)
        if name not in columns and name not in beside:
            continue
        row = [line for line in lines if abs(line.y0 - header.y0) <= SAME_HEIGHT]
        # a header row: three headers at least, each a few words
        if len(row) < 3 or any(len(text[line.start:line.end].split()) > 4 for line in row):
            continue
        if name not in columns and not beside[name] & {_header_name(text, line) for line in row}:
            continue
        starts = sorted(line.x0 for line in row)
        cells += _column_cells(lines, text, header, starts, text[header.start:header.end])
    return cells


def _header_name(text: str, line: Line) -> str:
    return " ".join(text[line.start:line.end].split()).rstrip(":").lower()


def _column_cells(lines: list[Line], text: str, header: Line, starts: list[float], name: str) -> list[Cell]:
    left = header.x0 - COLUMN_SLACK
    right = next((x - COLUMN_SLACK for x in starts if x > header.x0 + COLUMN_SLACK), float("inf"))
    head_bottom = max(line.y1 for line in lines if abs(line.y0 - header.y0) <= SAME_HEIGHT)
    # the header's own wrapped lines ("Met security" / "standards") are not cells
    body = [line for line in lines if line.y0 > head_bottom - SAME_HEIGHT
            and not (line.y0 < head_bottom + SAME_HEIGHT and line.x0 >= starts[0] - COLUMN_SLACK)]
    grid: list[Line] = []
    for line in body:
        column = _column_of(line.x0, starts)
        next_start = next((x for x in starts if x > starts[column] + COLUMN_SLACK), float("inf")) if column >= 0 else 0
        spans_columns = line.x1 > next_start + COLUMN_SLACK
        if column < 0 or spans_columns or len(text[line.start:line.end].split()) > CELL_WORDS:
            break  # prose across the columns, or left of the grid: the grid has ended
        grid.append(line)
    # a row starts where most columns start a line at the same height
    heights: list[float] = []
    for line in grid:
        if heights and abs(line.y0 - heights[-1]) <= SAME_HEIGHT:
            continue
        level = {_column_of(other.x0, starts) for other in grid if abs(other.y0 - line.y0) <= SAME_HEIGHT}
        if len(level) >= max(2, ROW_SHARE * len(starts)):
            heights.append(line.y0)
    cells = []
    for i, top in enumerate(heights):
        bottom = heights[i + 1] - SAME_HEIGHT if i + 1 < len(heights) else float("inf")
        mine = [line for line in grid if top - SAME_HEIGHT <= line.y0 < bottom and left <= line.x0 < right]
        cells += _cell_spans(mine, text, name)
    return cells


def _column_of(x: float, starts: list[float]) -> int:
    return max(i for i, start in enumerate(starts) if x >= start - COLUMN_SLACK) if x >= starts[0] - COLUMN_SLACK else -1


def _cell_spans(lines: list[Line], text: str, name: str) -> list[Cell]:
    """A cell's lines as one span where only line breaks part them in the text, else one a line."""
    spans: list[Cell] = []
    for line in sorted(lines, key=lambda line: line.start):
        if spans and not text[spans[-1].end:line.start].strip():
            spans[-1].end = line.end
        else:
            spans.append(Cell(line.start, line.end, name))
    return [cell for cell in spans if re.search(r"\p{L}", text[cell.start:cell.end])]
