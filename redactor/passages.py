"""Passage-level detection: techniques, operational statistics, internal systems and URLs,
and deliberative passages — content that is a clause or a figure, not a named entity.

Two voters, both data: cue lexicons with weights and thresholds (`data/passages.yaml`), and a
small sentence classifier trained on our own training sentences (`data/passage_model/`, made by
`training/train_passages.py`). A clause is proposed when its cues reach the threshold or the
classifier is confident enough; this module splits a page into clauses, scores them and trims
the proposed span. Each finding explains itself: the cues that fired, their summed weight and
the classifier's score.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import regex as re
import spacy
import yaml

from .models import Finding

DATA_FILE = Path(__file__).parent / "data" / "passages.yaml"
FLAGS = re.IGNORECASE | re.MULTILINE
RECOGNIZER = "PassageRecognizer"

# Where a sentence ends: terminal punctuation, then space and something that starts a sentence.
SENTENCE_END = re.compile(r"(?<=[.!?][\"”’)]?)\s+(?=[\p{Lu}\d\"“(•■▪●◦\-–])")
# Words that end with a period without ending a sentence ("U.S. Highway", "Mr. Ruiz", "e.g.").
ABBREVIATION = re.compile(r"(?:(?<![\w-])\p{Lu}|\b(?:\p{Lu}\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|St|No|Nos|Jr|Sr|Gen|Col|Lt|Sgt|"
                          r"Capt|Gov|Sen|Rep|Dept|Inc|Co|Corp|Ltd|vs|v|e\.g|i\.e|etc|approx|Jan|Feb|Mar|Apr|"
                          r"Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Ave|Blvd|Rd|Hwy|Ft|Mt|Sec|Art|pp|p))\.$")
YEAR = re.compile(r"\b(?:19|20)\d{2}\b")  # a sentence that dates a fact tells rather than weighs
BULLET_LINE = re.compile(r"^\s*(?:[•■▪●◦○\-–*]|o\s|\d{1,2}[.)]\s|\(?[a-z]\)\s)")
EFFORT_HOURS = "hours spent on the work (a resource level)"
STAFFING_LEVEL = "staffing level"  # a statistic's explanation; such a sentence is no technique
PRINTED_CODE = re.compile(r"\(b\)\s*\(\d\)")
# A paragraph's number opening its line ("3.2 Agents work …", "4.1.3 Scope"): no count of anything.
SECTION_NUMBER = re.compile(r"[ \t]*\d{1,2}\.\d{1,2}(?:\.\d{1,2})*\.?[ \t]+(?=\p{Lu})")
HEADER_LINE = re.compile(r"[ \t]*(?:Subject|SUBJECT|Re|RE|Fw|FW|Fwd|FWD)[ \t]*:")
# (a clause that goes on the one before it stays with it: "…; otherwise they are logged and closed")
CLAUSE_SPLIT = re.compile(r";\s+(?!(?:otherwise|after that|then|so|instead|which|these|those|they|it|anyone)\b)"
                          r"|:\s+(?=\S)|\s+[–—]\s+")
LEADING_NOISE = re.compile(r"(?:[•■▪●◦○\-–*]\s*|o\s+|\d{1,2}(?:\.\d{1,2})+\.?\s+(?=\p{Lu})|\d{1,2}[.)]\s+|\(?[a-z]\)\s+|(?:and|but|or|so|however|"
                           r"also|further(?:more)?|in addition|additionally|moreover|then)\b,?\s+)+",
                           re.IGNORECASE)


@dataclass(frozen=True)
class Cue:
    why: str
    weight: float
    pattern: re.Pattern
    marked_only: bool = False


def _cues(items: list[dict]) -> list[Cue]:
    return [Cue(c["why"], float(c["weight"]), re.compile(c["pattern"], FLAGS), bool(c.get("marked_only")))
            for c in items]


class PassageDetector:
    """Finds passages in one page's text; built once per process from the YAML lexicon."""

    def __init__(self, data_file: Path = DATA_FILE):
        with open(data_file, encoding="utf-8") as fh:
            cfg = yaml.safe_load(fh)
        self.technique = cfg["technique"]
        self.technique_cues = _cues(self.technique["cues"])
        self.released_tail = re.compile(self.technique["released_tail"] + r"\s*$")
        self.deliberative = cfg["deliberative"]
        self.deliberative_cues = _cues(self.deliberative["cues"])
        self.markers = re.compile(self.deliberative["markers"], re.MULTILINE)
        self.not_deliberative = re.compile(self.deliberative.get("not_passages", "(?!)"), FLAGS)
        self.follow_cue = re.compile(self.deliberative.get("follow_cue", "(?!)"), FLAGS)
        options = self.deliberative.get("options_table") or {}
        self.options_header = re.compile(options.get("header", "(?!)"), FLAGS | re.M)
        self.options_end = re.compile(options.get("end", "(?!)"), FLAGS)
        self.options_label = re.compile(options.get("label", "(?!)"), FLAGS)
        st = cfg["statistic"]
        self.statistic = st
        self.stat_nouns = re.compile(st["nouns"], FLAGS)
        self.figure = re.compile(st["figure"], FLAGS)
        self.not_before = re.compile(st["not_before"], FLAGS)
        self.not_after = re.compile(st["not_after"], FLAGS)
        self.public_stat = re.compile(st["public_markers"], FLAGS)
        self.public_table = re.compile(st["public_table_markers"], FLAGS)
        self.public_before = re.compile(st.get("public_markers_before", "(?!)"), FLAGS)
        self.withheld_before = re.compile(st.get("withheld_markers_before", "(?!)"), FLAGS)
        self.audit_result = re.compile(st.get("audit_result", "(?!)"), FLAGS)
        self.table_note = re.compile(st.get("table_note", "(?!)"), FLAGS)
        self.numbered_name = re.compile(st.get("numbered_name", "(?!)"), FLAGS)
        self.item_nouns = re.compile(st["item_nouns"], FLAGS)
        self.table_headers = re.compile(st["table"]["headers"], FLAGS)
        self.calendar_day = re.compile(st["table"]["calendar_day"], FLAGS | re.M)
        # A cell that holds a count: "48", "69 officers", "8 of 11", "33 (42)", "88 percent" —
        # not a row label ("Zone 1 (Lochiel)"), a numbered heading ("2. Arrests"), a date or a phone.
        # Two cells may share a line ("39 agents 28 on line").
        fig = st["figure"]
        # (with a short note in parentheses after it: "10 LEOs (seasonal details)")
        count = rf"{fig}(?:\s+(?:of|/)\s+{fig}|\s*\({fig}\))?(?:\s+[^\W\d][\w%.-]*){{0,3}}(?:\s+\([^()\d\n]{{1,30}}\))?"
        # A row may open on its label when values follow ("Swings 29 agents 19 on line").
        self.count_cell = re.compile(rf"^\s*(?:{count}(?:\s+{count})*|(?:(?-i:[A-Z])[\w.-]*\s+){{1,3}}{count}(?:\s+{count})+)\s*$",
                                     FLAGS)
        self.stat_verbs = re.compile(st["verbs"], FLAGS)
        self.narrative = re.compile(st["narrative"], FLAGS)
        self.period = re.compile(st["period_markers"], FLAGS)
        self.report = re.compile(st["report_markers"], FLAGS)
        self.rule_mood = re.compile(st["rule_mood"], FLAGS)
        self.staffing = re.compile(st["staffing"], FLAGS)
        self.staff_held = re.compile(st.get("staff_held", "(?!)"), FLAGS)
        self.staff_nouns = re.compile(st.get("staff_nouns", "(?!)"), FLAGS)
        self.scheme_things = re.compile(st.get("scheme_things", "(?!)"), FLAGS)
        self.scheme_verbs = re.compile(st.get("scheme_verbs", "(?!)"), FLAGS)
        self.effort_before = re.compile(st.get("effort_before", "(?!)"), FLAGS)
        self.effort_after = re.compile(st.get("effort_after", "(?!)"), FLAGS)
        self.effort_units = re.compile(st.get("effort_units", "(?!)"), FLAGS)
        self.effort_object = re.compile(st.get("effort_object", "(?!)"), FLAGS)
        self.time_range = re.compile(st["time_range"], FLAGS)
        sy = cfg["systems"]
        self.systems = sy
        products = "|".join(re.escape(w) for w in sy.get("public_products", []))
        self.system_patterns = [(p["why"], re.compile(p["pattern"].replace("{public_products}", products), FLAGS),
                                 p.get("named_as_system", False),
                                 p.get("yields_to_longer", False))
                                for p in sy["patterns"]]
        self.not_codes = re.compile(sy["not_codes"], FLAGS)
        self.described_store = re.compile(sy.get("described_store", "(?!)"), FLAGS)
        self.public_names = re.compile(sy["public_names"], FLAGS)
        self.not_code_words = re.compile(sy.get("not_code_words", "(?!)"), FLAGS)
        self.names_an_office = re.compile(sy.get("office_after", "(?!)"), FLAGS)
        self.system_context = re.compile(sy["context"], FLAGS)
        self.urls = cfg["urls"]
        self.url = re.compile(self.urls["pattern"], FLAGS)
        self.internal_url = re.compile(self.urls["internal"], FLAGS)
        self.classifier = cfg.get("classifier") or {}
        self.classifier_hints = {kind: re.compile(p, FLAGS) for kind, p in (self.classifier.get("hints") or {}).items()}
        self.model = None
        self._scored: dict[str, dict[str, float]] = {}
        if self.classifier.get("path"):
            model_dir = Path(data_file).parent / self.classifier["path"]
            if not model_dir.is_dir():
                raise FileNotFoundError(f"passage classifier missing: {model_dir} "
                                        "(python training/train_passages.py makes it)")
            self.model = spacy.load(model_dir)  # once per process, as the detector itself

    def _model_scores(self, text: str) -> dict[str, float]:
        """The classifier's score per label for a clause or sentence (empty when no classifier
        is set). Asked only where cues already agree, so most text is never scored; a text
        scored once (a sentence that is also its only clause) is not scored again."""
        if self.model is None:
            return {}
        key = " ".join(text.split())
        letters = [ch for ch in key if ch.isalpha()]
        if len(letters) >= 20 and sum(ch.isupper() for ch in letters) >= 0.9 * len(letters):
            # printed in capitals (a dispatch log, a teletype): the classifier learned from
            # sentence case, and reads capitals as codes
            key = key[0] + key[1:].lower()
        if key not in self._scored:
            if len(self._scored) >= 4096:
                self._scored.clear()
            self._scored[key] = self.model(key).cats
        return self._scored[key]

    def _confident(self, kind: str, scores: dict[str, float]) -> float | None:
        """The classifier's score when it reaches the kind's threshold, else None."""
        threshold = (self.classifier.get("thresholds") or {}).get(kind)
        score = scores.get(kind)
        if threshold is None or score is None or score < threshold:
            return None
        return score

    def _stands_alone(self, clause: str) -> bool:
        """Whether the classifier may carry a clause without enough cues: not a fragment (a
        table cell, a list item of two words) and not a question, which asks rather than tells."""
        alone = self.classifier.get("alone") or {}
        if len(clause.split()) < alone.get("min_words", 0):
            return False
        return not (alone.get("not_questions") and clause.rstrip(" \n\"”')").endswith("?"))

    # -- document level -----------------------------------------------------------------
    def marked_deliberative(self, texts: list[str]) -> bool:
        """A record marked draft / pre-decisional anywhere (headers repeat it on each page)."""
        return any(self.markers.search(t) for t in texts)

    # -- page level ---------------------------------------------------------------------
    def find(self, page: int, text: str, tokens=None, marked: bool = False, following: str = "",
             running: set[str] | frozenset = frozenset(), preceding: str = "") -> list[Finding]:
        """Passages of one page; `following` is the next page's text, where a grid broken by the
        page end goes on to the note under it, past the running lines (`running_lines`), and
        `preceding` the page before, whose last grid lends its headers to a grid this page opens on."""
        found: list[Finding] = []
        found += self._systems(page, text)
        found += self._urls(page, text)
        spans = sentences(text)
        parts = clauses(text)
        figures = self._statistics(page, text, spans, following, running, preceding)
        found += figures
        # A lead-in that ends with a colon ("Acceptance criteria:") lends its cues to the
        # clauses and bullets that follow it.
        lead_in: dict[str, list] = {}
        for start, end in parts:
            clause = text[start:end]
            follows = text[end:end + 2].strip()[:1] == ":"
            starts_item = bool(BULLET_LINE.match(text, text.rfind("\n", 0, start) + 1))
            if not follows and not starts_item and not _same_sentence(text, start):
                lead_in = {}
            found += self._score_clause(page, text, start, end, tokens, marked, lead_in, ("technique",))
            if follows:
                lead_in = {"technique": self._hits("technique", clause, marked)}
        # A sentence of several clauses is also judged whole as a technique: a method often needs
        # both halves ("Fuel receipts aboard were compared to the trip length claimed; the vessel
        # burned about twice what a three-day trip needs"), and the reader withholds the sentence.
        for start, end in spans:
            if sum(1 for s, e in parts if start <= s and e <= end) > 1:
                found += self._score_clause(page, text, start, end, tokens, marked, {}, ("technique",), True)
        found += self._sibling_clauses(page, text, found, spans, parts, marked)
        # Deliberation is judged a sentence at a time: an opinion and its reasons go together
        # ("Headquarters may prefer a narrower pilot; we should be prepared to defend ...").
        for start, end in spans:
            found += self._score_clause(page, text, start, end, None, marked, {}, ("deliberative",))
        found += self._options_table(page, text, found)
        found = self._with_short_neighbours(text, found, spans)
        # a running marking at the page's head or foot ("OFFICIAL USE ONLY // UCNI NOT PRESENT" on every
        # page) is no passage; a sentence repeated on two slides is, wherever it stands
        filled = [ln.strip() for ln in text.split("\n") if ln.strip()]
        edges = set(filled[:2] + filled[-2:])
        found = [f for f in found if not (f.text.strip() in edges and f.text.strip().isupper()
                                          and _furniture(f.text, running))]
        return self._figures_not_methods(text, found, figures)

    def _sibling_clauses(self, page: int, text: str, found: list[Finding], spans: list[tuple[int, int]],
                         parts: list[tuple[int, int]], marked: bool) -> list[Finding]:
        """The other clauses of a sentence one of whose clauses is a technique go with it when they
        carry a cue of their own ("… below the USAO prosecution threshold, and each case would be
        turned over to the PGR within 24 hours"): the second half of a method is still the method."""
        floor = self.technique.get("sibling_min_weight")
        if floor is None:
            return []
        entity = self.technique["entity"]
        methods = [f for f in found if f.entity == entity]
        out = []
        for start, end in spans:
            inside = [(s, e) for s, e in parts if start <= s and e <= end]
            if len(inside) < 2 or not any(start <= f.start < end for f in methods):
                continue
            for s, e in inside:
                if any(f.start < e and s < f.end for f in methods):
                    continue
                clause = text[s:e]
                hits = {why: (label, weight) for why, label, weight in self._hits("technique", clause, marked)}
                total = sum(weight for _, weight in hits.values())
                if total < floor or any(weight < 0 for _, weight in hits.values()) \
                        or len(clause.split()) < self.technique.get("min_words", 1):
                    continue  # (an event told, "was found on October 2 …", is no part of a method)
                a, b = trim_span(text, s, e, None)
                labels = "; ".join(sorted(label for label, _ in hits.values()))
                out.append(Finding(page, a, b, text[a:b], entity, round(min(0.95, 0.5 + 0.15 * total), 2),
                                   f"{RECOGNIZER}:technique",
                                   f"technique cues (weight {total:.1f}): {labels}; in the sentence of a technique"))
        return out

    def _options_table(self, page: int, text: str, found: list[Finding]) -> list[Finding]:
        """The cells of a table that weighs options (advantages and disadvantages, pros and cons)."""
        cfg = self.deliberative.get("options_table")
        if not cfg:
            return []
        headers = list(self.options_header.finditer(text))
        if len(headers) < int(cfg["min_headers"]):
            return []
        entity = self.deliberative["entity"]
        taken = [(f.start, f.end) for f in found if f.entity == entity]
        out: list[Finding] = []
        grid_start = headers[int(cfg["min_headers"]) - 1].end()
        lines = text[grid_start:].split("\n")[1:int(cfg["max_lines"])]
        grid_end = grid_start + 1
        for line in lines:
            if self.options_end.match(line):
                break
            grid_end += len(line) + 1
        for a, b in _blocks(text[grid_start:grid_end]):
            a, b = grid_start + a, grid_start + b
            cell = text[a:b]
            if self.options_label.match(cell) or len(cell.split()) < 3 or any(s < b and a < e for s, e in taken):
                continue
            out.append(Finding(page, a, b, cell, entity, 0.8, f"{RECOGNIZER}:deliberative",
                               "a cell of a table weighing options (advantages and disadvantages)"))
        return out

    def _with_short_neighbours(self, text: str, found: list[Finding], spans: list[tuple[int, int]]) -> list[Finding]:
        """A deliberation takes in the short sentences of its own paragraph or bullet that are too
        short to be scored on their own ("Option 1: keep the current deployment … Least cost,
        least effect."; "Good stop. I would recommend …"), and the brief reasons or reservations
        that follow it there ("… Sergeants support it; the union will object."): they are part
        of the same opinion."""
        short = self.deliberative.get("min_words", 1)
        blocks = _blocks(text)
        out = []
        for f in found:
            if f.entity != self.deliberative["entity"]:
                out.append(f)
                continue
            block = next(((a, b) for a, b in blocks if a <= f.start < b), None)
            start, end = f.start, f.end
            if block:
                inside = [(a, b) for a, b in spans if block[0] <= a and b <= block[1] and text[a:b].strip()]
                before = [sp for sp in inside if sp[1] <= start]
                after = [sp for sp in inside if sp[0] >= end]
                if before and _short_sentence(text, before[-1], short):
                    start = before[-1][0] + len(text[slice(*before[-1])]) - len(text[slice(*before[-1])].lstrip())
                hint = self.classifier_hints.get("deliberative")
                for a, b in after:  # the reasons and reservations that follow it in its paragraph
                    sentence = text[a:b].replace("\n", " ")
                    if any(g.entity == self.technique["entity"] and g.start < b and a < g.end for g in found):
                        break  # a method told after the opinion keeps its own exemption
                    words = len(sentence.split())
                    if not (_short_sentence(text, (a, b), short)
                            or (hint and words < 3 * short and hint.search(sentence))
                            or (words < self.deliberative.get("follow_max_words", 0)
                                and self.follow_cue.search(sentence) and not YEAR.search(sentence))):
                        break
                    end = a + len(sentence.rstrip())
            out.append(f if (start, end) == (f.start, f.end) else
                       Finding(f.page, start, end, text[start:end], f.entity, f.score, f.recognizer,
                               f"{f.explanation}; with the short sentence beside it"))
        return out

    def across_pages(self, texts: list[str], marked: bool = False, numbers: list[int] | None = None) -> list[Finding]:
        """Techniques and deliberation in a sentence a page break cuts in two ("… My" / running
        footer / next page: "recommendation to the Criminal Chief was to decline …"): each page
        alone holds a fragment without its cue or its verb, so the two halves are scored as one
        sentence, and a passage found there is proposed on both pages."""
        running = running_lines(texts)
        numbers = numbers or list(range(len(texts)))
        out: list[Finding] = []
        for page in range(len(texts) - 1):
            tail = _body_tail(texts[page], running)
            head = _body_head(texts[page + 1], running)
            if tail is None or head is None:
                continue
            first, second = texts[page][tail[0]:tail[1]], texts[page + 1][head[0]:head[1]]
            joined, cut = f"{first}\n{second}", len(first)
            # deliberation by the sentence, techniques by the clause, as on a page
            found = self._score_clause(page, joined, 0, len(joined), None, marked, {}, ("deliberative",))
            for s, e in clauses(joined):
                if s < cut < e:
                    found += self._score_clause(page, joined, s, e, None, marked, {}, ("technique",))
            found = self._figures_not_methods(joined, found, self._statistics(page, joined, sentences(joined)))
            for f in found:
                if f.start < cut:
                    s, e = tail[0] + f.start, tail[0] + min(f.end, cut)
                    out.append(Finding(numbers[page], s, e, texts[page][s:e], f.entity, f.score, f.recognizer,
                                       f"{f.explanation}; sentence continued on the next page"))
                if f.end > cut + 1:
                    s, e = head[0] + max(0, f.start - cut - 1), head[0] + f.end - cut - 1
                    out.append(Finding(numbers[page + 1], s, e, texts[page + 1][s:e], f.entity, f.score, f.recognizer,
                                       f"{f.explanation}; sentence begun on the page before"))
        return out

    def _figures_not_methods(self, text: str, found: list[Finding], figures: list[Finding]) -> list[Finding]:
        """A sentence that reports what happened over a period ("averaged 4 agents per shift",
        "only 41 of 160 activations last quarter led to …") is a statistic: agencies black out
        its figures and release the words, so no technique proposal covers the whole of it."""
        def reports_figures(f: Finding) -> bool:
            inside = [g for g in figures if f.start <= g.start and g.end <= f.end]
            sentence = text[f.start:f.end].replace("\n", " ")
            if any(g.explanation in (STAFFING_LEVEL, EFFORT_HOURS) for g in inside):
                return True  # "13 officers are assigned to …", "logged 212 hours": the figure goes, the words stay
            return bool(inside) and bool(self.report.search(sentence)) and not self.rule_mood.search(sentence)
        return [f for f in found if f.entity != self.technique["entity"] or not reports_figures(f)]

    def _hits(self, kind: str, clause: str, marked: bool) -> list[tuple[str, str, float]]:
        cues = self.technique_cues if kind == "technique" else self.deliberative_cues
        hits = []
        clause = clause.replace("\n", " ")  # a cue may wrap at the line end ("In / my view")
        for c in cues:
            m = (marked or not c.marked_only) and c.pattern.search(clause)
            if m:  # the phrase that fired, so a reviewer sees why
                phrase = " ".join(m.group().split())
                # two different phrases of one cue ("the tracking device … and the pole camera")
                # say more than one
                more = next((x for x in c.pattern.finditer(clause, m.end())
                             if " ".join(x.group().split()).lower() != phrase.lower()), None)
                if more and c.weight >= 0.6:  # not the broad word lists of low weight ("seized", "loads")
                    hits.append((c.why, f"{c.why} ('{phrase}', '{' '.join(more.group().split())}')", 1.5 * c.weight))
                else:
                    hits.append((c.why, f"{c.why} ('{phrase}')", c.weight))
        return hits

    def _score_clause(self, page: int, text: str, start: int, end: int, tokens, marked: bool,
                      lead_in: dict[str, list], kinds: tuple[str, ...], whole_sentence: bool = False) -> list[Finding]:
        clause = text[start:end]
        out = []
        for kind, cfg in (("technique", self.technique), ("deliberative", self.deliberative)):
            if kind not in kinds:
                continue
            if len(clause.split()) < cfg.get("min_words", 1):
                continue
            if cfg.get("not_questions") and clause.rstrip(" \n\"”')").endswith("?"):
                continue
            if kind == "deliberative" and self.not_deliberative.search(clause.strip()):
                continue
            if _cell_stack(clause) or HEADER_LINE.match(text, text.rfind("\n", 0, start) + 1):
                continue  # a column of table cells, or an e-mail subject line, is no passage
            if PRINTED_CODE.search(clause):
                continue  # already redacted in an earlier release: its exemption code is printed there
            hits = {why: (label, weight) for why, label, weight in self._hits(kind, clause, marked)}
            # A label such as "Referral criteria:" says what the text after it is: its cues
            # count double there.
            for why, label, weight in lead_in.get(kind, []):
                if weight > 0 and why not in hits:
                    hits[why] = (f"{label} in the lead-in", min(1.0, 2 * weight))
            total = sum(weight for _, weight in hits.values())
            # The classifier is asked where the cues reach the kind's gate, or a hint of the kind appears.
            gate = (self.classifier.get("min_cue_weight") or {}).get(kind, 0.0)
            hint = self.classifier_hints.get(kind)
            asked = total >= gate or (hint is not None and hint.search(clause.replace("\n", " ")))
            model_scores = self._model_scores(clause) if asked else {}
            confident = self._confident(kind, model_scores)
            if whole_sentence and (confident is None or confident < self.classifier.get("whole_sentence", {}).get(kind, 1)):
                continue  # a whole sentence is a wider claim than one clause: the classifier's, at a higher bar
            # the classifier alone carries no clause the cues count against (a past event told)
            if total < cfg["threshold"] and (confident is None or total < 0 or not self._stands_alone(clause)):
                continue
            s, e = trim_span(text, start, end, tokens if kind == "technique" else None)
            if kind == "technique" and (tail := self.released_tail.search(text, s, e)):
                e = tail.start()  # "…, Rio Grande Valley Sector": the sector stays released
            if e - s < 8:
                continue
            why = "; ".join(sorted(label for label, _ in hits.values())) or "none"
            score = min(0.95, 0.5 + 0.15 * total)
            reasons = [f"{kind} cues (weight {total:.1f}, threshold {cfg['threshold']}): {why}"]
            if kind in model_scores:
                reasons.append(f"classifier {model_scores[kind]:.2f}"
                               + (" (confident)" if confident is not None else ""))
                if confident is not None:
                    score = max(score, min(0.95, confident))
            # Both kinds may fire on one clause (an option that describes a technique): the
            # reviewer gets one proposal per exemption and can accept either.
            out.append(Finding(page, s, e, text[s:e], cfg["entity"], round(score, 2), f"{RECOGNIZER}:{kind}",
                               "; ".join(reasons)))
        return out

    def _systems(self, page: int, text: str) -> list[Finding]:
        out = []
        yielding = []  # findings of patterns that give way to a longer reading of the same name
        for why, pattern, named_as_system, yields in self.system_patterns:
            for m in pattern.finditer(text):
                code = m.group().strip()
                core = re.search(r"(?-i)\b[A-Z][A-Za-z0-9]*(?:[- ][A-Z0-9]+)*", code)
                # an office's own store named with its acronym, or a code with what it is (data file)
                described = self.described_store.search(code) is not None
                if (core and self.not_codes.search(core.group()) or self.not_code_words.search(code)) and not described \
                        or self.public_names.search(code) or self.names_an_office.match(text, m.end()):
                    continue
                window = text[max(0, m.start() - 80): m.end() + 80]
                if not named_as_system and not self.system_context.search(window):
                    continue  # a bare code with nothing saying it is a system
                found = Finding(page, m.start(), m.start() + len(m.group().rstrip()), code, self.systems["entity"],
                                0.8, f"{RECOGNIZER}:system", why)
                (yielding if yields else out).append(found)
        # "logged in the SABLE gun-trace workbench": not "SABLE" as well
        kept = out + [f for f in yielding if not any(g.start <= f.start and f.end <= g.end for g in out)]
        first: dict[tuple[int, int], Finding] = {}
        for f in kept:  # one finding where two rules read the same name
            first.setdefault((f.start, f.end), f)
        return list(first.values())

    def _urls(self, page: int, text: str) -> list[Finding]:
        out = []
        for m in self.url.finditer(text):
            url = m.group().rstrip(".,;:")
            if self.internal_url.search(url.replace("\n", "")):
                out.append(Finding(page, m.start(), m.start() + len(url), url, self.urls["entity"], 0.85,
                                   f"{RECOGNIZER}:url", "internal (non-public) address"))
        return out

    def _statistics(self, page: int, text: str, spans: list[tuple[int, int]], following: str = "",
                    running: set[str] | frozenset = frozenset(), preceding: str = "") -> list[Finding]:
        out = []
        lines = text.split("\n")
        # a grid may end on the next page, past the footer and the header between
        grid_lines = ["" if _furniture(ln, running) else ln for ln in lines + following.split("\n")[:15]]
        offsets, pos = [], 0
        for line in lines:
            offsets.append(pos)
            pos += len(line) + 1
        window = int(self.statistic["table_window"])
        small: list[tuple[Finding, tuple[int, int] | None]] = []  # figures under min_value, by sentence
        counted: set[tuple[int, int] | None] = set()
        # sentences that state a staffing level: their other figures count too ("25 agents
        # assigned to the task force, 2 of them on temporary duty")
        staffed = {next(((a, b) for a, b in spans if a <= m.end() < b), None)
                   for m in self.figure.finditer(text) if self.staffing.match(text[m.end():m.end() + 80])}
        for i, line in enumerate(lines):
            # a running header or footer numbers the pages ("… — slide 3 of 11"): its page number and
            # page count are no counts (a line repeated with other figures, "Apprehensions 412", is read)
            furniture = line.strip() and _furniture(line, running)
            for m in self.figure.finditer(line):
                if furniture and (m.group() == str(page + 1) or re.search(r"\bof\s*$", line[:m.start()])):
                    continue
                if not line[:m.start()].strip() and SECTION_NUMBER.match(line):
                    continue
                s = offsets[i] + m.start()
                figure = self.figure.match(text, s).group()  # "49" / "percent" wraps to the next line
                span = next(((a, b) for a, b in spans if a <= s < b), None)
                sentence = (text[span[0]:span[1]] if span else line).replace("\n", " ")
                over_time = bool(self.period.search(sentence))
                # what follows may wrap to the next line ("26" / "U.S.C. 7201")
                after = text[s + len(figure):s + len(figure) + 40]
                effort = self._effort_hours(text[max(0, s - 40):s], figure, after)
                if not effort and not self._is_statistic(text[max(0, s - 60):s], figure, after, over_time,
                                                         min_value=0):
                    continue
                # "… has 3 forensic accountants", "only 2 crews can be fielded": what an office holds
                staffing = effort or bool(self.staffing.match(after)) or bool(
                    self.staff_held.search(text[max(0, s - 40):s]) and self.staff_nouns.match(after))
                big = staffing or self._is_statistic(text[max(0, s - 60):s], figure, after, over_time)
                alone = line.strip() == figure.strip()
                cell = not alone and len(line.split()) <= 4  # "270 boardings", "15 agents"
                near = "\n".join(_nearby_lines(lines, i, window)) if alone or cell else ""
                if alone:  # a table cell: the headers or row labels near it say what it counts
                    top = self._table_top(grid_lines, i)
                    if not self.stat_nouns.search(near) or self.public_table.search(top) or self._calendar(top):
                        continue
                    why = "figure in a table of enforcement counts"
                elif cell and (self.stat_nouns.search(line) or self.item_nouns.search(line)) \
                        and self.period.search(near) and not self.public_table.search(near):  # counts per period, not an inventory of one seizure
                    why = "figure in a table of enforcement counts"
                else:
                    if line.count("|") >= 2 and self.public_table.search(self._table_top(grid_lines, i, rows="|")):
                        continue  # a row of a text table the agency says is published
                    # how far a subject's scheme reached ("submitted 14 applications in the names of
                    # other people", "took first draws on 48 homeowner grants")
                    scheme = bool(self.scheme_things.match(after) and self.scheme_verbs.search(sentence))
                    counts = (staffing or scheme or span in staffed - {None} or self.stat_nouns.search(sentence)
                              or (over_time and self.item_nouns.search(sentence))
                              or (self.stat_verbs.search(sentence) and not self.narrative.search(sentence)))
                    confident = None if counts or not self._stands_alone(sentence) else \
                        self._confident("statistic", self._model_scores(sentence))
                    if not (counts or confident) or self.public_stat.search(sentence) or \
                            self._public_before(_sentence_before(text, spans, span)) or self.audit_result.search(sentence):
                        continue
                    why = (EFFORT_HOURS if effort else STAFFING_LEVEL if staffing else "figure counting enforcement activity" if counts else
                           f"figure in a sentence the classifier reads as an operational statistic ({confident:.2f})")
                found = Finding(page, s, s + len(figure), figure, self.statistic["entity"], 0.7,
                                f"{RECOGNIZER}:statistic", why)
                if big:
                    out.append(found)
                    counted.add(span)
                elif span is not None:
                    small.append((found, span))
        # A small figure counts beside a larger one of the same sentence ("from 11 days to 6 days",
        # "737 contacts, of which 30 were intercepted"); alone it is more often an ordinal or a list.
        out += [f for f, span in small if span in counted]
        seen = {f.start for f in out}
        carried = self._grid_tail(preceding, running) if preceding else []
        out += [f for f in self._table_figures(page, text, lines, offsets, carried, running) if f.start not in seen]
        return sorted(out, key=lambda f: f.start)

    def _public_before(self, sentence: str) -> bool:
        """The sentence before a figure's names a publication it comes from, and does not say that
        what follows is kept back ("… are shown in the semiannual report; counts by office are withheld")."""
        return bool(self.public_before.search(sentence)) and not self.withheld_before.search(sentence)

    def _in_grid(self, line: str) -> bool:
        """A short line without closing punctuation: a table cell, read one to a line."""
        return len(line.split()) <= int(self.statistic["table"]["max_cell_words"]) \
            and not line.rstrip().endswith((".", "?", "!"))

    def _grid_tail(self, text: str, running: set[str] | frozenset) -> list[str]:
        """The grid a page ends on (its headers and cells, a page break cutting the table), past
        the running footer; empty when the page ends on prose."""
        tail: list[str] = []
        for line in reversed(text.split("\n")):
            if _furniture(line, running):
                continue
            if not self._in_grid(line):
                break
            tail.append(line)
        return tail[::-1]

    def _table_figures(self, page: int, text: str, lines: list[str], offsets: list[int],
                       carried: list[str] | None = None, running: set[str] | frozenset = frozenset()) -> list[Finding]:
        """Every figure of a grid of counts whose headers or row labels say it counts enforcement
        or staffing ("Officers on shift", "Apprehensions", "Received / Shared"): agencies withhold
        the whole grid, small figures and "8 of 11" included, and release its labels. A grid the
        page opens on may go on from the page before (`carried`: that page's last grid), whose
        headers and cells then count with it."""
        table = self.statistic["table"]
        min_cells = int(table["min_cells"])
        out: list[Finding] = []
        run: list[int] = []  # consecutive short lines (a table read cell by cell)

        def close(run: list[int]) -> None:
            if not run:
                return
            cells = [i for i in run if self.count_cell.match(lines[i])]
            first = run[0]
            before = carried if carried and all(_furniture(ln, running) for ln in lines[:first]) else []
            carried_cells = sum(len(self.figure.findall(ln)) for ln in before if self.count_cell.match(ln))
            if carried_cells + sum(len(self.figure.findall(lines[i])) for i in cells) < min_cells:
                return
            title = [ln for ln in lines[max(0, first - 3):first] if ln.strip()]
            labels = "\n".join(before + title + [lines[i] for i in run])
            if not (self.stat_nouns.search(labels) or self.table_headers.search(labels)) \
                    or self.public_table.search(labels):  # "Summary (public figures)"
                return
            # (a note that ends on a period splits a calendar into runs: its weekdays head the month)
            if self._calendar("\n".join(lines[max(0, first - 40):run[-1] + 1])):
                return
            for i in cells:
                for m in self.figure.finditer(lines[i]):
                    s = offsets[i] + m.start()
                    figure = self.figure.match(text, s).group()
                    after = text[s + len(figure):s + len(figure) + 40]
                    if self._is_statistic(text[max(0, s - 60):s], figure, after, min_value=0, in_table=True):
                        out.append(Finding(page, s, s + len(figure), figure, self.statistic["entity"], 0.7,
                                           f"{RECOGNIZER}:statistic", "figure in a table of enforcement or staffing counts"))

        for i, line in enumerate(lines):
            if not line.strip():
                continue
            if self._in_grid(line):
                run.append(i)
                continue
            close(run)
            run = []
        close(run)
        return out

    def _calendar(self, grid: str) -> bool:
        """A month laid out under weekday headers: its figures are the days of the month."""
        return len(self.calendar_day.findall(grid)) >= 3

    def _table_top(self, lines: list[str], i: int, rows: str | None = None) -> str:
        """The grid of short lines (or, given `rows`, of lines holding that column separator) that
        line i belongs to, from its title (the three lines above it) down."""
        def in_grid(line: str) -> bool:
            return rows in line if rows else self._in_grid(line)
        first = i
        while first > 0 and (not lines[first - 1].strip() or in_grid(lines[first - 1])):
            first -= 1
        top = "\n".join(lines[max(0, first - 3):i + 1])
        # the note right under the grid ("These figures are … summarized in the annual report
        # published by …") speaks for it as its title does
        last = i
        while last + 1 < len(lines) and (not lines[last + 1].strip() or in_grid(lines[last + 1])):
            last += 1
        note = " ".join(lines[last + 1:last + 4]).split(". ")[0]  # its first sentence, wrapped or not
        return f"{top}\n{note}" if self.table_note.match(note) else top

    def _effort_hours(self, before: str, figure: str, after: str) -> bool:
        """Hours spent on the work ("logged 212 hours of overtime"), not hours of service or a clock."""
        if not self.effort_after.match(after) or re.search(r"[$/#:.-]\s*$", before) or \
                (len(figure) == 4 and figure.isdigit() and not self.effort_before.search(before)):
            return False
        return bool(self.effort_before.search(before) or self.effort_units.match(after)
                    or self.effort_object.match(after))

    def _is_statistic(self, before: str, figure: str, after: str, over_time: bool = False,
                      min_value: float | None = None, in_table: bool = False) -> bool:
        raw = figure.replace(",", "").replace("%", "").replace("percent", "").strip()
        try:
            value = float(raw)
        except ValueError:
            return False
        percent = "%" in figure or "percent" in figure
        floor = float(self.statistic["min_value"]) if min_value is None else min_value
        if not percent and not over_time and value < floor:
            return False
        if not percent and "," not in figure and 1900 <= value <= 2100 and raw.isdigit():
            return False  # a year
        if "," not in figure and raw.isdigit() and (len(raw) >= 5 or (len(raw) == 4 and raw.startswith("0"))):
            return False  # a ZIP code, form or file number, or a clock time ("0600"): counts this big carry commas
        if self.numbered_name.search(before):
            return False
        before = before.replace("\n", " ")
        if before.endswith("(") and after.startswith(")") and not (in_table and re.search(r"\d\s*\($", before)):
            return False  # "(2)": a list item, a statute paragraph, an exemption marker ("33 (42)" in a grid counts)
        # (a figure with a thousands comma is no clock time: "2,909 hours" of work)
        clock = "," not in figure and re.fullmatch(r"[0-2]?\d[0-5]\d", raw) is not None
        if clock and len(raw) == 4 and "," not in figure and re.search(r"\b(?:after|before|until|till|since|past|by|at|from)\s*$", before):
            return False  # "on duty after 1800": a time of day
        if self.not_before.search(before) or (self.not_after.search(after)
                                              and (clock or not re.match(r"\s*hours", after))):
            return False  # "1500 hours" is a time; "averaged 6 hours per day" is a figure
        if self.time_range.search(f"{before}{figure}{after[:20]}"):
            return False  # "between 1500 and 2300 hours": clock times
        # Part of a date, time, phone number, code or address ("06/25/2009", "1500 hours", "A-123").
        if re.search(r"(?:[/#-]\s*|:)$", before) or re.match(r"\s*[/:]\d", after):  # "Average wait: 55" counts
            return False
        if re.search(r"(?i)\b(?:january|february|march|april|may|june|july|august|september|october|"
                     r"november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?\s*(?:\d{1,2}\s*[–-]?\s*)?$",
                     before):  # a date, the end of a range of days ("January 17–18"), a split day ("APR 1 4")
            return False
        return True


