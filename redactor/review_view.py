"""What the reviewer (app.py) shows, as plain functions the app calls and the tests check:
a page rendered with every proposal drawn over it coloured by its status, the same page as
it will be released (through `redactor.apply`, never a re-implementation), and the small
summaries beside it. No Streamlit here: the app stays a thin layer over the store and this.
"""
from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Protocol, Sequence

import pymupdf
from PIL import Image, ImageDraw, ImageFont

from .apply import apply_proposals
from .models import ProposalSet

# What a reviewer must tell apart at a glance. RGB; the fill is drawn translucent.
STATUS_COLOURS: dict[str, tuple[int, int, int]] = {
    "proposed": (245, 166, 35),   # amber: waiting for a decision
    "accepted": (214, 39, 40),    # red: will be redacted
    "rejected": (44, 160, 44),    # green: will be released
    "manual": (31, 119, 180),     # blue: added by a reviewer (search or region)
    "withheld": (148, 103, 189),  # purple: the whole page is withheld in full
}
STATUS_LABELS = {
    "proposed": "proposed (undecided)",
    "accepted": "accepted (redacted)",
    "rejected": "rejected (released)",
    "manual": "added by a reviewer",
    "withheld": "page withheld in full",
}
DEFAULT_ZOOM = 1.5  # 108 dpi: a letter page is 918 px wide, readable beside the list


class ProposalLike(Protocol):
    """The fields of a store ProposalView (or a models.Proposal) the view needs."""

    page: int
    boxes: Sequence[Sequence[float]]
    status: str
    source: str


def display_status(proposal: ProposalLike) -> str:
    """The colour key of one proposal: a reviewer's own addition stays blue until rejected."""
    if proposal.status == "rejected":
        return "rejected"
    if getattr(proposal, "source", "auto") == "manual":
        return "manual"
    return proposal.status if proposal.status in STATUS_COLOURS else "proposed"


@dataclass(frozen=True)
class Overlay:
    """One box to draw: PDF points (PyMuPDF page coordinates), colour key, number label."""

    box: tuple[float, float, float, float]
    status: str
    label: str = ""


def overlays_for(proposals: Iterable[ProposalLike], page: int, withheld: bool = False,
                 page_size: tuple[float, float] | None = None) -> list[Overlay]:
    """Every box of every proposal on `page`, numbered as the list beside the image numbers
    them (1-based, in the order given); a page withheld in full gets one box over it all."""
    out: list[Overlay] = []
    on_page = [p for p in proposals if p.page == page]
    for number, proposal in enumerate(on_page, start=1):
        status = display_status(proposal)
        for i, box in enumerate(proposal.boxes):
            out.append(Overlay(tuple(float(v) for v in box), status, str(number) if i == 0 else ""))
    if withheld and page_size:
        out.insert(0, Overlay((0.0, 0.0, page_size[0], page_size[1]), "withheld", ""))
    return out


def page_count(pdf: str | Path) -> int:
    with pymupdf.open(pdf) as doc:
        return doc.page_count


def page_size(pdf: str | Path, page: int) -> tuple[float, float]:
    with pymupdf.open(pdf) as doc:
        rect = doc[page].rect
        return rect.width, rect.height


def _pixmap_image(pdf: str | Path, page: int, zoom: float) -> Image.Image:
    with pymupdf.open(pdf) as doc:
        if not 0 <= page < doc.page_count:
            raise ValueError(f"{pdf}: no page {page + 1} (the document has {doc.page_count})")
        pix = doc[page].get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
        return Image.frombytes("RGB", (pix.width, pix.height), pix.samples)


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def draw_overlays(image: Image.Image, overlays: Sequence[Overlay], zoom: float) -> Image.Image:
    """Translucent fill and a solid outline per box, its number just above it."""
    base = image.convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    font = ImageFont.load_default(size=max(10, round(8 * zoom)))
    for overlay in overlays:
        r, g, b = STATUS_COLOURS[overlay.status]
        x0, y0, x1, y1 = (v * zoom for v in overlay.box)
        whole_page = overlay.status == "withheld"
        draw.rectangle((x0, y0, x1, y1), fill=(r, g, b, 40 if whole_page else 70),
                       outline=(r, g, b, 255), width=max(2, round(zoom * (4 if whole_page else 1.5))))
        if overlay.label:
            # left of the box, where it covers no neighbouring line; above it at the margin
            width = draw.textlength(overlay.label, font=font)
            tx, ty = x0 - width - 4, y0
            if tx < 0:
                tx, ty = x0, max(0.0, y0 - font.size - 2)
            text_box = draw.textbbox((tx, ty), overlay.label, font=font)
            draw.rectangle(text_box, fill=(r, g, b, 230))
            draw.text((tx, ty), overlay.label, fill=(255, 255, 255, 255), font=font)
    return Image.alpha_composite(base, layer).convert("RGB")


