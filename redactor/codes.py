"""Stage 3, code: findings become proposals with boxes, exemption codes and a rationale.

Code sets (exemption_codes/<set>.yaml) and the policy (data/policy.yaml) are data; a user
adds a code set or edits the policy without touching this module.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date
from pathlib import Path

import regex as re
import yaml

from .models import Document, Finding, Page, Proposal, ProposalSet

PACKAGE_DIR = Path(__file__).parent
DEFAULT_POLICY = PACKAGE_DIR / "data" / "policy.yaml"


def code_sets_dir() -> Path:
    """Installed wheels carry the sets inside the package; a checkout has them at the top."""
    for candidate in (PACKAGE_DIR / "exemption_codes", PACKAGE_DIR.parent / "exemption_codes"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("exemption_codes/ directory not found")


@dataclass
class ExemptionCode:
    id: str
    title: str
    description: str
    statute: str
    printed: str
    short: str
    justification: str
    warning: str | None = None


@dataclass
class CodeSet:
    id: str
    title: str
    statute: str
    description: str
    codes: dict[str, ExemptionCode] = field(default_factory=dict)

    def get(self, code_id: str) -> ExemptionCode:
        try:
            return self.codes[code_id]
        except KeyError:
            raise KeyError(f"code {code_id!r} is not in code set {self.id!r}") from None

    def order(self, code_id: str) -> int:
        """Position in the code set, so codes print in statute order: (b)(5), (b)(6), (b)(7)(C)."""
        return list(self.codes).index(code_id) if code_id in self.codes else len(self.codes)


def list_code_sets(directory: Path | None = None) -> list[str]:
    return sorted(p.stem for p in (directory or code_sets_dir()).glob("*.yaml"))


@lru_cache(maxsize=32)
def _parsed_yaml(path: str, mtime_ns: int) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def read_yaml(path: Path) -> dict:
    """A policy or code-set file, parsed once per process (and again when it changes on disk):
    parsing them for every document cost a tenth of a batch's propose time."""
    return copy.deepcopy(_parsed_yaml(str(path.resolve()), path.stat().st_mtime_ns))


def load_code_set(name: str, directory: Path | None = None) -> CodeSet:
    path = (directory or code_sets_dir()) / f"{name}.yaml"
    if not path.exists():
        raise FileNotFoundError(f"no code set {name!r} (known: {', '.join(list_code_sets(directory))})")
    data = read_yaml(path)
    codes = {c["id"]: ExemptionCode(**{k: (v.strip() if isinstance(v, str) else v) for k, v in c.items()})
             for c in data["codes"]}
    return CodeSet(data["id"], data["title"], data["statute"], data["description"].strip(), codes)


@dataclass
class Policy:
    code_set: str
    default_context: str
    contexts: dict[str, str]
    context_markers: dict[str, list[str]]
    rules: dict[str, dict]
    senior_signers: dict
    office_address_markers: list[str]
    office_address_units: list[str] = field(default_factory=list)
    public_contacts: dict = field(default_factory=dict)
    context_patterns: dict[str, list[str]] = field(default_factory=dict)
    context_unless: dict[str, list[str]] = field(default_factory=dict)
    legacy_b2: dict = field(default_factory=dict)
    conditional_codes: list[dict] = field(default_factory=list)

    def conditional_for(self, document: Document) -> dict[str, list[tuple[str, str, str]]]:
        """entity -> [(code, why, shape)] that this record's own wording adds (e.g. an open case);
        a rule with `when_text_matches` adds its code only to findings of that shape."""
        text = "\n".join(p.text for p in document.pages)
        out: dict[str, list[tuple[str, str, str]]] = {}
        for rule in self.conditional_codes:
            mentions = rule.get("when_record_mentions")
            if mentions and not any(re.search(pattern, text, re.IGNORECASE) for pattern in mentions):
                continue
            for entity in rule["to"]:
                out.setdefault(entity, []).append((rule["add"], rule["why"], rule.get("when_text_matches", "")))
        return out

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Policy":
        return cls(**read_yaml(Path(path or DEFAULT_POLICY)))

    def infer_context(self, document: Document) -> str:
        text = document.pages[0].text[:2000] if document.pages else ""

        def ruled_out(context: str) -> bool:
            return any(re.search(u, text, re.IGNORECASE) for u in self.context_unless.get(context, []))

        for context, markers in self.context_markers.items():
            if not ruled_out(context) and any(_marks_record(marker, text) for marker in markers):
                return context
        for context, patterns in self.context_patterns.items():
            if ruled_out(context):
                continue
            if any(re.search(p, text) for p in patterns):
                return context
        return self.default_context

    def kind_of(self, entity: str) -> str:
        return self.rules.get(entity, {}).get("kind", "other")


