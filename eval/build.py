#!/usr/bin/env python3
"""Build the labelled evaluation set: eval/pdf/<id>.pdf and eval/gold/<id>.json from eval/src/<split>/.

    python eval/build.py                     # every document of every split (dev, heldout, tune, probe, check, field, trial)
    python eval/build.py --split tune        # one split
    python eval/build.py dev-memo-01 ...     # only some documents
    python eval/build.py --out /tmp/x ID     # build elsewhere (the determinism test does this)

Each split has its own sources, written separately so that nothing tuned on dev (or tune) wording carries
over to heldout by memorisation: `pools.yaml` (fictional people, phone/ID formats, systems, places, programs),
`sentences.yaml` (sentence banks with inline marks), `documents.yaml` (which documents, of which genre and
context) and `templates/*.html.j2` (Jinja layouts). See eval/README.md for the mark-up.

The gold of each document is read back from the built PDF: every occurrence of every withheld text and of
every must-keep string, with its page and boxes (page points, one box per line). The build fails loudly if
an occurrence the source contains is not found on one page (split by a page break, lost in layout), if a
must-keep string partly overlaps a withheld span, or if a box lies off its page.
"""
from __future__ import annotations

import argparse
import html as htmllib
import io
import json
import os
import random
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

import jinja2
import pymupdf
import yaml

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
SPLITS = ("dev", "heldout", "tune", "probe", "check", "field", "trial")
SEED = "redactor-eval-v1"
FIXED_DATE = "D:20240115090000Z"  # fixed dates + reproducible save: a rebuild gives the same bytes

# Marks in a filled sentence or template (never in the output): ⟦mark|text⟧ withhold, ⟪text⟫ keep.
WITHHOLD_MARK = re.compile(r"⟦(\w+)\|(.*?)⟧", re.S)
KEEP_MARK = re.compile(r"⟪(.*?)⟫", re.S)
SPAN = re.compile(r"\[\[(\w+):\s*(.*?)\]\]", re.S)  # [[technique: ...]] in the sentence banks
LITERAL_KEEP = re.compile(r"<<(.*?)>>", re.S)  # <<18 U.S.C. 1324>> in the sentence banks
PLACEHOLDER = re.compile(r"\{(\w+)(?::([\w-]+))?\}")

PERSONAL = {"law_enforcement": ["(b)(6)", "(b)(7)(C)"], "general": ["(b)(6)"]}
# mark -> (gold kind, code class)
MARKS = {
    "person": ("person", "personal"), "phone": ("phone", "personal"), "email": ("email", "personal"),
    "id": ("id", "personal"), "dob": ("id", "personal"), "home": ("location", "personal"),
    "site": ("location", "technique"), "system": ("other", "technique"),
    "technique": ("technique", "technique"), "statistic": ("statistic", "technique"),
    "deliberative": ("deliberative", "deliberative"),
}


def codes_for(mark: str, context: str, legacy_b2: bool) -> list[str]:
    cls = MARKS[mark][1]
    if cls == "personal":
        return PERSONAL[context]
    if cls == "deliberative":
        return ["(b)(5)"]
    if context != "law_enforcement":
        raise ValueError(f"a {mark} span in a {context} record: (b)(7)(E) needs a law-enforcement record")
    return ["(b)(2)", "(b)(7)(E)"] if legacy_b2 else ["(b)(7)(E)"]


def esc(text: str) -> str:
    return htmllib.escape(text, quote=False)


def digits(rng: random.Random, fmt: str) -> str:
    """'#' -> a random digit, 'X' -> a random capital letter."""
    return "".join(str(rng.randrange(10)) if c == "#" else rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") if c == "X" else c
                   for c in fmt)