def _sentence_before(text: str, spans: list[tuple[int, int]], span: tuple[int, int] | None) -> str:
    """The sentence just before `span` in its paragraph ("… published its National Gang Threat
    Assessment in January 2009. The assessment estimated …"): nothing across a blank line."""
    if span is None:
        return ""
    before = [(a, b) for a, b in spans if b <= span[0]]
    if not before or "\n\n" in text[before[-1][1]:span[0]]:
        return ""
    return text[before[-1][0]:before[-1][1]]


def _short_sentence(text: str, span: tuple[int, int], words: int) -> bool:
    """Fewer than `words` words, and words rather than a list number or a quote marker ("> 1.")."""
    sentence = text[span[0]:span[1]]
    return len(sentence.split()) < words and bool(re.search(r"[^\W\d_]{3,}", sentence))


def _cell_stack(clause: str) -> bool:
    """Text read down a table column: several short lines, none of them prose."""
    lines = [ln for ln in clause.split("\n") if ln.strip()]
    return len(lines) >= 4 and sum(len(ln) for ln in lines) / len(lines) < 25


def _nearby_lines(lines: list[str], i: int, window: int) -> list[str]:
    before = [ln for ln in lines[:i] if ln.strip()][-window:]
    after = [ln for ln in lines[i + 1:] if ln.strip()][:window]
    return before + after


