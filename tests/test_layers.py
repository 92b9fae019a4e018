"""Every hiding place: a crafted PDF hides a secret there; the redacted output has no trace of
it (extracted text, decompressed streams, object strings, raw bytes), and `check` flags the
source."""
from __future__ import annotations

import json
import zlib
from pathlib import Path

import pymupdf
import pytest

from conftest import run_cli

from redactor.apply import apply_proposals
from redactor.check import earlier_revision_text
from redactor.load import sha256_of
from redactor.models import Proposal, ProposalSet
from redactor.pipeline import propose

SECRET = "Rebecca Thornton"
VISIBLE = "Interview summary: SA Rebecca Thornton met the witness at the Laredo port."


def traces(path: Path, secret: str = SECRET) -> list[str]:
    """Every place `secret` can still be read in a PDF."""
    found = []
    doc = pymupdf.open(path)
    needles = [secret.encode("latin-1"), secret.encode("utf-16-be"), secret.split()[-1].encode("latin-1")]
    for page in doc:
        flags = pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_MEDIABOX_CLIP
        if secret.split()[-1] in page.get_text(flags=flags):
            found.append(f"page {page.number + 1} text")
    for xref in range(1, doc.xref_length()):
        try:
            data = doc.xref_object(xref).encode("latin-1", "ignore")
            if doc.xref_is_stream(xref):
                data += doc.xref_stream(xref) or b""
        except Exception:
            continue
        if any(n in data for n in needles):
            found.append(f"object {xref}")
    raw = path.read_bytes()
    if any(n in raw for n in needles):
        found.append("raw bytes")
    for chunk in raw.split(b"stream")[1:]:  # any stream, even one no object points to any more
        try:
            if any(n in zlib.decompressobj().decompress(chunk.lstrip(b"\r\n")) for n in needles):
                found.append("an orphaned compressed stream")
        except zlib.error:
            pass
    if secret in str(doc.metadata) + (doc.get_xml_metadata() or ""):
        found.append("metadata")
    for i, words in enumerate(earlier_revision_text(raw), 1):
        if secret.split()[-1] in " ".join(words):
            found.append(f"earlier revision {i}")
    return found


def _base(doc: pymupdf.Document) -> pymupdf.Page:
    page = doc.new_page()
    page.insert_text((72, 72), VISIBLE, fontsize=10)
    return page


def invisible_text(doc):
    _base(doc).insert_text((72, 300), f"Source: {SECRET}", fontsize=10, render_mode=3)


def white_text(doc):
    _base(doc).insert_text((72, 300), f"Source: {SECRET}", fontsize=10, color=(1, 1, 1))


def text_under_image(doc):
    page = _base(doc)
    page.insert_text((72, 300), f"Source: {SECRET}", fontsize=10)
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 50, 20), False)
    pix.set_rect(pix.irect, (90, 120, 200))
    page.insert_image(pymupdf.Rect(60, 280, 400, 320), pixmap=pix, keep_proportion=False)


def outside_visible_area(doc):
    page = _base(doc)
    page.insert_text((72, 800), f"Source: {SECRET}", fontsize=10)
    page.set_cropbox(pymupdf.Rect(0, 0, 595, 500))  # the line is below the visible area


def tiny_font(doc):
    _base(doc).insert_text((72, 300), f"Source: {SECRET}", fontsize=0.5)


def annotation(doc):
    page = _base(doc)
    page.add_text_annot((300, 300), f"Call {SECRET} first")
    page.add_freetext_annot(pymupdf.Rect(72, 400, 300, 430), f"per {SECRET}")


def form_field(doc):
    page = _base(doc)
    w = pymupdf.Widget()
    w.field_name, w.field_type = "informant", pymupdf.PDF_WIDGET_TYPE_TEXT
    w.rect, w.field_value = pymupdf.Rect(72, 300, 300, 320), SECRET
    page.add_widget(w)


def metadata_and_xmp(doc):
    _base(doc)
    doc.set_metadata({"author": SECRET, "subject": f"interview by {SECRET}"})
    doc.set_xml_metadata(f"<x:xmpmeta xmlns:x='adobe:ns:meta/'><dc:creator>{SECRET}</dc:creator></x:xmpmeta>")


