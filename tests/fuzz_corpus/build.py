"""Rebuild the fuzz corpus: a handful of tiny PDFs, each exercising a different part of the
format (plain text, xref stream + object streams, image, annotations and a form field,
owner-password encryption, an incremental update, optional content, JavaScript, outline).

    .venv/bin/python tests/fuzz_corpus/build.py
"""
from __future__ import annotations

from pathlib import Path

import pymupdf

HERE = Path(__file__).parent


def text(doc):
    page = doc.new_page(width=300, height=200)
    page.insert_text((20, 40), "Memo: SA Rebecca Thornton, (202) 555-0143", fontsize=9)
    page.insert_text((20, 60), "U.S. Customs and Border Protection", fontsize=9)


def main() -> None:
    doc = pymupdf.open()
    text(doc)
    doc.save(HERE / "plain.pdf")

    doc = pymupdf.open()
    text(doc)
    text(doc)
    doc.save(HERE / "objstm.pdf", use_objstms=1, garbage=3, deflate=True)

    doc = pymupdf.open()
    page = doc.new_page(width=200, height=200)
    pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 40, 40), False)
    pix.set_rect(pix.irect, (200,))
    pix.set_rect(pymupdf.IRect(5, 5, 30, 12), (0,))
    page.insert_image(page.rect, pixmap=pix)
    page.insert_text((20, 180), "Bates DHS-0001", fontsize=6)
    doc.save(HERE / "image.pdf", deflate=True)

    doc = pymupdf.open()
    text(doc)
    page = doc[0]
    page.add_text_annot((100, 100), "note: Jane Roe")
    page.add_redact_annot(pymupdf.Rect(20, 30, 120, 42))
    w = pymupdf.Widget()
    w.field_name, w.field_type = "name", pymupdf.PDF_WIDGET_TYPE_TEXT
    w.rect, w.field_value = pymupdf.Rect(20, 120, 150, 135), "Jane Roe"
    page.add_widget(w)
    doc.set_toc([[1, "Memo", 1]])
    doc.embfile_add("a.txt", b"Jane Roe")
    js = doc.get_new_xref()
    doc.update_object(js, "<</S/JavaScript/JS(app.alert(1))>>")
    doc.xref_set_key(doc.pdf_catalog(), "OpenAction", f"{js} 0 R")
    doc.save(HERE / "annots.pdf")

    doc = pymupdf.open()
    text(doc)
    doc.save(HERE / "owner-only.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_128, owner_pw="o", user_pw="")

    doc = pymupdf.open()
    text(doc)
    ocg = doc.add_ocg("hidden", on=False)
    doc[0].insert_text((20, 100), "layer text", fontsize=9, oc=ocg)
    doc.save(HERE / "revised.pdf")
    doc.close()
    doc = pymupdf.open(HERE / "revised.pdf")
    doc[0].insert_text((20, 150), "second revision", fontsize=9)
    doc.saveIncr()


if __name__ == "__main__":
    main()
    print(sum(p.stat().st_size for p in HERE.glob("*.pdf")), "bytes")