class Filler:
    """Fills placeholders for one document with values drawn from the split's pools, and marks what the
    gold must record. Values with an index ({person:2}, {anum:1}) are the same everywhere in the document."""

    def __init__(self, rng: random.Random, pools: dict, bank: dict, context: str):
        self.rng, self.pools, self.bank, self.context = rng, pools, bank, context
        self.memo: dict[tuple[str, str], str] = {}
        self.used: dict[str, set] = {}
        self.people: dict[str, dict] = {}
        self.taken_last: set[str] = set()

    # -- people -------------------------------------------------------------------------------------------
    def _new_person(self, pool: str) -> dict:
        p = self.pools
        while True:
            last = self.rng.choice(p["last_names"])
            if last not in self.taken_last:
                break
        self.taken_last.add(last)
        first = self.rng.choice(p["first_names"])
        middle = self.rng.choice(p["middle_initials"]) if self.rng.random() < 0.5 else ""
        person = {"first": first, "last": last, "middle": middle}
        person["full"] = f"{first} {middle}. {last}" if middle else f"{first} {last}"
        person["rev"] = f"{last}, {first} {middle}.".strip() if middle else f"{last}, {first}"
        if pool == "signer":
            person["title"] = self.rng.choice(p["signer_titles"])
        elif pool == "official":
            person["title"] = self.rng.choice(p["official_titles"])
        elif pool == "subject":
            person["title"] = ""
        else:
            person["title"] = self.rng.choice(p["staff_titles"])
            person["short_title"] = self.rng.choice(p["agent_titles"])
            fmt = self.rng.choice(p["email_formats"])
            person["email"] = fmt.format(first=first.lower(), last=last.lower().replace(" ", ""),
                                         f=first[0].lower(), m=(middle or "x").lower(),
                                         domain=self.rng.choice(p["email_domains"]))
            person["phone"] = self.phone()
        return person

    def person(self, pool: str, key: str | None) -> dict:
        key = f"{pool}:{key if key is not None else self.rng.randrange(4)}"
        if key not in self.people:
            self.people[key] = self._new_person(pool)
        return self.people[key]

    def phone(self) -> str:
        area = self.rng.choice(self.pools["area_codes"])
        return digits(self.rng, self.rng.choice(self.pools["phone_formats"]).replace("AAA", area))

    # -- values -------------------------------------------------------------------------------------------
    def pick(self, pool: str) -> str:
        """A value from a pool, preferring one not yet used in this document."""
        values = self.pools[pool]
        unused = [v for v in values if v not in self.used.setdefault(pool, set())] or values
        value = self.rng.choice(unused)
        self.used[pool].add(value)
        return value

    def value(self, name: str, arg: str | None) -> tuple[str, str | None]:
        """(text, mark) for one placeholder; mark is a MARKS key, 'keep' or None."""
        rng, p = self.rng, self.pools
        if name in ("person", "agent", "first", "surname", "rev", "title", "email", "phone_of"):
            who = self.person("staff", arg)
            return {
                "person": (who["full"], "person"),
                "agent": (f"{who['short_title']} {who['full']}", "agent"),
                "first": (who["first"], "person"),
                "surname": (who["last"], "person"),
                "rev": (who["rev"], "person"),
                "title": (who["title"], None),
                "email": (who["email"], "email"),
                "phone_of": (who["phone"], "phone"),
            }[name]
        if name in ("subject", "subject_rev", "subject_last"):
            who = self.person("subject", arg)
            return {"subject": (who["full"], "person"), "subject_rev": (who["rev"], "person"),
                    "subject_last": (who["last"], "person")}[name]
        if name in ("signer", "signer_title", "official", "official_title"):
            pool = "signer" if name.startswith("signer") else "official"
            who = self.person(pool, arg or "0")
            return (who["title"], "keep") if name.endswith("title") else (who["full"], "keep")
        key = (name, arg) if arg is not None else None
        if key and key in self.memo:
            return self.memo[key], self.kind_of(name)
        text = self._fresh(name, arg)
        if key:
            self.memo[key] = text
        return text, self.kind_of(name)

    @staticmethod
    def kind_of(name: str) -> str | None:
        return {"phone": "phone", "anum": "id", "ssn": "id", "case": "id", "badge": "id", "plate": "id",
                "passport": "id", "dob": "dob", "home": "home", "site": "site", "system": "system",
                "url": "system", "pubstat": "keep", "n": None, "pct": None, "small": None, "year": None,
                "weekday": None}.get(name, "keep")

    def _fresh(self, name: str, arg: str | None) -> str:
        rng, p = self.rng, self.pools
        if name == "phone":
            return self.phone()
        if name in ("anum", "ssn", "case", "badge", "plate", "passport"):
            return digits(rng, rng.choice(p[f"{name}_formats"]))
        if name == "dob":
            return rng.choice(p["dob_formats"]).format(m=rng.randrange(1, 13), d=rng.randrange(1, 29),
                                                       y=rng.randrange(1952, 1999), M=rng.choice(p["months"]))
        if name == "home":
            return rng.choice(p["home_formats"]).format(n=rng.randrange(100, 9900), street=self.pick("streets"),
                                                        town=self.pick("home_towns"), zip=digits(rng, "#####"))
        if name == "n":
            lo, hi = (int(v) for v in (arg or "20-4000").split("-"))
            return f"{rng.randrange(lo, hi):,}"
        if name == "pct":
            return f"{rng.randrange(11, 94)} percent"
        if name == "small":
            return str(rng.randrange(2, 9))
        if name == "pubstat":
            return f"{rng.randrange(140, 98000):,}"
        if name == "year":
            return str(rng.choice(p["years"]))
        if name == "weekday":
            return rng.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])
        if name not in p:
            raise KeyError(f"unknown placeholder {{{name}}}")
        return self.pick(name)

    # -- sentences ----------------------------------------------------------------------------------------
    def _fill_plain(self, text: str, mark: bool) -> str:
        out, pos = [], 0
        for m in PLACEHOLDER.finditer(text):
            out.append(esc(text[pos:m.start()]))
            value, kind = self.value(m.group(1), m.group(2))
            if not mark or kind is None:
                out.append(esc(value))
            elif kind == "agent":
                title, name = value.split(" ", 1)
                out.append(f"{esc(title)} ⟦person|{esc(name)}⟧")
            elif kind == "keep":
                out.append(f"⟪{esc(value)}⟫")
            else:
                self._check_context(kind)
                out.append(f"⟦{kind}|{esc(value)}⟧")
            pos = m.end()
        out.append(esc(text[pos:]))
        return "".join(out)

    def _check_context(self, kind: str) -> None:
        if self.context == "public":
            raise ValueError(f"a {kind} value in a public record (press releases withhold nothing)")

    def fill(self, text: str) -> str:
        """Sentence-bank text -> HTML with marks."""
        out, pos = [], 0
        for m in SPAN.finditer(text):
            out.append(self._fill_outside(text[pos:m.start()]))
            kind = m.group(1)
            if kind not in MARKS:
                raise ValueError(f"unknown span kind {kind!r} in {text!r}")
            self._check_context(kind)
            inner = LITERAL_KEEP.sub(r"\1", m.group(2))
            out.append(f"⟦{kind}|{self._fill_plain(inner, mark=False)}⟧")
            pos = m.end()
        out.append(self._fill_outside(text[pos:]))
        return "".join(out)

    def _fill_outside(self, text: str) -> str:
        out, pos = [], 0
        for m in LITERAL_KEEP.finditer(text):
            out.append(self._fill_plain(text[pos:m.start()], mark=True))
            out.append(f"⟪{self._fill_plain(m.group(1), mark=False)}⟫")
            pos = m.end()
        out.append(self._fill_plain(text[pos:], mark=True))
        return "".join(out)

    def sentence(self, category: str) -> str:
        """One sentence of a bank category, not used before in this document."""
        return self.fill(self.pick_from_bank(category))

    def pick_from_bank(self, category: str) -> str:
        items = self.bank[category]
        used = self.used.setdefault(f"bank:{category}", set())
        unused = [i for i, _ in enumerate(items) if i not in used]
        if not unused:
            raise ValueError(f"sentence bank {category!r} exhausted in one document; write more sentences")
        i = self.rng.choice(unused)
        used.add(i)
        return items[i]