def _same_sentence(text: str, start: int) -> bool:
    """True when the clause continues a sentence (split at ';' or ':'), not a new one."""
    before = text[:start].rstrip()
    return before.endswith((";", ":", "–", "—"))


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: paragraphs (wrapped lines joined) and bullets split at
    sentence ends, not at abbreviations."""
    spans = []
    for block_start, block_end in _blocks(text):
        block = text[block_start:block_end]
        cut = 0
        for m in SENTENCE_END.finditer(block):
            if ABBREVIATION.search(block[:m.start()]):
                continue
            spans.append((block_start + cut, block_start + m.start()))
            cut = m.end()
        spans.append((block_start + cut, block_end))
    return spans


def clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) of each clause: sentences split at semicolons, colons and dashes."""
    out = []
    for s, e in sentences(text):
        sentence = text[s:e]
        cut = 0
        for m in CLAUSE_SPLIT.finditer(sentence):
            out.append((s + cut, s + m.start()))
            cut = m.end()
        out.append((s + cut, e))
    return [(s, e) for s, e in out if text[s:e].strip()]


# A count and the word or two it counts ("# posts", "#,# checks", "# of #"), digits masked.
COUNT_CELL_SHAPE = re.compile(r"#(?:[,.]#)*(?:[ \t]*%)?(?:[ \t]+(?:of|/)[ \t]+#(?:,#)*)?(?:[ \t]+[^\W\d]+){0,3}")
# A line that is only a page number ("2", "Page 2 of 5", "- 3 -").
PAGE_NUMBER_LINE = re.compile(r"(?i)[ \t]*(?:page[ \t]*)?[-–—]?[ \t]*\d{1,4}[ \t]*(?:of[ \t]*\d{1,4})?[ \t]*[-–—]?[ \t]*")
SENTENCE_CLOSE = re.compile(r"[.!?:;][\"”’)]?$")