def render_page(pdf: str | Path, page: int, overlays: Sequence[Overlay] = (),
                zoom: float = DEFAULT_ZOOM) -> bytes:
    """PNG of one page (PyMuPDF `get_pixmap`) with the overlays drawn over it."""
    return _png(draw_overlays(_pixmap_image(pdf, page, zoom), overlays, zoom))


def preview_page(original: str | Path, proposal_set: ProposalSet, page: int,
                 zoom: float = DEFAULT_ZOOM) -> bytes:
    """PNG of `page` as it will be released: the document's current decisions applied to the
    original by `redactor.apply.apply_proposals` (true redaction, sanitise, verify) in a
    temporary file, then rendered. The whole set is applied, not the page's share, because
    verify checks every redacted string across the document (a name redacted here and left
    on another page would fail it, as it will in the release). Raises what apply raises
    (VerificationError on a leak)."""
    with tempfile.TemporaryDirectory(prefix="redactor-preview-") as tmp:
        output = Path(tmp) / "preview.pdf"
        apply_proposals(original, proposal_set, output)
        return render_page(output, page, zoom=zoom)


def preview_release_page(store, document, page: int, zoom: float = DEFAULT_ZOOM) -> bytes:
    """PNG of `page` of a case document exactly as the release will write it: the release's
    own `redact_for_release` (apply + verify, withheld pages replaced by their placeholder
    and checked) into a temporary file, then rendered. `document` is a store DocumentRow."""
    from .release import redact_for_release  # the release stage needs the case store

    with tempfile.TemporaryDirectory(prefix="redactor-preview-") as tmp:
        output = Path(tmp) / "preview.pdf"
        redact_for_release(store, document, output)
        return render_page(output, page, zoom=zoom)


@dataclass(frozen=True)
class Progress:
    reviewed: int
    total: int

    @property
    def fraction(self) -> float:
        return self.reviewed / self.total if self.total else 1.0

    def __str__(self) -> str:
        return f"{self.reviewed} / {self.total} reviewed"


def progress_of(proposals: Iterable[ProposalLike]) -> Progress:
    """Reviewed = decided by a person (accepted or rejected); a manual addition is a decision."""
    items = list(proposals)
    done = sum(1 for p in items if p.status != "proposed" or getattr(p, "source", "auto") == "manual")
    return Progress(done, len(items))


def group_values(proposals: Iterable[ProposalLike], field: str) -> list[str]:
    """The distinct kinds (entity) or recognizers among proposals, for the bulk actions."""
    return sorted({str(getattr(p, field)) for p in proposals if getattr(p, field, None)})


def legend_markdown() -> str:
    """A one-line colour key for the image (HTML spans; the app renders it unsafe_allow_html)."""
    parts = []
    for status, (r, g, b) in STATUS_COLOURS.items():
        parts.append(f"<span style='display:inline-block;width:0.9em;height:0.9em;"
                     f"background:rgb({r},{g},{b});margin:0 0.3em 0 0.8em;vertical-align:middle'>"
                     f"</span>{STATUS_LABELS[status]}")
    return "".join(parts)


def text_in_region(pdf: str | Path, page: int, box: Sequence[float]) -> str:
    """The words whose centre lies in `box` (PDF points), in reading order: what a region
    redaction removes, so verify can check it is gone. '' for a region with no text."""
    x0, y0, x1, y1 = box
    with pymupdf.open(pdf) as doc:
        words = doc[page].get_text("words", sort=True)
    inside = [w[4] for w in words if x0 <= (w[0] + w[2]) / 2 <= x1 and y0 <= (w[1] + w[3]) / 2 <= y1]
    return " ".join(inside)