# -- layout ---------------------------------------------------------------------------------------------------
def noliga(html: str) -> str:
    """MuPDF's HTML layout sets f+f/i/l as ligature glyphs (U+FB00..): an empty span splits the pair."""
    parts = re.split(r"(<[^>]*>)", html)
    return "".join(p if p.startswith("<") else re.sub(r"f(?=[fil])", "f<span></span>", p) for p in parts)


def parse(src: str):
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
    return meta, css, header, footer, re.split(r'<div class="page-break">\s*</div>', body)


def layout(meta, css, header, footer, sections, total):
    """Flow the sections onto pages (one or two columns); returns (pdf bytes, page count, band pages)."""
    width, height = (792, 612) if meta.get("orientation") == "landscape" else (612, 792)
    top, right, bottom, left = map(float, meta.get("margins", "72 72 72 72").split())
    columns, gap = int(meta.get("columns", "1")), 18
    col_w = (width - left - right - gap * (columns - 1)) / columns
    rects = [pymupdf.Rect(left + i * (col_w + gap), top, left + i * (col_w + gap) + col_w, height - bottom)
             for i in range(columns)]
    bands = [(header, pymupdf.Rect(left, 18, width - right, top - 4)),
             (footer, pymupdf.Rect(left, height - bottom + 4, width - right, height - 10))]
    band_pages = {"header": 0, "footer": 0}
    buf = io.BytesIO()
    writer = pymupdf.DocumentWriter(buf)
    page = 0
    for section in sections:
        story = pymupdf.Story(noliga(section), user_css=css)
        more = 1
        while more:
            page += 1
            if page > 60:
                raise RuntimeError("layout runaway: does some element not fit on a page?")
            device = writer.begin_page(pymupdf.Rect(0, 0, width, height))
            for rect in rects:
                if more:
                    more, _ = story.place(rect)  # MuPDF may drop text after some tables: the gold check sees it
                    story.draw(device)
            for (snippet, rect), name in zip(bands, ("header", "footer")):
                if snippet and not (page == 1 and "data-skip-first" in snippet.split(">", 1)[0]):
                    band = pymupdf.Story(noliga(snippet.replace("{page}", str(page)).replace("{pages}", str(total))),
                                         user_css=css)
                    if band.place(rect)[0]:
                        raise RuntimeError(f"header/footer does not fit in {rect}; enlarge the margins")
                    band.draw(device)
                    band_pages[name] += 1
            writer.end_page()
    writer.close()
    return buf.getvalue(), page, band_pages