MONTHS = ("january february march april may june july august september october november december "
          "jan feb mar apr may jun jul aug sep sept oct nov dec").split()
MONTH_NUMBER = {name: number for number, names in enumerate(
    ("january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul", "august aug",
     "september sep sept", "october oct", "november nov", "december dec"), 1) for name in names.split()}
# A date as records write it: "June 25, 2009", "25 June 2009", "06/25/2009", "6/25/09",
# "2009-06-25", "25-JUN-2009", "MAR 03 2010"; and fiscal years, "FY09" / "FY 2009".
DATE = re.compile(r"(?i)\b(?:(?P<mon>" + "|".join(MONTHS) + r")\.?\s+(?:\d{1,2}(?:\s?\d)?,?\s+)?(?P<y1>(?:19|20)\d{2})"
                  r"|\d{1,2}\s+(?P<mon2>" + "|".join(MONTHS) + r")\.?,?\s+(?P<y2>(?:19|20)\d{2})"
                  r"|\d{1,2}-(?P<mon5>" + "|".join(MONTHS) + r")-(?P<y5>(?:19|20)\d{2})\b"
                  r"|(?P<m3>\d{1,2})/(?P<d3>\d{1,2})/(?P<y3>(?:19|20)?\d{2})\b"
                  r"|(?P<y4>(?:19|20)\d{2})-(?P<m4>\d{2})-(?P<d4>\d{2})\b"
                  r"|\bFY\s?(?P<fy>(?:19|20)?\d{2})\b)")
HEADER_DATE = re.compile(r"(?im)^\s*(?:date|sent|dated|issued|effective)\s*:?\s*(?P<rest>.{0,60})$")


def _dates(text: str) -> list[date]:
    out = []
    for m in DATE.finditer(text):
        try:
            if m["y1"] or m["y2"] or m["y5"]:
                month = MONTH_NUMBER[(m["mon"] or m["mon2"] or m["mon5"]).lower()]
                out.append(date(int(m["y1"] or m["y2"] or m["y5"]), month, 1))
            elif m["y3"]:
                year = int(m["y3"])
                if len(m["y3"]) == 2:  # "6/25/09"; "3/4/84" is 1984, never a future year
                    year += 2000 if 2000 + year <= date.today().year else 1900
                out.append(date(year, int(m["m3"]), int(m["d3"])))
            elif m["y4"]:
                out.append(date(int(m["y4"]), int(m["m4"]), int(m["d4"])))
            elif m["fy"]:
                year = int(m["fy"]) if len(m["fy"]) == 4 else 2000 + int(m["fy"])
                out.append(date(year - 1, 10, 1))  # a fiscal year starts in October
        except ValueError:
            continue
    return out


def record_date(document: Document) -> date | None:
    """When the record was made: its latest header date (Date:, Sent:), else the latest date
    it mentions on its first pages — good enough to tell a pre-2011 record from a recent one."""
    text = "\n".join(p.text for p in document.pages[:5])
    header = [d for m in HEADER_DATE.finditer(text) for d in _dates(m["rest"])]
    found = header or _dates(text)
    return max(found) if found else None


def legacy_codes(policy: Policy, entity: str, when: date | None) -> list[str]:
    """The pre-Milner (b)(2) marking for a record dated before the cutoff, where the policy asks."""
    legacy = policy.legacy_b2 or {}
    if not legacy.get("enabled") or when is None or entity not in legacy.get("add_to", []):
        return []
    cutoff = legacy["before"]
    cutoff = cutoff if isinstance(cutoff, date) else date.fromisoformat(str(cutoff))
    return [legacy["code"]] if when < cutoff else []


