"""Scoring shared by the quality benchmarks: proposals against gold, by characters (samples' answer
files) or by area on the page (the evaluation set's gold boxes), plus the leak check after apply.

Definitions (issue 4): a gold span is found when proposals cover at least 90% of each of its boxes; a
proposal is right when at least 50% of it lies in gold; an over-redaction is a proposal touching a
must-keep string; a found span's code is right when the codes of the proposals over it include every
gold code; a leak is a found span whose text can still be extracted after apply (or apply failing).
"""
from __future__ import annotations

import regex as re

FOUND_COVER, RIGHT_COVER = 0.9, 0.5
# Word boxes span a line's full ascent and descent, so boxes of neighbouring lines overlap a little;
# "touching" is tested on the central band of each box (as apply removes text under that band).
TOUCH_TRIM = 0.3

Box = list[float]


def ratio(a: int, b: int) -> float:
    return round(a / b, 3) if b else 1.0


def recall_by_kind(kinds: dict[str, list[int]]) -> dict[str, float]:
    """{kind: recall} from {kind: [gold, found]}, printed as a table first (the character-scored
    benchmarks: samples and reconstructions)."""
    print("\nrecall by kind:")
    for kind, (g, f) in sorted(kinds.items()):
        print(f"  {kind:14} {f:>4}/{g:<4} {ratio(f, g)}")
    return {k: ratio(f, g) for k, (g, f) in sorted(kinds.items())}


# -- by characters (samples) ------------------------------------------------------------------------------------
def occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    """Every place `needle` appears in `text`, whitespace and line-end hyphens flexible; a word
    without spaces (a URL, a code) may also wrap at the line end after / . or -."""
    def flexible(part: str) -> str:
        return "".join(re.escape(c) + (r"\n?" if c in "/.-" else "") for c in part)
    parts = [flexible(p) for p in needle.split()]
    pattern = r"(?<!\w)" + r"(?:\s+|-?\n)".join(parts) + r"(?!\w)"
    return [(m.start(), m.end()) for m in re.finditer(pattern, text)]


def covered(span: tuple[int, int], spans: list[tuple[int, int]]) -> float:
    chars = set()
    for s, e in spans:
        chars.update(range(max(s, span[0]), min(e, span[1])))
    return len(chars) / max(span[1] - span[0], 1)


# -- by area (evaluation set) -----------------------------------------------------------------------------------
def area(b: Box) -> float:
    return max(b[2] - b[0], 0.0) * max(b[3] - b[1], 0.0)


def intersect(a: Box, b: Box) -> Box | None:
    box = [max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])]
    return box if box[0] < box[2] and box[1] < box[3] else None


def union_area(boxes: list[Box]) -> float:
    """Area of the union of rectangles (coordinate compression: exact, boxes per page are few)."""
    boxes = [b for b in boxes if area(b) > 0]
    if not boxes:
        return 0.0
    xs = sorted({b[0] for b in boxes} | {b[2] for b in boxes})
    total = 0.0
    for x0, x1 in zip(xs, xs[1:]):
        spans = sorted((b[1], b[3]) for b in boxes if b[0] <= x0 and b[2] >= x1)
        covered_y, end = 0.0, None
        for y0, y1 in spans:
            if end is None or y0 > end:
                covered_y += y1 - y0
                end = y1
            elif y1 > end:
                covered_y += y1 - end
                end = y1
        total += covered_y * (x1 - x0)
    return total


def coverage(target: Box, boxes: list[Box]) -> float:
    """Share of `target`'s area covered by the union of `boxes`."""
    if area(target) <= 0:
        return 0.0
    parts = [p for p in (intersect(target, b) for b in boxes) if p]
    return union_area(parts) / area(target)


def share_inside(boxes: list[Box], region: list[Box]) -> float:
    """Share of the area of the union of `boxes` that lies inside the union of `region`."""
    total = union_area(boxes)
    if total <= 0:
        return 0.0
    parts = [p for b in boxes for r in region if (p := intersect(b, r))]
    return union_area(parts) / total


def band(b: Box, trim: float = TOUCH_TRIM) -> Box:
    h = (b[3] - b[1]) * trim
    return [b[0], b[1] + h, b[2], b[3] - h]


def touches(a: list[Box], b: list[Box]) -> bool:
    return any(intersect(band(x), band(y)) for x in a for y in b)


# -- leaks after apply ------------------------------------------------------------------------------------------
def tokens(text: str) -> set[str]:
    return {t for t in re.findall(r"[\p{L}\p{N}][\p{L}\p{N}@.\-']*[\p{L}\p{N}]|\p{N}", text)}


def words_under(page_words: list, boxes: list[Box]) -> list[str]:
    """Text of the output page's words whose centre lies in one of `boxes`."""
    out = []
    for w in page_words:
        cx, cy = (w[0] + w[2]) / 2, (w[1] + w[3]) / 2
        if any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes):
            out.append(w[4])
    return out


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