# -- reading the gold back from the PDF ------------------------------------------------------------------------
def doc_chars(pdf: pymupdf.Document, top: float, bottom: float) -> tuple[str, list]:
    """The document's text and, for each character, its (page, box, line key) or None. Body text runs on
    from page to page (a form feed between pages) so that a string a page break splits is still found;
    running headers and footers (blocks outside the body band top..bottom) come after all bodies."""
    flags = pymupdf.TEXTFLAGS_RAWDICT & ~pymupdf.TEXT_PRESERVE_LIGATURES
    body: tuple[list, list] = ([], [])
    bands: tuple[list, list] = ([], [])
    for number, page in enumerate(pdf):
        for b in page.get_text("rawdict", flags=flags)["blocks"]:
            if b["type"] != 0:
                continue
            chars, info = bands if b["bbox"][3] <= top or b["bbox"][1] >= page.rect.height - bottom else body
            for li, line in enumerate(b["lines"]):
                for span in line["spans"]:
                    for c in span["chars"]:
                        chars.append(c["c"])
                        info.append((number, c["bbox"], (b["number"], li)))
                chars.append("\n")
                info.append(None)
        for chars, info in (body, bands):
            chars.append("\f")
            info.append(None)
    text, info = "".join(body[0] + ["\f"] + bands[0]), body[1] + [None] + bands[1]
    assert len(text) == len(info), "one info entry per character"
    return text, info


