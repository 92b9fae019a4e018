"""Stage 2, detect: Presidio over spaCy, plus this field's recognizers, gives Findings.

The engine is built once per process (`get_detector`) and pages go through spaCy in
batches with `nlp.pipe`; only the spaCy components detection needs are run.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path

import regex as re
import spacy
import yaml
from spacy.lang.en.stop_words import STOP_WORDS
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import SpacyRecognizer

from .models import SENTENCE_ENTITIES, SENTENCE_WORDS, Document, Finding
from .passages import RECOGNIZER as PASSAGE_RECOGNIZER, PassageDetector, running_lines, unwrap
from .recognizers import (GIVEN_NAME_RULE, LIST_LINE_NAME, LOWER_PARTICLE, SIGNATURE_BLOCK_NAME,
                          SURNAME_FIRST_RULE, DeaNumberRecognizer, StructuredNameRecognizer)
from .tables import cells_under
from .tag_map import replace_attribute_ruler

TABLE_COLUMN_RECOGNIZER = "TableColumnRecognizer"

DATA_DIR = Path(__file__).parent / "data"
LANGUAGE = "en"
# Lower-case words that join the parts of an organisation's name ("Procuraduría General de la
# República", "Especializada en Delincuencia"); a "person" right after one is part of a name of a body.
ORG_NAME_LINKS = {"de", "del", "la", "las", "los", "en", "y", "para"}
# The subjects that name a committee or an office, listed ("Subcommittee on Border, Maritime,
# and Global Counterterrorism"): the last of them is no person.
ORG_LIST_BEFORE = re.compile(r"(?-i:\b(?:Committee|Subcommittee|Office|Bureau|Division|Council|Center|Caucus|Commission|"
                             r"Task Force|Working Group|Section|Branch)\s+(?:on|of|for)\s+(?:\p{Lu}[\p{L}-]*,?\s+(?:and\s+)?)+)$")
# The rest of a title-case name that ends in its acronym: an organisation ("Unidad
# Especializada en Delincuencia Financiera (UEDF)").
ORG_TAIL = re.compile(r"(?:[ \t]+(?:(?:de|del|la|las|los|en|y|para|of|the|and|for|on)[ \t]+)*\p{Lu}[\p{L}'’-]*)*"
                      r"[ \t]*\((\p{Lu}{2,})\)")
# Case matters to our patterns (initials, plates, acronyms): no IGNORECASE, no DOTALL.
REGEX_FLAGS = re.MULTILINE


class ModelMissingError(RuntimeError):
    pass


@dataclass
class Detector:
    analyzer: AnalyzerEngine
    nlp_engine: SpacyNlpEngine
    config: dict
    lexicons: dict
    names: StructuredNameRecognizer
    passages: PassageDetector

    @cached_property
    def titles_longest_first(self) -> list[str]:
        return sorted(self.lexicons["person_titles"], key=len, reverse=True)

    @cached_property
    def leading_title(self) -> re.Pattern:
        """A title that opens a name ("SA Maria Lopez"), longest first; compiled once."""
        return re.compile("(?:" + "|".join(re.escape(t) for t in self.titles_longest_first) + r")\s")

    @cached_property
    def facility_words(self) -> set[str]:
        return set(self.lexicons.get("facility_words", []))

    @cached_property
    def law_name_words(self) -> set[str]:
        return set(self.lexicons.get("law_name_words", []))

    @cached_property
    def site_columns(self) -> set[str]:
        return {c.lower() for c in self.lexicons.get("site_columns", [])}

    @cached_property
    def person_columns(self) -> set[str]:
        return {c.lower() for c in self.lexicons.get("person_columns", [])}

    @cached_property
    def site_columns_beside(self) -> dict[str, set[str]]:
        return {column.lower(): {c.lower() for c in beside}
                for column, beside in self.lexicons.get("site_columns_beside", {}).items()}

    @cached_property
    def not_given_names(self) -> set[str]:
        """Words the given-name dictionary lists that in records are mostly places or common words."""
        return {w.lower() for w in self.lexicons.get("not_given_names", [])}

    @cached_property
    def place_feature_words(self) -> set[str]:
        return set(self.lexicons.get("place_feature_words", []))

    @cached_property
    def business_words(self) -> set[str]:
        return set(self.lexicons.get("business_words", []))

    @cached_property
    def outline_words(self) -> set[str]:
        return {w.lower() for w in self.lexicons.get("outline_words", [])}

    @cached_property
    def type_code_before(self) -> re.Pattern:
        """An identifier's type code ending right before it, a state's two letters before "DL"
        and all ("LA DL 009813542"); it may end the line above, as in a table cell ("NPI" / "1942…")."""
        codes = "|".join(re.escape(c) for c in sorted(self.config.get("identifier_type_codes", []), key=len, reverse=True))
        return re.compile(rf"(?<![\w./-])(?:[A-Z]{{2}}[ ](?=DL\b))?(?:{codes})(?![\w/])[ \t]*[:#]?[ \t]*\n?[ \t]*$")

    @property
    def entities(self) -> list[str]:
        return sorted(set(self.analyzer.get_supported_entities(LANGUAGE)))


def _read_yaml(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


class OrderedRegistry(RecognizerRegistry):
    """Presidio's registry hands the analyzer its recognizers as a set, in an order that changes
    from run to run; of two equal results the first recognizer's is kept, so what later steps
    made of a finding changed from run to run. Here they come in the order they were added."""

    def get_recognizers(self, *args, **kwargs) -> list:
        chosen = set(map(id, super().get_recognizers(*args, **kwargs)))
        return [r for r in self.recognizers if id(r) in chosen]


@lru_cache(maxsize=4)
def get_detector(config_file: str | None = None) -> Detector:
    """Build the analyzer once per process (model load is the expensive part)."""
    config_path = Path(config_file) if config_file else DATA_DIR / "detection.yaml"
    config = _read_yaml(config_path)
    base = config_path.parent
    model = config["nlp"]["model"]
    if not spacy.util.is_package(model):
        # Presidio would try to download a missing model; we never download at run time.
        raise ModelMissingError(
            f"spaCy model package '{model}' is not installed; install the project "
            "(pip install -e .) which pins it, then retry")
    ner_config = NerModelConfiguration(
        model_to_presidio_entity_mapping=config["nlp"]["entity_mapping"], labels_to_ignore=[])
    nlp_engine = SpacyNlpEngine(models=[{"lang_code": LANGUAGE, "model_name": model}],
                                ner_model_configuration=ner_config)
    nlp_engine.load()
    nlp = nlp_engine.nlp[LANGUAGE]
    # Tell Presidio to ignore the model's other labels (places, organisations, dates).
    ner_config.labels_to_ignore = [label for label in nlp.get_pipe("ner").labels
                                   if label not in config["nlp"]["entity_mapping"]]
    for name in config["nlp"].get("disable", []):
        if name in nlp.pipe_names:
            nlp.disable_pipe(name)
    if config["nlp"].get("tag_map", False):
        replace_attribute_ruler(nlp)  # same tags and parts of speech, by lookup (tag_map.py)

    registry = OrderedRegistry(supported_languages=[LANGUAGE], global_regex_flags=REGEX_FLAGS)
    for file in config["recognizer_files"]:
        registry.add_recognizers_from_yaml(base / file)
    for recognizer in registry.recognizers:  # YAML recognizers default to IGNORECASE
        recognizer.global_regex_flags = REGEX_FLAGS
    lexicons = _read_yaml(base / config["lexicon_file"])
    names = StructuredNameRecognizer(lexicons)
    # Added before the model: of two equal results for one span, Presidio keeps the first
    # recognizer's, and the layout's reading is the better evidence ("Oluwaseun / J. Okafor-Reid").
    registry.add_recognizer(names)
    registry.add_recognizer(SpacyRecognizer(supported_entities=["PERSON"]))
    registry.add_recognizer(DeaNumberRecognizer())
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp_engine,
                              supported_languages=[LANGUAGE])
    passages = PassageDetector(base / config["passage_file"])
    return Detector(analyzer, nlp_engine, config, lexicons, names, passages)


def detect(document: Document, detector: Detector | None = None) -> list[Finding]:
    detector = detector or get_detector()
    cfg = detector.config
    texts = [page.text for page in document.pages]
    findings: list[Finding] = []
    passages: list[Finding] = []
    marked = detector.passages.marked_deliberative(texts)
    # The tagger reads paragraphs unwrapped; the recognizers see the page's own lines (same offsets).
    batches = detector.nlp_engine.process_batch([unwrap(t) for t in texts], LANGUAGE,
                                                batch_size=cfg["nlp"]["batch_size"])
    running = running_lines(texts)  # headers and footers, which a grid broken by the page end skips
    for index, (page, (_, artifacts)) in enumerate(zip(document.pages, batches)):
        text = page.text
        if not text.strip():
            continue
        results = detector.analyzer.analyze(
            text, LANGUAGE, entities=detector.entities, nlp_artifacts=artifacts,
            score_threshold=cfg["score_threshold"], return_decision_process=True)
        structured = None  # the name recognizer's own results, read only when needed
        for r in results:
            finding = _kept_finding(page.number, text, r, artifacts, detector)
            if finding is None and _from_model(r):
                # Presidio keeps the higher-scored of two results for one span, so the model's
                # reading hides the layout's; where the model's is then set aside as a heading
                # ("Samira Benali" alone in a table cell), the layout's reading still counts.
                if structured is None:
                    structured = detector.names.analyze(text, ["PERSON"], artifacts)
                findings += [f for s in structured if r.start <= s.start and s.end <= r.end
                             and (f := _kept_finding(page.number, text, s, artifacts, detector))]
            elif finding:
                findings.append(finding)
        findings += _table_cells(page, detector)
        following = texts[index + 1] if index + 1 < len(texts) else ""
        preceding = texts[index - 1] if index > 0 else ""
        passages += detector.passages.find(page.number, text, artifacts.tokens, marked, following, running,
                                           preceding)
    passages += detector.passages.across_pages(texts, marked, [page.number for page in document.pages])
    return combine(document, findings + passages, detector)


def _table_cells(page, detector: Detector) -> list[Finding]:
    """The cells of the page's grids, read once by where the words stand (tables.py): under a column
    that places posts or evidence ("Post", "Evidence room") an operational site, wrapped cells and
    all; under a message log's, a contact list's or a roster's name column ("Contact", "Saved name",
    "Name") the name a person is saved or listed under, nicknames and all ("Kiki (Ukiah)"). A name
    cell that is a number, an acronym, a word of an office or a role, or no name at all ("Unknown")
    is left alone."""
    names = detector.names
    out = []
    for cell in cells_under(page, detector.site_columns | detector.person_columns, detector.site_columns_beside):
        text = page.text[cell.start:cell.end]
        column = " ".join(cell.header.split()).rstrip(":").lower()
        if column not in detector.person_columns:
            out.append(Finding(page.number, cell.start, cell.end, text, "OPERATIONAL_SITE", 0.8,
                               TABLE_COLUMN_RECOGNIZER, f"cell under the column '{cell.header}'"))
            continue
        words = [w.strip("().,;:").lower() for w in text.split()]
        if not re.match(r"\p{Lu}", text) or len(words) > 4 or re.search(r"\d", text) or text.isupper() and len(words) == 1 \
                or any(w in names.not_name or w in names.keep or w in names.roles or w in STOP_WORDS
                       or w in detector.not_given_names for w in words):
            continue
        out.append(Finding(page.number, cell.start, cell.end, text, "PERSON", 0.8, TABLE_COLUMN_RECOGNIZER,
                           f"name cell under the column '{cell.header}'"))
    return out


def _from_model(r) -> bool:
    expl = r.analysis_explanation
    return r.entity_type == "PERSON" and expl is not None and expl.recognizer == "SpacyRecognizer"


def _kept_finding(page: int, text: str, r, artifacts, detector: Detector) -> Finding | None:
    """The Finding of one Presidio result, cleaned, or None where it is set aside (a heading, common
    words, the name of a facility)."""
    expl = r.analysis_explanation
    recognizer = expl.recognizer if expl else "unknown"
    why = (expl.textual_explanation or expl.pattern_name or recognizer) if expl else recognizer
    finding = Finding(page, r.start, r.end, text[r.start:r.end], r.entity_type,
                      round(r.score, 3), recognizer, why or recognizer)
    if r.entity_type in detector.config.get("identifier_type_entities", []):
        finding = _with_type_code(text, finding, detector)
    if r.entity_type == "PERSON":
        finding = _clean_person(finding, detector)
        finding = finding and _cut_title_line(text, finding, detector)
        finding = finding and _join_wrapped_surname(text, finding, detector)
        finding = finding and _join_wrapped_given(text, finding, detector)
        finding = finding and _join_particle_surname(text, finding)
    if finding and not _heading_guess(text, finding) \
            and not _outline_item(text, finding, detector) \
            and not _common_words(finding, artifacts.tokens, detector) \
            and not _names_a_facility(text, finding, detector) \
            and not _names_a_thing(text, finding, detector):
        return finding
    return None


def _with_type_code(text: str, f: Finding, detector: Detector) -> Finding:
    """The finding widened to the type code it is printed with ("USDOT 3702264"), where the number
    is longer than the code: the code says only what kind of number it is."""
    code = detector.type_code_before.search(text, max(0, f.start - 12), f.start)
    if not code or f.end - f.start <= f.start - code.start():
        return f
    return replace(f, start=code.start(), text=text[code.start():f.end],
                   explanation=f"{f.explanation}; with its type code '{' '.join(code.group().split()).rstrip(':#')}'")


def _thing_names(texts: list[str], detector: Detector) -> set[str]:
    """The names a document gives operations and projects ("Operation Night Owl"): the same words
    alone elsewhere ("Why Night Owl", "Night Owl was staffed …") name the operation, not a person."""
    openers = "|".join(re.escape(w) for w in detector.lexicons.get("thing_name_openers", []))
    if not openers:
        return set()
    found = set()
    for text in texts:
        for m in re.finditer(rf"(?<!\w)(?:{openers})[ \t]+(\p{{Lu}}[\p{{L}}'’-]*(?:[ \t]+\p{{Lu}}[\p{{L}}'’-]*){{0,2}})", text):
            words = m.group(1).split()
            found.update(" ".join(words[:n]) for n in range(1, len(words) + 1))
    return found


def _names_part_of(document: Document, f: Finding, things: set[str]) -> bool:
    """The finding is an operation's name, or runs into one ("Incidents, Night" / "Owl")."""
    if " ".join(f.text.split()) in things:
        return True
    text = document.pages[f.page].text if f.page < len(document.pages) else ""
    words = [(m.start(), m.group()) for m in re.finditer(r"[\p{L}'’-]+", text[f.start:f.end + 40])]
    for i, (start, _) in enumerate(words):
        if start >= f.end - f.start:
            break
        for n in (2, 3):
            if i + n <= len(words) and words[i + n - 1][0] >= f.end - f.start \
                    and " ".join(w for _, w in words[i:i + n]) in things:
                return True
    return False


