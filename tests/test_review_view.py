"""The reviewer's pictures and summaries (redactor.review_view), on a PDF made on the fly."""
from __future__ import annotations

import io
from pathlib import Path

import pymupdf
import pytest
from PIL import Image

from conftest import make_pdf, sha256
from redactor import review_view as rv
from redactor.errors import VerificationError
from redactor.models import Proposal, ProposalSet
from redactor.review_identity import load_provider, sign_in_form, trusted_header

ZOOM = 2.0


@pytest.fixture
def letter(tmp_path: Path) -> Path:
    return make_pdf(tmp_path / "letter.pdf", [
        "Interview of Rebecca Thornton on 4 May 2009.",
        "Witness Paul Brennan called (202) 555-0143.",
        "Agency: U.S. Customs and Border Protection.",
    ])


def _box(pdf: Path, text: str) -> list[float]:
    with pymupdf.open(pdf) as doc:
        (rect,) = doc[0].search_for(text)
        return [rect.x0, rect.y0, rect.x1, rect.y1]


def _proposal(pdf: Path, pid: str, text: str, status: str = "proposed", source: str = "auto") -> Proposal:
    box = _box(pdf, text)
    return Proposal(id=pid, page=0, text=text, bbox=box, boxes=[box], codes=["(b)(6)", "(b)(7)(C)"],
                    entity="PERSON", score=0.85, rationale="name of a third party", status=status,
                    source=source, recognizer="SpacyRecognizer" if source == "auto" else None)


def _pixel(png: bytes, pdf_point: tuple[float, float], zoom: float = ZOOM) -> tuple[int, int, int]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return image.getpixel((round(pdf_point[0] * zoom), round(pdf_point[1] * zoom)))


def _blank_point(box: list[float]) -> tuple[float, float]:
    """A point inside the box but between glyphs' ink is hard to find; the box's top edge
    band (inside the outline, above the x-height) is paper in the original."""
    return ((box[0] + box[2]) / 2, box[1] + 1.5)


def test_display_status_and_overlays_are_numbered_like_the_list(letter: Path) -> None:
    props = [_proposal(letter, "p1", "Rebecca Thornton", "accepted"),
             _proposal(letter, "p2", "Paul Brennan", "rejected"),
             _proposal(letter, "p3", "(202) 555-0143", "accepted", source="manual")]
    assert [rv.display_status(p) for p in props] == ["accepted", "rejected", "manual"]
    overlays = rv.overlays_for(props, page=0)
    assert [(o.status, o.label) for o in overlays] == [("accepted", "1"), ("rejected", "2"), ("manual", "3")]
    assert rv.overlays_for(props, page=1) == []
    withheld = rv.overlays_for(props, page=0, withheld=True, page_size=(612.0, 792.0))
    assert withheld[0] == rv.Overlay((0.0, 0.0, 612.0, 792.0), "withheld", "")
    assert len(withheld) == 4


def test_render_page_draws_each_box_in_its_status_colour(letter: Path) -> None:
    accepted = _proposal(letter, "p1", "Rebecca Thornton", "accepted")
    rejected = _proposal(letter, "p2", "Paul Brennan", "rejected")
    png = rv.render_page(letter, 0, rv.overlays_for([accepted, rejected], 0), zoom=ZOOM)
    image = Image.open(io.BytesIO(png))
    width, height = rv.page_size(letter, 0)
    assert image.size == (round(width * ZOOM), round(height * ZOOM))

    def tint(point):
        r, g, b = _pixel(png, point)
        return r - (g + b) / 2, g - (r + b) / 2

    red_excess, _ = tint(_blank_point(accepted.boxes[0]))
    _, green_excess = tint(_blank_point(rejected.boxes[0]))
    assert red_excess > 40 and green_excess > 20
    assert _pixel(png, (500, 700)) == (255, 255, 255)  # paper away from any box is untouched


def test_preview_applies_the_decisions_through_apply(letter: Path) -> None:
    accepted = _proposal(letter, "p1", "Rebecca Thornton", "accepted")
    rejected = _proposal(letter, "p2", "Paul Brennan", "rejected")
    ps = ProposalSet(doc="letter.pdf", source_sha256=sha256(letter), code_set="foia",
                     proposals=[accepted, rejected])
    before = sha256(letter)
    png = rv.preview_page(letter, ps, 0, zoom=ZOOM)
    centre = lambda box: ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)  # noqa: E731
    # the accepted name is under a black box (white code label aside), the rejected one is not
    image = Image.open(io.BytesIO(png)).convert("L")
    x0, y0, x1, y1 = (round(v * ZOOM) for v in accepted.boxes[0])
    dark = sum(1 for x in range(x0, x1) for y in range(y0 + 6, y1 - 6) if image.getpixel((x, y)) < 60)
    assert dark > 0.5 * (x1 - x0) * (y1 - y0 - 12)
    assert _pixel(png, _blank_point(rejected.boxes[0])) == (255, 255, 255)
    assert sum(_pixel(png, centre(rejected.boxes[0]))) < 765  # its text is still printed
    assert sha256(letter) == before  # the original is never written