def running_lines(texts: list[str]) -> set[str]:
    """Running headers, footers and markings: lines found, digits aside, on more than one page; not
    a table's count cells that repeat a shape across pages ("24 posts" / "5 posts")."""
    seen: dict[str, int] = {}
    for text in texts:
        for key in {re.sub(r"\d+", "#", ln.strip()) for ln in text.split("\n") if ln.strip()}:
            if not COUNT_CELL_SHAPE.fullmatch(key):
                seen[key] = seen.get(key, 0) + 1
    return {key for key, n in seen.items() if n > 1}


def _furniture(line: str, running: set[str]) -> bool:
    stripped = line.strip()
    return not stripped or PAGE_NUMBER_LINE.fullmatch(stripped) is not None \
        or re.sub(r"\d+", "#", stripped) in running


def _body_tail(text: str, running: set[str]) -> tuple[int, int] | None:
    """The last sentence of a page's body when the page break cuts it (no closing punctuation)."""
    end = len(text)
    while end > 0:
        start = text.rfind("\n", 0, end - 1) + 1
        if not _furniture(text[start:end], running):
            break
        end = start
    body_end = len(text[:end].rstrip())
    if body_end == 0 or SENTENCE_CLOSE.search(text[:body_end]):
        return None
    # a line of prose runs to the margin or ends on a comma or a joining word; a short line is a
    # heading or a cell ("Night coverage")
    last = text[text.rfind("\n", 0, body_end) + 1:body_end].strip()
    if len(last) < 40 and not re.search(r"[,–—-]$|\b(?:and|or|of|the|to|a|an|in|with|that|for|by|on|at)$", last):
        return None
    spans = sentences(text[:body_end])
    return spans[-1] if spans else None