def _names_a_thing(text: str, f: Finding, detector: Detector) -> bool:
    """A "name" right after "Operation" or "Project" is that operation's ("Operation Night Owl")."""
    if f.entity != "PERSON":
        return False
    before = re.search(r"(\S+)\s+$", text[max(0, f.start - 30):f.start])
    return before is not None and before.group(1) in detector.lexicons.get("thing_name_openers", [])


def combine(document: Document, found: list[Finding], detector: Detector) -> list[Finding]:
    """Resolve overlaps and make the document consistent (what is found once is found
    everywhere). Names and numbers, and passages, are resolved apart: a name inside a withheld
    passage keeps its own finding, so its privacy codes join the passage's when they are coded.
    The batch calls this again over a whole long document detected in chunks."""
    common = lowercase_words([page.text for page in document.pages])
    things = _thing_names([page.text for page in document.pages], detector)
    entities = [f for f in found if not f.recognizer.startswith(PASSAGE_RECOGNIZER)
                and not _common_in_document(f, common, detector)
                and not (f.entity == "PERSON" and _names_part_of(document, f, things))]
    passages = [f for f in found if f.recognizer.startswith(PASSAGE_RECOGNIZER)]
    passages = _resolve_overlaps(passages)
    findings = _resolve_overlaps(entities) + passages + _repeated_passages(document, passages)
    findings += _propagate(document, findings, set(detector.config.get("propagate_entities", [])), detector,
                           common)
    findings += _same_series(document, findings, set(detector.config.get("series_entities", [])))
    entities = [f for f in findings if not f.recognizer.startswith(PASSAGE_RECOGNIZER)]
    passages = [f for f in findings if f.recognizer.startswith(PASSAGE_RECOGNIZER)
                and not (f.entity == "LE_STATISTIC" and _overlaps_any(f, entities))]
    return sorted(_resolve_overlaps(entities) + _resolve_overlaps(passages), key=lambda f: (f.page, f.start))


