#!/usr/bin/env python3
"""Build samples/<name>.pdf from samples/src/<name>.html, then check it against samples/answers/<name>.yaml.

    python samples/build.py            # every document
    python samples/build.py letter     # only some

Source conventions (see README.md): <title> and <meta name="author|subject|keywords|creator"> become the
PDF metadata; <meta name="orientation" content="landscape"> gives a 792x612 page (default Letter portrait);
<meta name="margins" content="top right bottom left"> in points; <header> and <footer> are drawn on every
page with {page} and {pages} filled in (data-skip-first on the tag: not on page 1);
<div class="page-break"></div> starts a new page.
Exits non-zero if any answer string is not found in the built PDF.
"""
import html as htmllib
import io
import os
import re
import sys
import tempfile
from pathlib import Path

import pymupdf
import yaml

HERE = Path(__file__).resolve().parent
FIXED_DATE = "D:20240115090000Z"  # fixed dates + reproducible save: a rebuild gives identical files
KINDS = {"person", "phone", "email", "id", "location", "technique", "statistic", "deliberative", "other"}
CODE = re.compile(r"^\(b\)\([1-9]\)(\([A-F]\))?$")  # canonical spelling, capital (7) subpart
PAGE_BREAK = re.compile(r'<div class="page-break">\s*</div>')


def noliga(html):
    """MuPDF's HTML layout swaps f+f/i/l for ligature glyphs, which extract as U+FB00..FB04 and break
    verbatim matching. An empty <span> between the letters splits the text run, so no ligature forms."""
    parts = re.split(r"(<[^>]*>)", html)
    return "".join(p if p.startswith("<") else re.sub(r"f(?=[fil])", "f<span></span>", p) for p in parts)


def parse(src):
    """Split one HTML source into metadata, CSS, page header/footer and the page-broken body sections."""
    def grab(pattern, text):
        m = re.search(pattern, text, re.S | re.I)
        return m.group(1).strip() if m else ""

    meta = {k: htmllib.unescape(v) for k, v in re.findall(r'<meta\s+name="([^"]+)"\s+content="([^"]*)"', src)}
    meta["title"] = htmllib.unescape(grab(r"<title>(.*?)</title>", src))
    css = "\n".join(re.findall(r"<style[^>]*>(.*?)</style>", src, re.S))
    body = grab(r"<body[^>]*>(.*)</body>", src)
    header = grab(r"(<header\b.*?</header>)", body)
    footer = grab(r"(<footer\b.*?</footer>)", body)
    body = re.sub(r"<(header|footer)\b.*?</\1>", "", body, flags=re.S)
    return meta, css, header, footer, PAGE_BREAK.split(body)


def layout(meta, css, header, footer, sections, total):
    """Flow the sections onto pages with pymupdf.Story; returns (pdf bytes, page count)."""
    landscape = meta.get("orientation") == "landscape"
    width, height = (792, 612) if landscape else (612, 792)
    top, right, bottom, left = map(float, meta.get("margins", "72 72 72 72").split())
    body_rect = pymupdf.Rect(left, top, width - right, height - bottom)
    bands = [(header, pymupdf.Rect(left, 20, width - right, top - 4)),
             (footer, pymupdf.Rect(left, height - bottom + 4, width - right, height - 12))]
    buf = io.BytesIO()
    writer = pymupdf.DocumentWriter(buf)
    page = 0
    for section in sections:
        story = pymupdf.Story(noliga(section), user_css=css)
        more = 1
        while more:
            page += 1
            if page > 100:  # an element taller than a page would otherwise loop for ever
                raise RuntimeError("layout runaway: does some element not fit on a page?")
            device = writer.begin_page(pymupdf.Rect(0, 0, width, height))
            more, _ = story.place(body_rect)
            story.draw(device)
            for snippet, rect in bands:
                if snippet and not (page == 1 and "data-skip-first" in snippet.split(">", 1)[0]):
                    band = pymupdf.Story(noliga(snippet.replace("{page}", str(page)).replace("{pages}", str(total))),
                                         user_css=css)
                    if band.place(rect)[0]:  # a clipped header/footer would silently lose text
                        raise RuntimeError(f"header/footer does not fit in {rect}; enlarge the margins")
                    band.draw(device)
            writer.end_page()
    writer.close()
    return buf.getvalue(), page