def _body_head(text: str, running: set[str]) -> tuple[int, int] | None:
    """The first sentence of a page's body when it goes on from the page before: it opens in
    lower case ("recommendation to the Criminal Chief was …")."""
    pos = 0
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        if not _furniture(text[pos:end], running):
            break
        pos = end + 1
    start = pos + len(text[pos:]) - len(text[pos:].lstrip())
    if start >= len(text) or not text[start].islower():
        return None
    spans = [(s, e) for s, e in sentences(text) if e > start]
    return (start, spans[0][1]) if spans else None


# A break inside running prose: after a lowercase word or a comma, or before a capitalised word
# that a lowercase word follows ("Wendell / Marchetti was driving"). Not between the lines of a
# list ("…, El Paso / Kenji W. Harrowgate, …"), where each line is an entry of its own.
SOFT_BREAK = re.compile(r"(?<=(?<![\w'’-])\p{Ll}[\w'’-]*[.:]?|[,;])\n|\n(?=[ \t]*\p{Lu}\p{Ll}+[ \t]+\p{Ll})")


def unwrap(text: str) -> str:
    """`text` with the line breaks inside each paragraph made spaces (same length, same offsets):
    the tagger then reads "Wendell / Marchetti was driving" as one sentence. Headings, table
    cells and bullets keep their breaks, so cells do not run together."""
    chars = list(text)
    for start, end in _blocks(text):
        for i in range(start, end):
            if chars[i] == "\n" and SOFT_BREAK.match(text, i):
                chars[i] = " "
    return "".join(chars)