def _repeated_passages(document: Document, passages: list[Finding]) -> list[Finding]:
    """A technique or a deliberation withheld once is withheld wherever the same words recur in the
    record (a paragraph repeated on a later page, a slide repeated in an appendix): left there, it
    would undo the withholding, and verification would stop the release."""
    wanted = {}
    for f in passages:
        if f.entity in SENTENCE_ENTITIES and len(f.text.split()) >= SENTENCE_WORDS:
            wanted.setdefault(" ".join(f.text.split()), f)
    out = []
    # (the words once, at their own place, is the common case: no pattern is compiled for it)
    flat = [" ".join(page.text.split()) for page in document.pages]
    for text, origin in wanted.items():
        if sum(page.count(text) for page in flat) < 2:
            continue
        pattern = re.compile(r"(?<![\w])" + r"\s+".join(re.escape(w) for w in text.split()) + r"(?![\w])")
        for page in document.pages:
            for m in pattern.finditer(page.text):
                if page.number == origin.page and m.start() == origin.start:
                    continue
                out.append(Finding(page.number, m.start(), m.end(), m.group(), origin.entity, origin.score,
                                   origin.recognizer, f"{origin.explanation}; the same passage is withheld elsewhere "
                                   "in the record"))
    return out


# "Marisela T. Ochoa-Brandt": a given name, a middle initial and a surname
INITIALLED = re.compile(r"\p{Lu}\p{Ll}+(?:-\p{Lu}?\p{Ll}+)? \p{Lu}\. \p{Lu}[\p{L}'’]+(?:[- ]\p{Lu}[\p{L}'’]+)?")