def build(name, answers):
    meta, css, header, footer, sections = parse((HERE / "src" / f"{name}.html").read_text(encoding="utf-8"))
    _, total = layout(meta, css, header, footer, sections, 0)  # first pass only counts pages for {pages}
    data, _ = layout(meta, css, header, footer, sections, total)
    doc = pymupdf.open("pdf", data)
    author, keywords = meta.get("author", ""), meta.get("keywords", "")
    for secret in answers.get("metadata_secrets") or []:  # secrets the sanitiser must strip later
        if secret not in author and secret not in keywords:
            keywords = f"{keywords}; {secret}" if keywords else secret
    doc.subset_fonts()  # embed only the glyphs used: keeps the bundled PDFs small
    doc.set_metadata({"title": meta["title"], "author": author, "subject": meta.get("subject", ""),
                      "keywords": keywords, "creator": meta.get("creator", "redactor sample build"),
                      "producer": "redactor samples/build.py (PyMuPDF)",
                      "creationDate": FIXED_DATE, "modDate": FIXED_DATE})
    out = HERE / f"{name}.pdf"
    fd, tmp = tempfile.mkstemp(dir=HERE, prefix=f".{name}.", suffix=".tmp")
    os.close(fd)
    try:  # write next to the target, then rename: readers never see a half-written PDF
        doc.save(tmp, garbage=4, deflate=True, no_new_id=True, reproducible=True)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return out


def squash(s):
    return re.sub(r"\s+", " ", s).strip()


def pattern(s):
    """Regex for an answer string in extracted text: a space matches any whitespace run, and the layout may
    wrap the string between any two characters (URLs break after '/'), with or without an added hyphen."""
    wrap = r"(?:-?[ \t]*\n\s*)?"
    return wrap.join(r"\s+" if c == " " else re.escape(c) for c in squash(s))


def check(name, pdf, answers):
    """Return a list of problems: answer strings not in the PDF's text, malformed entries, overlaps."""
    problems = []
    doc = pymupdf.open(pdf)
    pages = [page.get_text() for page in doc]
    text = "\n".join(pages)

    def found(s):  # within one page: a string split by a page break cannot be redacted as one
        return any(re.search(pattern(s), t) for t in pages)

    if re.search("[\ufb00-\ufb06]", text):
        problems.append("ligature characters in extracted text")
    if answers.get("doc") != f"{name}.pdf":
        problems.append(f"doc: is {answers.get('doc')!r}, expected {name}.pdf")
    if answers.get("record_context") not in ("law_enforcement", "public"):
        problems.append("record_context must be law_enforcement or public")
    withhold = answers.get("withhold") or []
    keep = answers.get("keep") or []
    for item in withhold:
        if item.get("kind") not in KINDS:
            problems.append(f"bad kind {item.get('kind')!r} for {item.get('text')!r}")
        if not item.get("codes") or not all(CODE.match(c) for c in item["codes"]):
            problems.append(f"bad codes {item.get('codes')!r} for {item.get('text')!r}")
        if not found(item["text"]):
            problems.append(f"withhold not found: {item['text']!r}")
    for k in keep:
        if not found(k):
            problems.append(f"keep not found: {k!r}")
    for item in withhold:  # a keep inside a withhold (or the reverse) would make the answer contradict itself
        w = squash(item["text"])
        for k in keep:
            if squash(k) in w or w in squash(k):
                problems.append(f"withhold {item['text']!r} overlaps keep {k!r}")
    info = " ".join(str(v) for v in doc.metadata.values() if v)
    for secret in answers.get("metadata_secrets") or []:
        if secret not in info:
            problems.append(f"metadata secret not in metadata: {secret!r}")
    return problems, doc.page_count


def main(names):
    names = names or sorted(p.stem for p in (HERE / "src").glob("*.html"))
    failures = 0
    for name in names:
        answers = yaml.safe_load((HERE / "answers" / f"{name}.yaml").read_text(encoding="utf-8"))
        pdf = build(name, answers)
        problems, pages = check(name, pdf, answers)
        kinds = {}
        for item in answers.get("withhold") or []:
            kinds[item["kind"]] = kinds.get(item["kind"], 0) + 1
        summary = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) or "none"
        status = "OK" if not problems else f"FAIL ({len(problems)})"
        print(f"{pdf.name}: {pages} pages, withhold {len(answers.get('withhold') or [])} [{summary}], "
              f"keep {len(answers.get('keep') or [])} - {status}")
        for p in problems:
            print(f"    {p}")
        failures += bool(problems)
    if failures:
        print(f"{failures} document(s) failed their answer check", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
