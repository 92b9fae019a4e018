"""Apply removes content for real, keeps the rest in place, and scrubs hidden carriers."""
from __future__ import annotations

from pathlib import Path

import pymupdf

from redactor.apply import apply_proposals
from redactor.load import sha256_of
from redactor.models import Proposal, ProposalSet
from redactor.verify import verify_pdf

from conftest import make_pdf


def _proposal_set(src: Path, page: pymupdf.Page, texts: list[str]) -> ProposalSet:
    proposals = []
    for i, t in enumerate(texts, 1):
        rect = page.search_for(t)[0]
        box = [rect.x0, rect.y0, rect.x1, rect.y1]
        proposals.append(Proposal(id=f"p-{i:04d}", page=page.number, text=t, bbox=box, boxes=[box],
                                  codes=["(b)(6)", "(b)(7)(C)"], entity="PERSON", score=1.0,
                                  rationale="test"))
    return ProposalSet(doc=src.name, source_sha256=sha256_of(src), code_set="foia", proposals=proposals)


def test_text_after_a_redaction_does_not_move(tmp_path: Path):
    """PyMuPDF 2.0 shifted the rest of the line left after a removal; we pin below it."""
    src = tmp_path / "line.pdf"
    doc = pymupdf.open()
    doc.new_page().insert_htmlbox(pymupdf.Rect(50, 50, 550, 200),
                                  "<p>SA Rebecca Thornton met with Chief Ortiz in Laredo.</p>")
    doc.save(src)
    before = {w[4]: w[0] for w in pymupdf.open(src)[0].get_text("words")}
    out = tmp_path / "out.pdf"
    apply_proposals(src, _proposal_set(src, pymupdf.open(src)[0], ["Rebecca Thornton"]), out)
    after = {w[4]: w[0] for w in pymupdf.open(out)[0].get_text("words")}
    for word in ("met", "with", "Chief", "Laredo."):
        assert abs(after[word] - before[word]) < 0.5, word


def test_image_pixels_under_a_box_are_removed(tmp_path: Path):
    src = tmp_path / "img.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 200, 100), False)
    pix.set_rect(pix.irect, (200, 30, 30))  # a red picture
    page.insert_image(pymupdf.Rect(72, 72, 272, 172), pixmap=pix)
    page.insert_text((72, 200), "Photo of Jane Roe", fontsize=12)
    doc.save(src)
    page = pymupdf.open(src)[0]
    ps = _proposal_set(src, page, ["Jane Roe"])
    box = [100, 90, 200, 150]  # and a region of the picture
    ps.proposals.append(ps.proposals[0].model_copy(update={"id": "p-0002", "text": "", "bbox": box, "boxes": [box]}))
    out = tmp_path / "out.pdf"
    apply_proposals(src, ps, out)
    redacted = pymupdf.open(out)
    xref = redacted[0].get_images()[0][0]
    img = pymupdf.Pixmap(redacted, xref)
    # the image's own pixels under the box are blanked, not just covered
    x, y = int((150 - 72) / 200 * img.width), int((120 - 72) / 100 * img.height)
    assert img.pixel(x, y)[:3] != (200, 30, 30)
    assert img.pixel(2, 2)[:3] == (200, 30, 30)  # outside the box the picture is intact


def test_hidden_carriers_are_scrubbed(tmp_path: Path):
    src = tmp_path / "hidden.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Interview of Jane Roe by the task force.", fontsize=11)
    page.add_text_annot((300, 300), "note: Jane Roe lives nearby")
    doc.embfile_add("notes.txt", b"Jane Roe, 12 Elm Street")
    doc.set_toc([[1, "Jane Roe interview", 1]])
    doc.set_metadata({"author": "Jane Roe", "title": "Interview of Jane Roe"})
    doc.save(src)
    out = tmp_path / "out.pdf"
    report = apply_proposals(src, _proposal_set(src, pymupdf.open(src)[0], ["Jane Roe"]), out)
    assert report.verify.ok
    red = pymupdf.open(out)
    assert red.embfile_count() == 0 and red.get_toc() == [] and red[0].first_annot is None
    assert "Jane Roe" not in str(red.metadata) and "Jane Roe" not in (red.get_xml_metadata() or "")
    raw = out.read_bytes()
    assert b"Jane Roe" not in raw
    assert "task force" in red[0].get_text()


def test_failed_verification_leaves_no_output(tmp_path: Path, monkeypatch):
    src = tmp_path / "x.pdf"
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "Witness: Jane Roe", fontsize=11)
    doc.save(src)
    ps = _proposal_set(src, pymupdf.open(src)[0], ["Jane Roe"])
    import redactor.apply as apply_mod
    monkeypatch.setattr(apply_mod, "redact_document", lambda *a, **k: None)  # simulate a redaction bug
    out = tmp_path / "out.pdf"
    try:
        apply_mod.apply_proposals(src, ps, out)
    except Exception as exc:
        assert "verification FAILED" in str(exc)
    else:
        raise AssertionError("a leak must raise")
    assert not out.exists() and not list(tmp_path.glob(".out.pdf.*"))
    assert verify_pdf(src, ps, raise_on_leak=False).leaks