def _clean_person(f: Finding, detector: Detector) -> Finding | None:
    """Trim titles, title/organisation words and possessives off a name; drop what is an
    organisation, an acronym or an operation rather than a person."""
    names = detector.names
    text = f.text
    title = detector.leading_title.match(text)
    if title:
        text = " " * title.end() + text[title.end():]  # blank it, keep offsets
    # spaCy sometimes runs a name into what follows it: "Samuel T. Oyelowo - DFO", or the
    # next line's "Regards" or "Director". Names hold no spaced dash; cut there, then trim.
    dash = re.search(r"\s[-–—]\s", text)
    if dash:
        text = text[:dash.start()]
    # In a table the tagger reads the next cells with the name ("Kiyosaki, Xiomara D." / "TSA"):
    # a line that opens with an acronym or an organisation word is not part of it.
    not_part = names.not_name | names.keep | names.roles
    for cut in re.finditer(r"\n[ \t]*(\S+)", text):
        word = cut.group(1).strip(".,:;")
        # a whole initialled name ends its cell ("Marisela T. Ochoa-Brandt" / "Complaint …")
        if (word.isupper() and len(word) >= 2) or word.lower() in not_part or INITIALLED.fullmatch(text[:cut.start()].strip()):
            text = text[:cut.start()]
            break
    tokens = list(re.finditer(r"\S+", text))
    while tokens and tokens[-1].group().strip(".,:;").lower() in names.not_name | names.roles:
        tokens.pop()
    while tokens and tokens[0].group().strip(".,:;").lower() in names.not_name:
        tokens.pop(0)
    if not tokens:
        return None
    start, end = tokens[0].start(), tokens[-1].end()
    name = text[start:end]
    for suffix in ("'s", "’s", ",", ";", ":"):
        if name.endswith(suffix):
            name, end = name[: -len(suffix)], end - len(suffix)
    words = name.split()
    if "\n\n" in name or not words or not name[0].isupper():
        return None  # a "name" across two blocks is a layout accident
    if name.lower() in names.keep or names.holds_a_place(words):
        return None
    if (name.isupper() and len(words) == 1) or any(c.isdigit() or c in "§¶" for c in name):
        return None  # acronyms (programs, systems), codes and statute citations ("Pa.C.S. §") are not people
    if f.recognizer == "TableNameRecognizer" and len(words) < 2:
        return None  # a table's name cell cut down to one word was two cells of other columns
    return Finding(f.page, f.start + start, f.start + end, name, f.entity, f.score,
                   f.recognizer, f.explanation)


def _cut_title_line(text: str, f: Finding, detector: Detector) -> Finding | None:
    """A name the model ran into the title line under it in a signature ("Tenzin Cardenas-Ochoa" /
    "Diversion Program Manager"): that line is short, in capitals, ends in a job or office word and
    holds words only (a wrapped surname goes on "Lopez, Program Manager", a list "Rosa; Tucson Sector")."""
    if "\n" not in f.text:
        return f
    cut = f.text.rindex("\n")
    line_end = text.find("\n", f.end)
    line = text[f.start + cut + 1:len(text) if line_end < 0 else line_end]
    words = line.split()
    if not re.fullmatch(r"[\p{L} .&'’-]+", line) or not 2 <= len(words) <= 4 or not all(w[0].isupper() for w in words) \
            or words[-1].strip(".:;").lower() not in detector.names.not_name | detector.names.roles:
        return f
    name = f.text[:cut].rstrip()
    return _clean_person(Finding(f.page, f.start, f.start + len(name), name, f.entity, f.score,
                                 f.recognizer, f.explanation), detector) if name else None