def squash(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def pattern(s: str) -> re.Pattern:
    """A string as it may appear in extracted text: spaces match any whitespace, and the layout may wrap it
    between any two characters (URLs and long numbers break anywhere), with or without a hyphen."""
    wrap = r"(?:-?[ \t]*\n\s*)?"
    body = wrap.join(r"\s+" if c == " " else re.escape(c) for c in squash(s))
    return re.compile(r"(?<![\w@.])" + body + r"(?![\w@]|\.\w)")


# The figures of an operational statistic: agencies withhold the numbers and release the sentence
# around them ("a total of (b)(7)(E) cases were generated"), so gold for a statistic is each figure.
FIGURE = re.compile(r"(?<![\w/$.,-])(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s?%|\s+percent)?(?![\w/-]|[.,]\d)")


def figure_occurrences(text: str, info: list, needle: str) -> list[tuple[str, list[dict]]]:
    """(figure, its occurrences) for each figure inside each occurrence of a statistic's phrase."""
    out = []
    for m in pattern(needle).finditer(text):
        for f in FIGURE.finditer(text, m.start(), m.end()):
            out.append((squash(f.group()), _parts(text, info, f.start(), f.end())))
    return out


def occurrences(text: str, info: list, needle: str) -> list[dict]:
    """Every occurrence of needle: its character range and one box per line, grouped by page (a string that
    a page break splits gives one part on each page)."""
    return [part for m in pattern(needle).finditer(text) for part in _parts(text, info, m.start(), m.end())]


def _parts(text: str, info: list, start: int, end: int) -> list[dict]:
    """One box per line of the characters start..end, grouped by page."""
    out = []
    parts: dict[int, dict] = {}
    for i in range(start, end):
        if info[i] is None or not text[i].strip():
            continue
        page, (x0, y0, x1, y1), key = info[i]
        lines = parts.setdefault(page, {})
        box = lines.get(key)
        lines[key] = [x0, y0, x1, y1] if box is None else \
            [min(box[0], x0), min(box[1], y0), max(box[2], x1), max(box[3], y1)]
    for page, lines in parts.items():
        out.append({"page": page, "start": start, "end": end,
                    "boxes": [[round(v, 2) for v in box] for box in lines.values()]})
    return out


def plain(html: str) -> str:
    """Visible text of an HTML fragment (tags become spaces), for counting expected occurrences."""
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", html))


def strip_marks(html: str) -> tuple[str, list[tuple[str, str]], list[str]]:
    withhold = [(kind, htmllib.unescape(text)) for kind, text in WITHHOLD_MARK.findall(html)]
    html = WITHHOLD_MARK.sub(r"\2", html)
    keep = [htmllib.unescape(t) for t in KEEP_MARK.findall(html)]
    html = KEEP_MARK.sub(r"\1", html)
    if "⟦" in html or "⟪" in html or "[[" in html or "<<" in html:
        raise ValueError("unbalanced or nested marks left in the rendered document")
    return html, withhold, keep


def read_gold(pdf: pymupdf.Document, margins: str, html_body: str, bands: dict, band_pages: dict,
              withhold: list, keep: list, context: str, legacy_b2: bool) -> tuple[dict, list[str]]:
    problems = []
    top, _, bottom, _ = map(float, margins.split())
    text_all, info = doc_chars(pdf, top, bottom)
    body_text = plain(html_body)

    def expected(needle: str) -> int:
        rx = pattern(needle)
        return len(rx.findall(body_text)) + sum(len(rx.findall(plain(bands[b]))) * band_pages[b] for b in bands)

    def locate(needle: str) -> list[dict]:
        return occurrences(text_all, info, needle)

    gold_w: dict[str, dict] = {}
    statistics_seen: set[str] = set()  # a statistic's items are keyed by figure: its phrase is read once
    for mark, text in withhold:
        kind = MARKS[mark][0]
        codes = codes_for(mark, context, legacy_b2)
        key = squash(text)
        if kind == "statistic":
            if key in statistics_seen:
                continue
            statistics_seen.add(key)
        if key in gold_w:
            if gold_w[key]["kind"] != kind or gold_w[key]["codes"] != codes:
                problems.append(f"{key!r} marked both {gold_w[key]['kind']} and {kind}")
            continue
        occ = locate(text)
        found = len({o["start"] for o in occ})
        if found != expected(text) or not occ:
            problems.append(f"withhold {key!r}: {found} occurrences in the PDF, {expected(text)} in the source")
        if kind == "statistic":
            figures = figure_occurrences(text_all, info, text)
            if not figures:
                problems.append(f"statistic {key!r} holds no figure")
            for figure, parts in figures:  # a figure repeated in two statistics is one gold item
                item = gold_w.setdefault(f"{figure} ⟨{key}⟩", {"text": figure, "kind": kind, "codes": codes,
                                                             "context": key, "occurrences": []})
                item["occurrences"] += parts
            continue
        gold_w[key] = {"text": key, "kind": kind, "codes": codes, "occurrences": occ}
    spans = {(o["start"], o["end"], item["text"]) for item in gold_w.values() for o in item["occurrences"]}
    gold_k: dict[str, dict] = {}
    for text in keep:
        key = squash(text)
        if key in gold_k:
            continue
        kept = []
        for o in locate(text):
            inside = [w for s, e, w in spans if s <= o["start"] and o["end"] <= e]
            partial = [w for s, e, w in spans if s < o["end"] and o["start"] < e
                       and not (s <= o["start"] and o["end"] <= e)]
            if partial:
                problems.append(f"keep {key!r} partly overlaps withheld {partial[0]!r} on page {o['page'] + 1}")
            elif not inside:
                kept.append(o)
        if not kept:
            problems.append(f"keep {key!r}: not found on any page outside withheld spans")
        gold_k[key] = {"text": key, "occurrences": kept}
    for item in [*gold_w.values(), *gold_k.values()]:
        for o in item["occurrences"]:
            rect = pdf[o["page"]].rect
            for box in o["boxes"]:
                if not (rect.x0 <= box[0] < box[2] <= rect.x1 and rect.y0 <= box[1] < box[3] <= rect.y1):
                    problems.append(f"box {box} of {item['text']!r} off page {o['page'] + 1}")
            del o["start"], o["end"]
    lost = Counter(re.findall(r"\w+", body_text)) - Counter(re.findall(r"\w+", text_all))
    if lost:  # MuPDF's Story can drop the rest of a section after some tables
        problems.append(f"text lost in layout: {' '.join(sorted(lost)[:12])}")
    if re.search("[\ufb00-\ufb06]", text_all):
        problems.append("ligature characters in extracted text")
    return {"withhold": sorted(gold_w.values(), key=lambda g: (g["occurrences"][0]["page"] if g["occurrences"] else 0,
                                                              g["text"])),
            "keep": sorted(gold_k.values(), key=lambda g: g["text"])}, problems


# -- one document ---------------------------------------------------------------------------------------------
def plan(split: str) -> list[dict]:
    """The documents of a split, in order, with their ids."""
    spec = yaml.safe_load((SRC / split / "documents.yaml").read_text(encoding="utf-8"))
    docs = []
    for entry in spec["documents"]:
        legacy = set(entry.get("legacy_b2", []))
        for i in range(1, entry["count"] + 1):
            docs.append({"id": f"{split}-{entry['genre']}-{i:02d}", "split": split, "genre": entry["genre"],
                         "template": entry.get("template", entry["genre"]), "context": entry["context"],
                         "legacy_b2": i in legacy, "length": entry.get("length", [3, 6]),
                         "variant": i})
    return docs


def render(doc: dict, pools: dict, bank: dict, env: jinja2.Environment) -> str:
    rng = random.Random(f"{SEED}:{doc['id']}")
    filler = Filler(rng, pools, bank, doc["context"])
    lo, hi = doc["length"]
    template = env.get_template(f"{doc['template']}.html.j2")
    return template.render(f=filler.fill, s=filler.sentence, rng=rng, n=rng.randint(lo, hi), doc=doc,
                           choice=rng.choice, pick=lambda pool: esc(filler.pick(pool)))


def build(doc: dict, out_dir: Path, sources: dict) -> tuple[dict, list[str]]:
    pools, bank, env = sources[doc["split"]]
    html = render(doc, pools, bank, env)
    html, withhold, keep = strip_marks(html)
    meta, css, header, footer, sections = parse(html)
    _, total, _ = layout(meta, css, header, footer, sections, 0)
    data, pages, band_pages = layout(meta, css, header, footer, sections, total)
    pdf = pymupdf.open("pdf", data)
    pdf.subset_fonts()
    pdf.set_metadata({"title": meta["title"], "author": meta.get("author", ""), "subject": meta.get("subject", ""),
                      "keywords": meta.get("keywords", ""), "creator": meta.get("creator", "redactor eval build"),
                      "producer": "redactor eval/build.py (PyMuPDF)", "creationDate": FIXED_DATE,
                      "modDate": FIXED_DATE})
    body = re.sub(r"<(header|footer)\b.*?</\1>", "", re.search(r"<body[^>]*>(.*)</body>", html, re.S).group(1),
                  flags=re.S)
    gold, problems = read_gold(pdf, meta.get("margins", "72 72 72 72"), body, {"header": header, "footer": footer}, band_pages, withhold, keep,
                               doc["context"], doc["legacy_b2"])
    if doc["context"] == "public" and gold["withhold"]:
        problems.append("a press release with something to withhold")
    (out_dir / "pdf").mkdir(parents=True, exist_ok=True)
    (out_dir / "gold").mkdir(parents=True, exist_ok=True)
    pdf_path = out_dir / "pdf" / f"{doc['id']}.pdf"
    save_atomic(pdf_path, lambda tmp: pdf.save(tmp, garbage=4, deflate=True, no_new_id=True, reproducible=True))
    record = {"id": doc["id"], "doc": f"pdf/{doc['id']}.pdf", "split": doc["split"], "genre": doc["genre"],
              "record_context": doc["context"], "legacy_b2": doc["legacy_b2"], "pages": pages,
              "title": meta["title"], **gold}
    text = json.dumps(record, indent=1, ensure_ascii=False) + "\n"
    save_atomic(out_dir / "gold" / f"{doc['id']}.json", lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return record, problems


def save_atomic(target: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def load_sources(split: str):
    pools = yaml.safe_load((SRC / split / "pools.yaml").read_text(encoding="utf-8"))
    bank = yaml.safe_load((SRC / split / "sentences.yaml").read_text(encoding="utf-8"))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(SRC / split / "templates"),
                             undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)
    return pools, bank, env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="document ids (default: all)")
    parser.add_argument("--split", choices=SPLITS)
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    splits = [args.split] if args.split else [s for s in SPLITS if (SRC / s / "documents.yaml").exists()]
    sources = {s: load_sources(s) for s in splits}
    docs = [d for s in splits for d in plan(s)]
    if args.ids:
        unknown = set(args.ids) - {d["id"] for d in docs}
        if unknown:
            print(f"unknown document ids: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        docs = [d for d in docs if d["id"] in args.ids]
    failures, pages = 0, {}
    for doc in docs:
        try:
            record, problems = build(doc, args.out, sources)
        except (RuntimeError, ValueError, KeyError, jinja2.TemplateError) as exc:
            print(f"{doc['id']:28} FAIL: {exc}")
            failures += 1
            continue
        kinds: dict[str, int] = {}
        for item in record["withhold"]:
            kinds[item["kind"]] = kinds.get(item["kind"], 0) + 1
        summary = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) or "none"
        print(f"{doc['id']:28} {record['pages']:>2} pages  withhold {len(record['withhold']):>3} [{summary}]  "
              f"keep {len(record['keep'])}  {'OK' if not problems else f'FAIL ({len(problems)})'}")
        for p in problems:
            print(f"    {p}")
        failures += bool(problems)
        pages.setdefault(doc["split"], [0, 0])
        pages[doc["split"]][0] += 1
        pages[doc["split"]][1] += record["pages"]
    for split, (n, p) in pages.items():
        print(f"{split}: {n} documents, {p} pages")
    if failures:
        print(f"{failures} document(s) failed their gold check", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