def _marks_record(marker: str, text: str) -> bool:
    """A marker that says what the record is stands as a heading on the first page: in capitals
    ("District of New Mexico • FOR IMMEDIATE RELEASE"), or in title case on a short line
    ("Local Press Release • Release Date: …"). "the press release" in a sentence is not one."""
    lines = text.split("\n")  # infer_context passes the first 2,000 characters
    upper, title = re.escape(marker.upper()), re.escape(marker.title())
    return any(re.search(rf"\b{upper}\b", line) or
               (len(line.split()) <= 12 and re.search(rf"\b{title}\b", line)) for line in lines)


def _line_at(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end == -1 else end


def _neighbour_lines(text: str, pos: int, before: int, after: int) -> tuple[list[str], list[str]]:
    start, end = _line_at(text, pos)
    prev = [ln for ln in text[:start].split("\n") if ln.strip()][-before:] if before else []
    nxt = [ln for ln in text[end + 1:].split("\n") if ln.strip()][:after]
    return prev, nxt


@lru_cache(maxsize=16)
def _any_word(words: tuple[str, ...]) -> re.Pattern:
    """Any of these words or phrases, whole, in any case (compiled once)."""
    if not words:
        return re.compile(r"(?!)")
    return re.compile(r"(?i)\b(?:" + "|".join(re.escape(w) for w in words) + r")\b")


@lru_cache(maxsize=16)
def _title_at_end(titles: tuple[str, ...]) -> re.Pattern:
    """One of these titles at the end of a text (compiled once, not once per title and name)."""
    if not titles:
        return re.compile(r"(?!)")
    return re.compile("(?:" + "|".join(f"(?:{t})" for t in titles) + r")[,:]?[ \t]*$")


@lru_cache(maxsize=16)
def _title_at_start(titles: tuple[str, ...]) -> re.Pattern:
    """One of these titles at the start of a text (use with .match)."""
    return re.compile("|".join(f"(?:{t})" for t in titles) if titles else r"(?!)")


def is_senior_signer(page: Page, f: Finding, policy: Policy) -> bool:
    rules = policy.senior_signers
    if rules.get("line_officer_cue") and re.match(rules["line_officer_cue"], page.text[f.end:f.end + 40]):
        return False
    line_start, line_end = _line_at(page.text, f.start)
    before_on_line = page.text[line_start:f.start]
    # "said Director Joaquín R. Estrella", "Chief Patrol Agent Harlan B. Redmond approved": the
    # senior title itself stands before the name
    before = before_on_line.title() if before_on_line.isupper() else before_on_line  # "REAR ADMIRAL"
    # a title wrapped onto the name's line ("… for the Patrol Agent in" / "Charge, Torsten A. Kasprzak")
    above = page.text[slice(*_line_at(page.text, line_start - 1))] if line_start else ""
    if before.strip() and not before.isupper() and re.match(r"[ \t]*\p{Lu}?\p{Ll}", before) and above.strip():
        before = f"{above.rstrip()} {before.lstrip()}"
    not_titles = rules.get("not_titles", [])
    # ("the Patrol Agent in Charge, Ignatius P. Moreau,": the title in apposition)
    # ("Director: Mei Ferreira-Lopes": the title as a label)
    if _title_at_end(tuple(rules["titles"])).search(before) and \
            not _title_at_end(tuple(not_titles)).search(before):
        # named as the one to call ("contact ASTI Section Chief … at (202) …"): a point of contact,
        # whose name agencies withhold whatever the title; signing and announcing is what is public
        return not re.search(rules.get("contact_cue", r"(?!)"), before)
    rest_of_line = page.text[f.end:line_end].lstrip(" ,–—-")
    if re.fullmatch(r"(?:\p{Lu}\.[ \t]*)+", rest_of_line.strip()):
        rest_of_line = ""  # the signer's initials beside the typed name ("Marcy M. Forman M. M. F.")
    prev, nxt = _neighbour_lines(page.text, f.start, 3, 1)
    title_text = rest_of_line if rest_of_line.strip() else (nxt[0].strip() if nxt else "")
    if not _title_at_start(tuple(rules["titles"])).match(title_text) or _title_at_start(tuple(not_titles)).match(title_text):
        return False
    if rest_of_line.strip() and _title_at_start(tuple(rules.get("head_titles", []))).match(title_text):
        return True  # "…, Attorney General" in apposition: the head of the office, wherever named
    # a signature block: the name alone on its line, the senior title on the next. A row of a table
    # of names (an attendance list or a roster under a "Name" header) looks the same: there only the
    # heads ("Director, …", not "Deputy Director, …") are released.
    if not before_on_line.strip(" \t•*") and not rest_of_line.strip():
        headers = "|".join(re.escape(h) for h in rules.get("name_table_headers", []))
        in_table = bool(headers) and re.search(rf"(?im)^[ \t]*(?:{headers})[ \t]*$",
                                               page.text[max(0, line_start - 600):line_start])
        heads = [*rules.get("table_heads", []), *rules.get("head_titles", [])]
        return not in_table or any(re.match(t, title_text) for t in heads)
    labels = "|".join(re.escape(lbl) for lbl in rules["signing_labels"])
    closings = [c.lower() for c in rules["closings"]]
    # "FROM: name", "Approved: name", and inline "Approved by name, Title"
    in_from_block = any(re.match(rf"\s*(?:{labels})\s*(?::|(?i:by)\b|$)", ln) for ln in [before_on_line, *prev[-2:]]) \
        or bool(re.search(rf"(?:^|[.;]\s+)(?:{labels})\s*(?::|(?i:by)\b)\s*$", before_on_line)) \
        or bool(re.search(rf"\s[–—|]\s+(?:{labels})\s*:?\s*$", before_on_line))  # "… . Approved: name", "date – Prepared for name"
    after_closing = any(ln.strip().rstrip(",").lower() in closings for ln in prev[-2:]) or "/s/" in before_on_line
    # a reviewing, approving or commanding role before it: "Reviewed by: name, Special Agent in
    # Charge", "Incident commander: name, Chief of Police", "Approved for release by name, …"
    roles = "|".join(re.escape(r) for r in rules.get("role_labels", []))
    role_label = bool(roles) and (bool(re.search(rf"(?i:\b(?:{roles})(?:[ \t]+\w+){{0,4}}?(?:[ \t]+by)?)[ \t]*:?[ \t]*$",
                                                 before_on_line))
                                  # or the label alone on the line above, as in a form ("Board chair" / name)
                                  or (not before_on_line.strip() and bool(prev) and bool(re.fullmatch(
                                      rf"[ \t]*(?:\w+[ \t]+){{0,2}}(?i:(?:{roles})(?:[ \t]+by)?)[ \t]*:?[ \t]*", prev[-1]))))
    return in_from_block or after_closing or role_label


def speaks_in_public(page: Page, f: Finding, policy: Policy) -> bool:
    """A name the sentence puts before the press ("… will speak for the district at the press
    conference in Cleveland"): whoever speaks for the agency in public is named in public."""
    cue = policy.senior_signers.get("public_speaker_cue")
    return bool(cue) and re.match(cue, page.text[f.end:f.end + 160].replace("\n", " ")) is not None


def same_person(a: str, b: str) -> bool:
    """Same surname, and every other part of the shorter name matches (initials allowed):
    "M. L. Thornquist", "Thornquist" and "Margaret L. Thornquist" are one person."""
    def parts(name: str) -> list[str]:
        if "," in name:  # "Last, First M"
            last, _, first = name.partition(",")
            name = f"{first} {last}"
        return [p.strip(".").lower() for p in name.split() if p.strip(".")]
    pa, pb = parts(a), parts(b)
    if not pa or not pb or pa[-1] != pb[-1]:
        return False
    short, long = sorted((pa[:-1], pb[:-1]), key=len)
    return all(any(lp == sp or (len(sp) == 1 and lp.startswith(sp)) for lp in long) for sp in short)


def is_office_address(document: Document, page: Page, f: Finding, policy: Policy) -> bool:
    prev, _ = _neighbour_lines(page.text, f.start, 1, 0)
    line_start, line_end = _line_at(page.text, f.start)
    before = page.text[line_start:f.start]
    # the office named before it in its sentence, or on the line above when the address opens
    # its line (a letterhead block)
    near = before
    if not before.strip():
        near = " ".join([*prev, before])
    elif prev and len(prev[-1]) >= 60:  # prose wrapped from the line above
        near = re.split(r"[.!?]\s", f"{prev[-1]} {before}")[-1]
    # in prose the office stands close before its address ("the Tate Federal Building, 640 Grove
    # Street"), not a clause away ("the Department's fraud unit found claims filed from 3248 …")
    if before.strip() and not re.search(r"[·|•]\s*$", before):
        near = near[-60:]  # (a letterhead's line of offices joined by dots is read whole)
    if any(re.search(rf"\b{re.escape(m)}\b", near) for m in policy.office_address_markers):
        return True
    # a suite or a floor is an office's; homes have apartments and units
    if any(re.search(rf"\b{re.escape(u)}(?!\w)", f.text) for u in policy.office_address_units):
        return True
    # a letterhead or running footer: the address's line recurs on more than one page
    line = page.text[line_start:line_end].strip()
    return sum(any(ln.strip() == line for ln in other.text.split("\n")) for other in document.pages) > 1


def is_public_contact(page: Page, f: Finding, policy: Policy) -> bool:
    """A tip line, press office, FOIA office or switchboard number, or a role mailbox
    ("foia@", "press@"), is the agency's public contact, not an individual's."""
    rules = policy.public_contacts
    if not rules:
        return False
    if f.entity not in ("EMAIL_ADDRESS", "PHONE_NUMBER"):
        return False
    if f.entity == "EMAIL_ADDRESS":
        local = re.split(r"[._+-]", f.text.split("@")[0].lower())
        if any(part in rules.get("mailbox_words", []) or
               any(part.startswith(w) for w in rules.get("mailbox_prefixes", [])) for part in local):
            return True
    elif re.match(rules.get("toll_free", r"(?!)"), f.text):
        return True
    # the words just before the number or address in its sentence, wrapped lines included ("the
    # FOIA Public Liaison by emailing … or calling (540) …"); a label on the line above when it
    # opens its line
    line_start, _ = _line_at(page.text, f.start)
    pieces = re.split(r"[.!?:]\s", page.text[max(0, f.start - 100):f.start])
    near = pieces[-1]
    if not near.strip() and len(pieces) > 1:  # "Office main line (public): 808-…": the label before the colon
        near = pieces[-2]
    if not page.text[line_start:f.start].strip():
        prev, _ = _neighbour_lines(page.text, f.start, 1, 0)
        near = prev[-1] if prev else ""
    if f.entity == "EMAIL_ADDRESS":  # a person's address may follow an office's name: only "its … mailbox"
        return bool(re.search(rules.get("mailbox_before", r"(?!)"), near[-60:], re.IGNORECASE))
    return bool(_any_word(tuple(rules.get("line_words", []))).search(near))


# Rough glyph widths relative to an average character, so a part of a word ("72" of "72.",
# "Lopez" of "Lopez's") gets its real share of the word's width, not a per-character average.
NARROW, WIDE = set(".,;:'’\"!|()[]ilIjft1-"), set("mwMW@%")


def _share(chars: str, upto: int) -> float:
    def weight(c: str) -> float:
        return 0.45 if c in NARROW else 1.5 if c in WIDE else 1.25 if c.isupper() else 1.0
    total = sum(weight(c) for c in chars) or 1.0
    return sum(weight(c) for c in chars[:upto]) / total


def boxes_for_span(page: Page, start: int, end: int) -> list[list[float]]:
    """One box per line fragment covering text[start:end]; a word only partly inside the
    span gets the matching share of its width."""
    lines: dict[tuple[int, int], list[float]] = {}
    for index, first, last in page.words_in_span(start, end):
        word = page.words[index]
        ws, we = page.word_spans[index]
        chars = page.text[ws:we]
        width = word.x1 - word.x0
        x0 = word.x0 + width * _share(chars, first) if first > 0 else word.x0
        x1 = word.x0 + width * _share(chars, last) if last < (we - ws) else word.x1
        key = (word.block, word.line)
        if key in lines:
            box = lines[key]
            lines[key] = [min(box[0], x0), min(box[1], word.y0), max(box[2], x1), max(box[3], word.y1)]
        else:
            lines[key] = [x0, word.y0, x1, word.y1]
    return [[round(v, 2) for v in box] for box in lines.values()]


def union(boxes: list[list[float]]) -> list[float]:
    return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]