WRAPPED_GIVEN = re.compile(r"(?<![\w.'’-])(\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?)[ \t]*\n[ \t]*$")


def _join_wrapped_given(text: str, f: Finding, detector: Detector) -> Finding:
    """A name cut by the line end the other way ("… Information Specialist Efrain" / "W. Al-Amin"):
    an initial and surname opening a line take the capitalised word that ends the line above."""
    line_start = text.rfind("\n", 0, f.start) + 1
    if not re.match(r"\p{Lu}\.\s", f.text) or text[line_start:f.start].strip():
        return f
    m = WRAPPED_GIVEN.search(text, max(0, line_start - 60), line_start)
    names = detector.names
    if not m or m.group(1).lower() in names.not_name | names.keep | names.roles | STOP_WORDS:
        return f
    return Finding(f.page, m.start(1), f.end, text[m.start(1):f.end], f.entity, f.score, f.recognizer,
                   f"{f.explanation}; given name at the end of the line above")


SURNAME_PARTICLES = {"de", "los", "las", "del", "da", "das", "do", "dos", "du", "di", "van", "der", "den", "von",
                     "ter", "ten", "le", "la", "bin", "ibn", "al"}
LEADING_PARTICLE = re.compile(rf"(?:^|(?<=[\s(;:]))({LOWER_PARTICLE})$", re.M)
# A surname with a particle the name patterns stop at: "Ruiz de Velasco", "Ferreira da Silva".
PARTICLE_SURNAME = re.compile(r"[ \t]+(?:de la|de los|de las|de|del|da|das|do|dos|du|di|van der|van den|van|von|"
                              r"ter|ten|le|la|bin|ibn|al)[ \t]+\p{Lu}[\p{Ll}'’]+(?:-\p{Lu}[\p{Ll}'’]+)?(?![\p{L}-])")


def _join_particle_surname(text: str, f: Finding) -> Finding:
    """A name of two words or more that goes on with a particle and a capitalised word takes them
    ("Vesna Ruiz" + " de Velasco"); a lone word does not ("Garcia de Leon Street" is rarer than a
    name, but a one-word finding is weaker evidence)."""
    if len(f.text.split()) < 2:
        return f
    # a surname-first name whose surname opens with a particle: "de la Cruz, Fernanda G."
    lead = LEADING_PARTICLE.search(text, max(0, f.start - 12), f.start)
    if lead and "," in f.text:
        return Finding(f.page, lead.start(1), f.end, text[lead.start(1):f.end], f.entity, f.score, f.recognizer,
                       f"{f.explanation}; surname with its particle")
    m = PARTICLE_SURNAME.match(text, f.end)
    if not m:
        return f
    return Finding(f.page, f.start, m.end(), text[f.start:m.end()], f.entity, f.score, f.recognizer,
                   f"{f.explanation}; surname with its particle")


WRAPPED_SURNAME = re.compile(r"[ \t]*\n[ \t]*(\p{Lu}[\p{Ll}'’]+(?:-\p{Lu}[\p{Ll}'’]+)?)(?![\p{L}-])")


def _join_wrapped_surname(text: str, f: Finding, detector: Detector) -> Finding:
    """A name cut by the line end ("Kendrick A." / "Oyelaran"): a first name, or a name ending
    with an initial, takes the capitalised word that starts the next line as its surname."""
    words = f.text.split()
    if "," in f.text or not (len(words) == 1 or re.fullmatch(r"\p{Lu}\.", words[-1])):
        return f  # "Brannigan, Ursula C." has its surname already
    m = WRAPPED_SURNAME.match(text, f.end)
    if not m or m.group(1).lower() in detector.names.not_name | detector.names.keep | detector.names.roles | STOP_WORDS:
        return f
    return Finding(f.page, f.start, m.end(1), text[f.start:m.end(1)], f.entity, f.score, f.recognizer,
                   f"{f.explanation}; surname on the next line")


def _heading_guess(text: str, f: Finding) -> bool:
    """Where spaCy's small model mistakes title-case words for a person, alone:
    a heading alone on its line ("Training Stakeholders"), a run-in heading ("Action Item:"),
    a phrase opening with a function word ("In Closing"), or one capitalised word (mostly
    places and offices: "Laredo"). Names in those places are still found by the layout
    and title recognizers, which report them separately."""
    if f.recognizer != "SpacyRecognizer":
        return False
    line_start = text.rfind("\n", 0, f.start) + 1
    line_end = text.find("\n", f.end)
    line = text[line_start: len(text) if line_end == -1 else line_end]
    words = f.text.split()
    before = text[max(line_start, f.start - 4):f.start].lower().split()
    # a given name, a middle initial and a surname alone on a line is a name cell, not a heading
    return (line.strip(" -•*:") == f.text and not INITIALLED.fullmatch(f.text)
            or _named_by_acronym(text, f, line_start, len(text) if line_end == -1 else line_end)
            or (before and before[-1] in ORG_NAME_LINKS)
            or ORG_LIST_BEFORE.search(text[max(line_start, f.start - 120):f.start]) is not None
            or (text[line_start:f.start].strip(" -•*") == "" and text[f.end:f.end + 1] == ":")
            or words[0].lower() in STOP_WORDS
            or len(words) == 1)