def test_text_in_a_hidden_layer_is_detected_and_removed(tmp_path: Path):
    from redactor.pipeline import propose

    src = tmp_path / "layers.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    hidden = doc.add_ocg("notes", on=False)
    page.insert_text((72, 72), "Summary of the port inspection.", fontsize=11)
    page.insert_text((72, 100), "Informant contact: SA Rebecca Thornton (202) 555-0143", fontsize=11, oc=hidden)
    doc.save(src)
    result = propose(src)
    assert {"Rebecca Thornton", "(202) 555-0143"} <= {p.text for p in result.proposal_set.proposals}
    assert any("hidden layers" in w for w in result.warnings)
    out = tmp_path / "out.pdf"
    apply_proposals(src, result.proposal_set, out)
    raw = pymupdf.open(out)
    assert not raw.get_ocgs()
    text = raw[0].get_text()
    assert "Rebecca Thornton" not in text and "555-0143" not in text and "Informant contact" in text


def test_neighbouring_lines_keep_their_text(tmp_path: Path):
    """Tightly set lines (table cells) overlap each other's word boxes; a redaction on
    one line must not take glyphs off the line above or below."""
    src = tmp_path / "tight.pdf"
    doc = pymupdf.open()
    doc.new_page().insert_htmlbox(pymupdf.Rect(72, 72, 300, 300),
                                  "<p style='line-height:1.0;font-size:11pt'>CBP Agent on duty<br>"
                                  "Badge 11873 assigned<br>Chevrolet Tahoe, AZ</p>")
    doc.save(src)
    page = pymupdf.open(src)[0]
    out = tmp_path / "out.pdf"
    apply_proposals(src, _proposal_set(src, page, ["11873"]), out)
    words = [w[4] for w in pymupdf.open(out)[0].get_text("words")]
    for kept in ("CBP", "Agent", "on", "duty", "Badge", "assigned", "Chevrolet", "Tahoe,", "AZ"):
        assert kept in words, (kept, words)
    assert "11873" not in words


def test_links_and_javascript_are_removed(tmp_path: Path):
    src = tmp_path / "links.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Mail Jane Roe for the file.", fontsize=11)
    page.insert_link({"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(72, 60, 200, 75),
                      "uri": "mailto:jane.roe@example.gov"})
    catalog = doc.pdf_catalog()
    js = doc.get_new_xref()
    doc.update_object(js, "<</S/JavaScript/JS(app.alert('jane.roe'))>>")
    doc.xref_set_key(catalog, "OpenAction", f"{js} 0 R")
    doc.save(src)
    out = tmp_path / "out.pdf"
    apply_proposals(src, _proposal_set(src, pymupdf.open(src)[0], ["Jane Roe"]), out)
    red = pymupdf.open(out)
    assert red[0].get_links() == []
    raw = out.read_bytes()
    assert b"jane.roe" not in raw and b"JavaScript" not in raw


def test_a_short_word_taller_than_wide_is_removed(tmp_path: Path):
    """A box round "In" or "Jo" is taller than wide; its line still runs across the page, so
    the trim must come off top and bottom, not the word's ends (which kept the "I")."""
    src = make_pdf(tmp_path / "short.pdf", ["Recommendation follows. In", "my view the pilot should wait."],
                   fontsize=12)
    page = pymupdf.open(src)[0]
    box = next(pymupdf.Rect(w[:4]) for w in page.get_text("words") if w[4] == "In")
    assert box.height > box.width
    proposal_set = _proposal_set(src, page, ["follows."])
    proposal_set.proposals[0].boxes = [list(box)]
    proposal_set.proposals[0].bbox = list(box)
    proposal_set.proposals[0].text = "In"
    out = tmp_path / "out.pdf"
    apply_proposals(src, proposal_set, out)  # raises VerificationError if a glyph is left under the box
    words = [w[4] for w in pymupdf.open(out)[0].get_text("words")]
    assert "In" not in words and "I" not in words and "n" not in words
    assert "follows." in words and "my" in words


def test_overlapping_boxes_with_the_same_code_verify(tmp_path: Path):
    """A site inside its technique sentence: both boxes print "(b)(7)(E)" at their centres, and
    extraction reads the two labels as one word. That word is codes only, not a leak."""
    line = "Agents log every hit at the Arroyo Seco sensor string in the daily report."
    src = make_pdf(tmp_path / "overlap.pdf", [line], fontsize=11)
    page = pymupdf.open(src)[0]
    proposal_set = _proposal_set(src, page, [line, "Arroyo Seco sensor string"])
    for p in proposal_set.proposals:
        p.codes, p.entity = ["(b)(7)(E)"], "LE_TECHNIQUE"
    out = tmp_path / "out.pdf"
    apply_proposals(src, proposal_set, out)  # raises VerificationError on a leak
    words = [w[4] for w in pymupdf.open(out)[0].get_text("words")]
    assert "Arroyo" not in words and all("(b)(7)(E)" in w for w in words), words