# A line of prose cut before its sentence ends: it stops on a comma or a joining word
# ("… beyond about 12 miles in a").
RUNS_ON = re.compile(r"[,;–—-]$|\b(?:and|or|of|the|to|a|an|in|with|that|for|by|on|at|from|than)$")


def _bridges_gap(lines: list[str], i: int) -> bool:
    """Line i's sentence goes on past the blank line under it: the layout put a gap inside a
    sentence (a column or a box broke it), and the text after the gap opens in lower case."""
    line = lines[i].strip()
    # (only a line that stops on a joining word: a chat message or a cell runs to no margin)
    if not line or not RUNS_ON.search(line):
        return False
    j = i + 1
    while j < len(lines) and j <= i + 2 and not lines[j].strip():
        j += 1
    return j < len(lines) and j > i + 1 and lines[j].strip()[:1].islower()


def _blocks(text: str) -> list[tuple[int, int]]:
    """Paragraphs: lines joined until a blank line, a bullet, a text table's first or last row, or a
    line that ends a block (a heading or table cell: short and without closing punctuation). A blank line inside a
    sentence (see _bridges_gap) does not end its paragraph."""
    blocks, start, pos = [], 0, 0
    lines = text.split("\n")
    bridging = False
    for i, line in enumerate(lines):
        end = pos + len(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if line.strip():
            bridging = _bridges_gap(lines, i)
        closes = not bridging and (
            nxt is None or not nxt.strip() or not line.strip() or BULLET_LINE.match(nxt)
            # prose ends where a text table's rows begin ("| Activity | Q3 |"), and they end where it resumes
            or (nxt.lstrip()[:1] == "|") != (line.lstrip()[:1] == "|")
            or (len(line.strip()) < 40 and not re.search(r"[,;]$|\b(?:and|or|of|the|to|a|in|with)$", line.strip())
                and not (nxt.strip()[:1].islower())))
        if closes:
            if text[start:end].strip():
                blocks.append((start, end))
            start = end + 1
        pos = end + 1
    return blocks


# A sentence opening on where or for whom it applies ("In the Laredo Sector", "Along the
# southwest border", "For the Tucson Field Office").
FRONTED_SETTING = re.compile(r"(?:In|At|Along|Within|Across|Throughout|For|Outside|Inside|Near)\s+(?:the\s+)?\p{Lu}")


def trim_span(text: str, start: int, end: int, tokens=None) -> tuple[int, int]:
    """Trim bullets, connectives and whitespace. A technique is withheld with its subject ("The
    AUSA in the Eastern District will not take …", as agencies redact a sentence), except where the
    sentence opens on a setting ("In the Laredo Sector the U.S. Attorney's Office declines …"):
    that place and office stay released and the withholding starts at the verb."""
    seg = text[start:end]
    lead = len(seg) - len(seg.lstrip())
    start += lead
    m = LEADING_NOISE.match(text, start, end)
    if m:
        start = m.end()
    end = start + len(text[start:end].rstrip(" \n\t,;:"))
    if tokens is not None and FRONTED_SETTING.match(text, start, end):
        start = _after_proper_subject(tokens, start, end)
    return start, end


def _after_proper_subject(tokens, start: int, end: int) -> int:
    """Where the subject before the first verb holds a proper noun phrase of several words
    (an office, a place), start at that verb: the subject is what stays released."""
    inside = [t for t in tokens if t.idx >= start and t.idx + len(t) <= end]
    proper = 0
    for i, t in enumerate(inside):
        if t.pos_ in ("VERB", "AUX"):
            if proper >= 2 and i >= 3:
                return t.idx
            return start
        if t.pos_ == "PROPN":
            proper += 1
        if t.text in (",", ";", ":"):
            return start
    return start