def _outline_item(text: str, f: Finding, detector: Detector) -> bool:
    """A lettered or numbered heading read as an initial and a surname: "Appendix B. Definitions",
    "Annex A. Law enforcement staff", or a roman numeral opening its line ("V. Challenges")."""
    if f.entity != "PERSON" or not re.fullmatch(r"\p{Lu}\.\s+\p{Lu}\p{Ll}+", f.text):
        return False
    line_start = text.rfind("\n", 0, f.start) + 1
    before = text[line_start:f.start]
    word = re.search(r"(\p{L}+)[ \t]+$", before)
    return (word is not None and word.group(1).lower() in detector.outline_words) or \
        (not before.strip(" \t-•*") and f.text[0] in "IVX")


def _names_a_facility(text: str, f: Finding, detector: Detector) -> bool:
    """A name that runs on into the name of a building or an airport ("Louis Armstrong New
    Orleans International Airport"), or is followed by a noun for one ("the Delaney Hall
    facility"), or ends in a word for a natural place ("Dumont Dunes"), names that place; one
    that runs on into a law's name ("Adam Walsh Child Protection and Safety Act") names the law."""
    if f.entity != "PERSON":
        return False
    # the model ran the name into the place's own name: "Harry S. Truman Library"
    words = f.text.split()
    if len(words) >= 3 and (words[-1] in detector.facility_words or " ".join(words[-2:]) in detector.facility_words):
        return True
    # or the "name" is a natural place's: "Dumont Dunes", "Palm Springs", "Gila River Fire (Department)"
    if len(words) >= 2 and any(w.strip(".,") in detector.place_feature_words for w in words[1:]):
        return True
    # or a business's: "Maher Terminals", "Alvarado Towing"
    if len(words) >= 2 and words[-1].strip(".,") in detector.business_words:
        return True
    # "the Delaney Hall facility"
    after = re.match(r"[ \t]+(\p{Ll}+)", text[f.end:f.end + 40])
    if after and after.group(1) in detector.lexicons.get("facility_nouns", []):
        return True
    # the capitalised run that follows the name, on its line or the next
    # (an ordinal is part of it: "William H. Gray III 30th Street Station"); a full name alone on
    # its line is a signature block's, and the lines under it are its title and office
    # ("Quang F. Valderrama" / "Supervisory Border Patrol Agent" / "Lordsburg Station")
    following = text[f.end:f.end + 120]
    line_start = text.rfind("\n", 0, f.start) + 1
    alone = len(words) >= 2 and not text[line_start:f.start].strip() and following.split("\n", 1)[0].strip() == ""
    following = following.split("\n", 1)[0] if alone else "\n".join(following.split("\n", 2)[:2])
    run = re.match(r"(?:(?:[ \t]+|[ \t]*\n[ \t]*)(?:of|the|and|de|del|\d+(?:st|nd|rd|th)|\p{Lu}[\p{L}.'’-]*))*",
                   following)
    tail = [w.rstrip(".,;:") for w in run.group().split()] if run else []
    while tail and tail[-1] in ("of", "the", "and", "de", "del"):
        tail.pop()
    # the run must end in the facility word: "… International Airport", not "… Field Intelligence Officer"
    if tail and (tail[-1] in detector.facility_words | detector.law_name_words
                 or " ".join(tail[-2:]) in detector.facility_words):
        return True
    # "Dumont" / "Dunes" on the next line; not "… of the Central Valley office", where the person works
    return bool(tail) and tail[-1] in detector.place_feature_words and not {"of", "the", "and"} & set(tail)


def lowercase_words(texts: list[str]) -> set[str]:
    """The words a document uses in lower case ("training", "checkpoint"): common words there,
    whatever the tagger makes of their capitalised uses in headings and names of things."""
    return {w for text in texts for w in LOWERCASE_WORD.findall(text)}


# a word of running text, not a piece of an e-mail address, host or path ("caspian.castellanos@")
LOWERCASE_WORD = re.compile(r"(?<![\w.@/-])\p{Ll}[\p{Ll}'’-]+(?![\w@/]|\.\w)")


# Names found by weak evidence alone: the model, a line to itself or a list line, a given name
# before a capitalised word. `_common_in_document` tests these against the document's words.
LAYOUT_ONLY_NAMES = {SIGNATURE_BLOCK_NAME, LIST_LINE_NAME}


ROLE_COLUMN = "in a table under a role column"  # the end of two pattern names in recognizers.yaml


def _common_in_document(f: Finding, common: set[str], detector: Detector) -> bool:
    """A weakly found "name" one of whose words the document uses in lower case, none of them a
    given name that opens it, names a thing ("Refresher Training" beside "the training",
    "Doña Ana County Sheriff"); after a known given name, the next words must not be common
    words of the document ("Vessel Interdiction Act" beside "interdiction")."""
    if f.entity != "PERSON":
        return False
    words = [w.lower() for w in re.findall(r"[\p{L}'’-]+", f.text) if len(w) > 1]
    if len(words) < 2:
        return False
    words = [w for w in words if w not in SURNAME_PARTICLES]  # "de", "da" are written in lower case
    if f.explanation.startswith(GIVEN_NAME_RULE):
        return any(w in common for w in words[1:])
    if f.explanation.startswith(SURNAME_FIRST_RULE):
        return all(w in common for w in words)  # a table's cells "Incidents, / Night Owl", not "Price, Tavita"
    if f.recognizer == "SpacyRecognizer" or f.explanation in LAYOUT_ONLY_NAMES:
        return words[0] not in detector.names.given and any(w in common for w in words)
    if ROLE_COLUMN in f.explanation and "\n" in f.text:
        # a cell read across a line break may be two cells ("Casa / Grande", "Florence / Drone"):
        # its given name ("Ben-David, / Lorcan": after the comma) must be a known one, and its
        # other words no common word of the document
        # (written surname first, the comma vouches for the cell: "Nwachukwu," / "Oluwaseun",
        # unless what follows it is a place: "Nogales," / "Arizona", "Savannah," / "Georgia")
        given = words[1] if "," in f.text else words[0]
        surname_first = "," in f.text and given not in detector.names.keep | detector.not_given_names
        return (given not in detector.names.given and not surname_first) or any(w in common for w in words if w != given)
    return False