def test_preview_refuses_a_proposal_set_for_another_file(letter: Path, tmp_path: Path) -> None:
    other = make_pdf(tmp_path / "other.pdf", ["Interview of Rebecca Thornton."])
    ps = ProposalSet(doc="letter.pdf", source_sha256=sha256(letter), code_set="foia",
                     proposals=[_proposal(letter, "p1", "Rebecca Thornton", "accepted")])
    with pytest.raises(Exception, match="source_sha256"):
        rv.preview_page(other, ps, 0)


def test_preview_stops_on_a_leak_like_the_release_would(letter: Path) -> None:
    """A box that misses its text: apply's verification fails and the preview says so."""
    wrong = _proposal(letter, "p1", "Rebecca Thornton", "accepted")
    wrong.boxes = [[400.0, 600.0, 450.0, 612.0]]
    wrong.bbox = wrong.boxes[0]
    ps = ProposalSet(doc="letter.pdf", source_sha256=sha256(letter), code_set="foia", proposals=[wrong])
    with pytest.raises(VerificationError, match="Rebecca Thornton"):
        rv.preview_page(letter, ps, 0)


def test_text_in_region_and_progress(letter: Path) -> None:
    box = _box(letter, "Paul Brennan")
    assert rv.text_in_region(letter, 0, box) == "Paul Brennan"
    assert rv.text_in_region(letter, 0, [400, 600, 450, 650]) == ""
    props = [_proposal(letter, "p1", "Rebecca Thornton", "accepted"),
             _proposal(letter, "p2", "Paul Brennan"),
             _proposal(letter, "p3", "(202) 555-0143", source="manual")]
    progress = rv.progress_of(props)
    assert (progress.reviewed, progress.total, str(progress)) == (2, 3, "2 / 3 reviewed")
    assert rv.progress_of([]).fraction == 1.0
    assert rv.group_values(props, "recognizer") == ["SpacyRecognizer"]


def test_identity_provider_is_pluggable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDACTOR_IDENTITY", raising=False)
    assert load_provider() is sign_in_form
    monkeypatch.setenv("REDACTOR_IDENTITY", "redactor.review_identity:trusted_header")
    assert load_provider() is trusted_header
    with pytest.raises(ValueError, match="module:function"):
        load_provider("redactor.review_identity")


def test_release_preview_shows_the_placeholder_of_a_withheld_page(tmp_path: Path) -> None:
    """The case preview runs the release's own redaction: a page withheld in full is
    previewed as its placeholder (no original text), the other page as redacted."""
    from datetime import date

    from conftest import SAMPLES
    from redactor.store import CaseStore, User

    store = CaseStore.create(tmp_path / "case", number="2024-FOIA-0001", requester="R. Public",
                             received=date(2024, 1, 2), record_context="law_enforcement")
    (added,) = store.add_documents([SAMPLES / "letter.pdf"], User("Loader", "staff"))
    document = store.document(added.document_id)
    store.withhold_page(document.id, 1, ["(b)(6)"], User("Dana Reyes", "staff"), "medical details")
    original = store.original_path(document.id)

    def ink(png: bytes) -> float:
        """Share of dark pixels inside the margins (the placeholder's frame is at 36 pt)."""
        gray = Image.open(io.BytesIO(png)).convert("L")
        inner = gray.crop((50, 50, gray.width - 50, gray.height - 50))
        return sum(inner.point(lambda v: 255 if v < 128 else 0).histogram()[255:]) / (inner.width * inner.height)

    withheld = rv.preview_release_page(store, store.document(document.id), 1, zoom=1.0)
    kept = rv.preview_release_page(store, store.document(document.id), 0, zoom=1.0)
    assert ink(rv.render_page(original, 1, zoom=1.0)) > 4 * ink(withheld)  # the letter's text is gone
    assert ink(withheld) > 0  # the placeholder naming the exemption
    assert ink(kept) > ink(rv.render_page(original, 0, zoom=1.0))  # black boxes over page 1's names