def embedded_file(doc):
    _base(doc)
    doc.embfile_add("notes.txt", f"informant {SECRET}".encode())
    doc[0].add_file_annot((400, 400), f"{SECRET} notes".encode(), "notes2.txt")


def javascript(doc):
    _base(doc)
    js = doc.get_new_xref()
    doc.update_object(js, f"<</S/JavaScript/JS(app.alert('{SECRET}'))>>")
    doc.xref_set_key(doc.pdf_catalog(), "OpenAction", f"{js} 0 R")


def bookmarks(doc):
    _base(doc)
    doc.set_toc([[1, f"Interview of {SECRET}", 1]])


def links(doc):
    page = _base(doc)
    page.insert_link({"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(72, 60, 300, 75),
                      "uri": f"https://example.gov/people/{SECRET.replace(' ', '%20')}"})
    page.insert_link({"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(72, 90, 300, 105),
                      "uri": f"mailto:{SECRET}@example.gov"})


def optional_content(doc):
    page = _base(doc)
    hidden = doc.add_ocg("notes", on=False)
    page.insert_text((72, 300), f"Source: {SECRET}", fontsize=10, oc=hidden)


ORDINARY = (annotation, form_field, metadata_and_xmp, bookmarks, links)
PLACES = [invisible_text, white_text, text_under_image, outside_visible_area, tiny_font, annotation,
          form_field, metadata_and_xmp, embedded_file, javascript, bookmarks, links, optional_content]


def _names_it(src: Path) -> ProposalSet:
    """A proposal set naming the secret where it is visible (detection must find it too)."""
    result = propose(src)
    assert SECRET in {p.text for p in result.proposal_set.proposals}
    return result.proposal_set


@pytest.mark.parametrize("place", PLACES, ids=lambda f: f.__name__)
def test_secret_in_every_layer_is_gone_from_the_output(place, tmp_path: Path):
    src = tmp_path / f"{place.__name__}.pdf"
    doc = pymupdf.open()
    place(doc)
    doc.save(src)  # uncompressed: the secret is in the source's raw bytes
    assert traces(src), "the crafted file must carry the secret"
    out = tmp_path / "out.pdf"
    report = apply_proposals(src, _names_it(src), out)
    assert report.verify.ok
    assert traces(out) == []
    assert "met the witness" in pymupdf.open(out)[0].get_text()


def test_earlier_revision_leaves_no_trace(tmp_path: Path):
    """v1 names the source; an incremental update replaces the line. The old content stream
    is still in the file; the output is a full rewrite without it."""
    src = tmp_path / "revised.pdf"
    doc = pymupdf.open()
    page = _base(doc)
    page.insert_text((72, 300), "Source: Marcus Delacroix-Whitby, cell 555-0199", fontsize=10)
    doc.save(src)
    doc.close()
    doc = pymupdf.open(src)
    page = doc[0]
    page.add_redact_annot(page.search_for("Source: Marcus Delacroix-Whitby, cell 555-0199")[0])
    page.apply_redactions()
    doc.saveIncr()
    doc.close()
    assert "Delacroix" not in pymupdf.open(src)[0].get_text()
    assert traces(src, "Delacroix-Whitby") == ["earlier revision 1"], "v1 must survive in the incremental file"
    out = tmp_path / "out.pdf"
    apply_proposals(src, _names_it(src), out)
    assert traces(out, "Delacroix-Whitby") == [] and traces(out) == []
    assert out.read_bytes().count(b"%%EOF") == 1  # one revision only


@pytest.mark.parametrize("place", PLACES, ids=lambda f: f.__name__)
def test_check_flags_the_hiding_place(place, tmp_path: Path):
    src = tmp_path / f"{place.__name__}.pdf"
    doc = pymupdf.open()
    place(doc)
    doc.save(src)
    r = run_cli("check", src, "--json")
    report = json.loads(r.stdout)
    if place in ORDINARY:
        # visible, ordinary carriers (apply still strips them): check does not cry wolf
        assert r.returncode == 0 and report["clean"], report
    else:
        assert r.returncode == 1 and report["findings"], (place.__name__, report)
        assert all(f["page"] == 1 and f["box"] for f in report["findings"] if f["page"]), report