def _common_words(f: Finding, tokens, detector: Detector) -> bool:
    """Where the small model calls a title-case phrase a person though the tagger reads one of
    its words as a common word ("Known Crewmember", "Refresher Training") or the phrase ends in
    an organisation's acronym ("Coast HIDTA", "Moves TSA"): not a person, unless that word is a
    known given name."""
    if f.recognizer != "SpacyRecognizer" or f.entity != "PERSON" or tokens is None:
        return False
    span = tokens.char_span(f.start, f.end, alignment_mode="expand")
    if span is None:
        return False
    words = [t for t in span if not t.is_punct and len(t.text) > 1]
    if len(words) >= 2 and words[-1].text.isupper() and len(words[-1].text) <= 5 \
            and words[0].text.lower() not in detector.names.given:
        return True
    # a surname's lower-case particle ("Ruiz de Leon") or a middle initial after a known given name
    # ("Wendell A. Dela Rosa") is no common word
    given_first = words[0].text.lower() in detector.names.given
    return any(t.pos_ not in ("PROPN", "X") and t.text.lower() not in detector.names.given
               and not (t.text.islower() and t.text in SURNAME_PARTICLES)
               and not (i > 0 and given_first and re.fullmatch(r"\p{Lu}\.", t.text)) for i, t in enumerate(words))


def _named_by_acronym(text: str, f: Finding, line_start: int, line_end: int) -> bool:
    """True when the span is part of a title-case name followed by its own acronym, as
    organisations are introduced: "... Especializada en Delincuencia Organizada (SIEDO)".
    "Kevin Marsh (DEA)" is a person: DEA is not made of the name's initials."""
    tail = ORG_TAIL.match(text, f.end, line_end)
    if not tail:
        return False
    acronym = tail.group(1)
    words = re.findall(r"[\p{L}'’-]+", text[line_start:tail.start(1) - 1])
    run = []
    for word in reversed(words):  # the title-case run (with connectors) before the "("
        if not (word[0].isupper() or word in ORG_NAME_LINKS or word in ("of", "the", "and", "for", "on")):
            break
        run.insert(0, word)
    initials = iter(w[0] for w in run if w[0].isupper())
    return all(letter in initials for letter in acronym)  # acronym is a subsequence of the initials


def _overlaps_any(f: Finding, others: list[Finding]) -> bool:
    """A figure that is a badge, case or phone number is that, not a statistic."""
    return any(o.page == f.page and o.start < f.end and f.start < o.end for o in others)


def _resolve_overlaps(findings: list[Finding]) -> list[Finding]:
    """Keep the longer (then higher-scoring) of overlapping findings on a page; join
    partially overlapping names into one span."""
    out: list[Finding] = []
    # the recognizer's name breaks ties, so the same findings give the same output in any process
    for f in sorted(findings, key=lambda f: (f.page, f.start, -(f.end - f.start), -f.score,
                                             f.recognizer == "ConsistencyPropagation", f.recognizer, f.entity)):
        prev = out[-1] if out else None
        if prev and prev.page == f.page and f.start < prev.end:
            if (prev.start, prev.end) == (f.start, f.end) and prev.entity != f.entity \
                    and f.recognizer.startswith(PASSAGE_RECOGNIZER):
                out.append(f)  # one passage, two exemptions (deliberative and technique)
                continue
            if f.end <= prev.end:
                continue  # contained
            if prev.entity == f.entity == "PERSON":
                text = prev.text + f.text[prev.end - f.start:]
                if text.count("\n") > 1:
                    # three lines are no one name: two names in neighbouring table cells; the
                    # layout's reading of a cell beats the model's run from the cell above
                    # ("Douglas" / "Esposito-Reyes," beside "Esposito-Reyes," / "Wojciech")
                    if prev.recognizer == "SpacyRecognizer" and f.recognizer != "SpacyRecognizer":
                        out[-1] = f
                    continue
                out[-1] = Finding(prev.page, prev.start, f.end, text, prev.entity,
                                  max(prev.score, f.score), prev.recognizer, prev.explanation)
                continue
        out.append(f)
    return out


def _name_parts(name: str) -> tuple[str | None, str | None]:
    """(first name, surname) of "First M. Last" or "Last, First M."; None where absent. A surname
    keeps its particles and the name they join ("de la Cruz", "Ruiz de Velasco", "Lopez de Alba,
    Soren"), as it is written alone."""
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first} {last}"
    tokens = [t.strip(".,") for t in name.split()]
    tokens = [t for t in tokens if len(t) > 1]
    if len(tokens) < 2:
        return None, None
    start = len(tokens) - 1
    while start > 1 and tokens[start - 1] in SURNAME_PARTICLES:
        start -= 1
    if start < len(tokens) - 1 and start > 1 and tokens[start - 1][0].isupper():
        start -= 1  # "Ruiz de Velasco": the name before the particle, unless it is the first name
    return tokens[0], " ".join(tokens[start:])