def test_printed_codes_run_together_are_still_only_codes():
    from redactor.verify import _only_labels
    labels = {"(b)(7)(E)", "(b)(6),", "(b)(7)(C)", "(b)(6),(b)(7)(C)"}
    assert _only_labels("(b)(7)(E)(b)(7)(E)", labels)
    assert _only_labels("(b)(6),(b)(7)(C)(b)(7)(E)", labels)
    assert not _only_labels("(b)(7)(E)Lopez", labels) and not _only_labels("Lopez", labels)


def _leaks_after_apply(tmp_path: Path, lines: list[str], withheld: list[tuple[str, str, str]]) -> str:
    """Lay out LINES on one page, withhold the first occurrence of each (text, entity, code) and
    return what verification reports (apply must fail)."""
    src = tmp_path / "leak.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    for i, line in enumerate(lines):
        page.insert_text((72, 72 + 28 * i), line, fontsize=11)
    doc.save(src)
    page = pymupdf.open(src)[0]
    proposals = []
    for i, (text, entity, code) in enumerate(withheld, 1):
        box = list(page.search_for(text)[0])
        proposals.append(Proposal(id=f"p-{i:04d}", page=0, text=text, bbox=box, boxes=[box], codes=[code],
                                  entity=entity, score=1.0, rationale="test"))
    ps = ProposalSet(doc=src.name, source_sha256=sha256_of(src), code_set="foia", proposals=proposals)
    try:
        apply_proposals(src, ps, tmp_path / "out.pdf")
    except Exception as exc:
        return str(exc)
    raise AssertionError("the text found again must stop the release")


def test_a_withheld_figure_is_checked_under_its_box_a_withheld_name_everywhere(tmp_path: Path):
    """The same number elsewhere ("0600" as a time) is other information; the same name is not."""
    leaks = _leaks_after_apply(tmp_path, ["Sensor uptime was 1640 hours last quarter.",
                                          "The shift starts at 1640 hours. Witness: Jane Roe", "Jane Roe called back."],
                               [("1640", "LE_STATISTIC", "(b)(7)(E)"), ("Jane Roe", "PERSON", "(b)(6)")])
    assert "'Jane Roe' is still extractable" in leaks and "1640" not in leaks, leaks


def test_a_number_in_a_fonts_unicode_map_is_no_leak(tmp_path: Path):
    """A ToUnicode CMap lists code points ("<0108> <0393>" is a Greek Gamma): a withheld badge
    number "0393" found there is no leak (text left on a page is checked by extraction)."""
    src = tmp_path / "cmap.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Badge 0393 was issued to the ranger.", fontsize=11)
    page.insert_text((72, 100), "The reference desk is in Room 12.", fontsize=11)
    font_xref = page.get_fonts()[0][0]
    cmap = doc.get_new_xref()
    doc.update_object(cmap, "<<>>")
    doc.update_stream(cmap, b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
                            b"1 beginbfchar\n<0108> <0393>\nendbfchar\nendcmap\nend end\n")
    doc.xref_set_key(font_xref, "ToUnicode", f"{cmap} 0 R")
    doc.save(src)
    page = pymupdf.open(src)[0]
    box = list(page.search_for("0393")[0])
    ps = ProposalSet(doc=src.name, source_sha256=sha256_of(src), code_set="foia", proposals=[
        Proposal(id="p-0001", page=0, text="0393", bbox=box, boxes=[box], codes=["(b)(6)"],
                 entity="BADGE_NUMBER", score=1.0, rationale="test")])
    report = apply_proposals(src, ps, tmp_path / "out.pdf")
    assert report.output and (tmp_path / "out.pdf").exists()


def test_a_few_words_of_a_sentence_carried_over_a_page_break_are_checked_under_their_box(tmp_path: Path):
    """'agenda.' ending a withheld sentence from the page before is no text of its own; a whole
    withheld sentence found again unredacted is a leak."""
    sentence = "Agents sweep the dock at night before each arrival."
    leaks = _leaks_after_apply(tmp_path, ["agenda. The board met again in May.", f"The next agenda. {sentence}", sentence],
                               [("agenda.", "DELIBERATIVE", "(b)(5)"), (sentence, "LE_TECHNIQUE", "(b)(7)(E)")])
    assert "'agents sweep the dock" in leaks.lower() and "'agenda.'" not in leaks, leaks