def _join_contained_codes(proposals: list[Proposal], code_set) -> None:
    """A passage that contains a name or number also prints that finding's codes, so its box
    names every exemption under it; the inner proposal stays, so rejecting the passage still
    withholds the name."""
    for outer in proposals:
        if outer.start is None or outer.entity not in PASSAGE_ENTITIES:
            continue
        for inner in proposals:
            if (inner is not outer and inner.page == outer.page and inner.start is not None
                    and outer.start <= inner.start and inner.end <= outer.end):
                added = [c for c in inner.codes if c not in outer.codes]
                if added:
                    outer.codes = sorted(outer.codes + added, key=code_set.order)
                    outer.rationale += f" Includes {inner.entity} '{inner.text}': {', '.join(added)}."


PASSAGE_ENTITIES = {"LE_TECHNIQUE", "LE_STATISTIC", "DELIBERATIVE"}


@dataclass
class Released:
    """A finding the policy keeps released, reported so a reviewer can see why."""
    page: int
    text: str
    entity: str
    reason: str


def code_findings(document: Document, findings: list[Finding], policy: Policy | None = None,
                  context: str | None = None) -> tuple[ProposalSet, list[Released]]:
    policy = policy or Policy.load()
    context = context or policy.infer_context(document)
    if context not in policy.contexts:
        raise ValueError(f"unknown record context {context!r}; the policy knows {', '.join(policy.contexts)}")
    code_set = load_code_set(policy.code_set)
    proposals: list[Proposal] = []
    released: list[Released] = []
    # A senior official is released wherever the name appears, in any form ("M. L. Thornquist").
    when = record_date(document)
    conditional = policy.conditional_for(document)
    signers = [f.text for f in findings
               if f.entity == "PERSON" and (is_senior_signer(document.pages[f.page], f, policy)
                                            or speaks_in_public(document.pages[f.page], f, policy))]
    for f in sorted(findings, key=lambda f: (f.page, f.start)):
        page = document.pages[f.page]
        rule = policy.rules.get(f.entity)
        codes = (rule or {}).get("codes", {}).get(context)
        if not codes:
            released.append(Released(f.page, f.text, f.entity, f"no withholding for {f.entity} in {policy.contexts[context]}"))
            continue
        if f.entity == "PERSON" and any(same_person(f.origin or f.text, s) for s in signers):
            released.append(Released(f.page, f.text, f.entity, "senior official who signs, issues or announces the record"))
            continue
        if f.entity == "STREET_ADDRESS" and is_office_address(document, page, f, policy):
            released.append(Released(f.page, f.text, f.entity, "agency office address"))
            continue
        if f.entity in ("PHONE_NUMBER", "EMAIL_ADDRESS") and is_public_contact(page, f, policy):
            released.append(Released(f.page, f.text, f.entity, "public contact of the agency (tip line, press or FOIA office, role mailbox)"))
            continue
        boxes = boxes_for_span(page, f.start, f.end)
        if not boxes:
            continue
        warnings = []
        why_added = ""
        for code, why, shape in conditional.get(f.entity, []):
            if code not in codes and (not shape or re.search(shape, f.text)):
                codes, why_added = list(codes) + [code], f" {code}: {why}."
        old = legacy_codes(policy, f.entity, when)
        if old:
            codes = old + [c for c in codes if c not in old]
            warnings.append(f"{old[0]} is proposed as printed in releases before Milner (record dated "
                            f"{when.isoformat()}): {code_set.get(old[0]).warning or ''}".strip())
        for c in codes:
            code_set.get(c)  # a policy naming an unknown code is an error, not a silent pass
        codes = sorted(codes, key=code_set.order)  # printed in statute order
        proposals.append(Proposal(
            id=f"p-{len(proposals) + 1:04d}", page=f.page, text=f.text, bbox=union(boxes), boxes=boxes,
            codes=list(codes), entity=f.entity, score=f.score,
            rationale=(f"{rule['what']} in {policy.contexts[context]}: "
                       f"{', '.join(codes)}.{why_added} Found by {f.recognizer}: {f.explanation}"),
            recognizer=f.recognizer, start=f.start, end=f.end, warnings=warnings))
    _join_contained_codes(proposals, code_set)
    return ProposalSet(doc=document.name, source_sha256=document.sha256, code_set=code_set.id,
                       record_context=context, proposals=proposals), released