# A number's series: its letters as written, each run of digits by its length ("I23C0038816" is
# I, 2 digits, C, 7 digits). Only a long mixed shape is a series: a bare run of digits, or a
# short one, could as well be a date, a phone number or a count.
SERIES_PART = re.compile(r"\d+|[A-Z]+|-")


def _series_pattern(text: str) -> re.Pattern | None:
    if not re.fullmatch(r"[A-Z0-9]+(?:-[A-Z0-9]+)*", text) or sum(c.isdigit() for c in text) < 6 \
            or text.isdigit() or len(text) < 8:
        return None
    parts = SERIES_PART.findall(text)
    shape = "".join(rf"\d{{{len(p)}}}" if p.isdigit() else re.escape(p) for p in parts)
    return re.compile(rf"(?<![\w-]){shape}(?![\w-])")


def _same_series(document: Document, findings: list[Finding], entities: set[str]) -> list[Finding]:
    """The other numbers of a found case or record number's series ("I24C0041073" in the table
    that holds "I23C0038816"): the same letters and the same digit groups make the same register."""
    standing: dict[int, list[tuple[int, int]]] = {}  # names and numbers already found, by page
    for f in findings:
        if not f.recognizer.startswith(PASSAGE_RECOGNIZER):
            standing.setdefault(f.page, []).append((f.start, f.end))
    patterns: dict[str, tuple[re.Pattern, Finding]] = {}
    for f in findings:
        if f.entity in entities and (pattern := _series_pattern(f.text)) is not None:
            patterns.setdefault(pattern.pattern, (pattern, f))
    new = []
    for page in document.pages:
        for pattern, origin in patterns.values():
            for m in pattern.finditer(page.text):
                if any(s < m.end() and m.start() < e for s, e in standing.get(page.number, [])):
                    continue
                new.append(Finding(page.number, m.start(), m.end(), m.group(), origin.entity, origin.score,
                                   "ConsistencyPropagation", f"a number of the same series as '{origin.text}' "
                                   f"(first found by {origin.recognizer})", origin=origin.text))
    return new


def _propagate(document: Document, findings: list[Finding], entities: set[str],
               detector: Detector, common: set[str] = frozenset()) -> list[Finding]:
    """Find every other occurrence of what was found once, and the parts of a person's
    name used alone ("Julian," in a greeting, "Agent Lopez", "Okafor said"). A part the
    document also uses as a common word ("Training", "grant"), unless a given name ("Mark"), or
    an acronym ("TSA") is not looked for alone: alone, it is more often that word than the person."""
    targets: dict[str, Finding] = {}
    for f in findings:
        if f.entity in entities and len(f.text) >= 3:
            targets.setdefault(f.text, f)
    skip = detector.names.not_name | detector.names.keep | STOP_WORDS
    patterns: list[tuple[re.Pattern, Finding, str]] = []
    parts_seen: set[str] = set()
    # A string that occurs no more often than the one it was found in has no other occurrence to
    # find: no pattern is compiled for it (compiling is most of this step's cost).
    flat = " ".join(" ".join(page.text for page in document.pages).split())
    for text, f in targets.items():
        found_in = flat.count(" ".join(text.split()))
        flexible = r"\s+".join(re.escape(part) for part in text.split())
        if found_in > 1:
            patterns.append((re.compile(rf"(?<![\w@.-]){flexible}(?![\w@-])"), f, "same string found elsewhere"))
        if f.entity != "PERSON":
            continue
        first, surname = _name_parts(text)
        surnames = [surname]
        if surname and " " in surname:  # "Ruiz de Velasco" is also written "de Velasco" or "Velasco"
            words = surname.split()
            particle = next((i for i, w in enumerate(words) if w in SURNAME_PARTICLES), len(words))
            surnames += [" ".join(words[particle:]), words[-1]]
        for part, initials in [(first, "")] + [(s, r"(?:\p{Lu}\.[ \t]?){0,2}") for s in dict.fromkeys(surnames)]:
            if not part or (part.isupper() and len(part) <= 5) or \
                    (part.lower() in common and not (part == first and part.lower() in detector.names.given)):
                continue
            if len(part) >= 3 and part.lower() not in skip and part not in parts_seen:
                parts_seen.add(part)  # a surname takes its initials along: "K. Saltonstall"
                if part[0].isupper() and flat.count(" ".join(part.split())) <= found_in:
                    continue  # every use of the part is inside the full name
                # a particle opening the surname is capitalised at a sentence's start ("De la Cruz said")
                spelled = r"\s+".join(re.escape(w) for w in part.split())
                if part[0].islower():
                    spelled = f"[{part[0]}{part[0].upper()}]{spelled[1:]}"
                patterns.append((re.compile(rf"(?<![\w-]){initials}{spelled}(?![\w-])"), f,
                                 f"part of the name '{text}' used alone"))
    new: list[Finding] = []
    # (not again where a finding already stands: a passage and its copy would both be proposed)
    taken = {(f.page, f.start, f.end) for f in findings}
    for page in document.pages:
        for pattern, origin, why in patterns:
            for m in pattern.finditer(page.text):
                if (page.number, m.start(), m.end()) in taken:
                    continue
                new.append(Finding(page.number, m.start(), m.end(), m.group(), origin.entity,
                                   origin.score, "ConsistencyPropagation",
                                   f"{why} (first found by {origin.recognizer})", origin=origin.text))
    return new
