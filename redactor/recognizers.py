"""Person-name recognizers for where agency records put names: after a title, in e-mail
headers and routing lines, in signature blocks and in member/distribution lists.

spaCy's NER (through Presidio's SpacyRecognizer) finds names in running prose; these
Presidio `EntityRecognizer`s read the layout it does not. Word lists come from
data/lexicons.yaml.
"""
from __future__ import annotations

import importlib
import unicodedata
from functools import cached_property, lru_cache

import gender_guesser.detector
import regex as re
from presidio_analyzer import AnalysisExplanation, EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from spacy.lang.en.stop_words import STOP_WORDS

from .passages import unwrap

# A given name as name lists write it in Latin script ("Ozioma", "Thị", "O'Neal", "Jean-Luc")
LATIN_NAME = re.compile(r"[\p{Latin}'’-]+")
# One name token: Maria, O'Neil, McAllister, Smith-Jones, DeLeon, or an initial "R."
# Number words that open a surname of several words ("Two Bulls", "Many Horses", "Four Bears")
SURNAME_NUMBER_WORDS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "many"}
NAME_TOKEN = r"(?:O['’])?\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)?(?:[-'’]\p{Lu}?\p{Ll}+)*|\p{Lu}\.?(?![\w'’])"
PARTICLE = r"(?:de|del|de la|van|von|der|den|ter|ten|da|dos|das|du|des|di|le|la|y|bin|al)"
FULL_NAME = rf"(?:{NAME_TOKEN})(?:[ \t]+(?:{PARTICLE}[ \t]+)?(?:{NAME_TOKEN})){{1,3}}"
LAST_FIRST = rf"(?:{NAME_TOKEN}),[ \t]+(?:{NAME_TOKEN})(?:[ \t]+(?:{NAME_TOKEN}))?"
# Law-enforcement style: surnames in capitals ("Rigoberto QUEZADA ALCÁNTAR", "BARRAGÁN-TOVAR, Ezequiel")
CAPS_SURNAME = r"\p{Lu}{2,}(?:[-'’]\p{Lu}{2,})*(?![\w-])"
# (not a word of an address path: "Kieran O'Dwyer/PAPD/PANYNJ@PANYNJ, Rosalind N. Al-Masri")
# (or the surname first without a comma, before a romanised two-syllable given name: "PARK Jae-won")
# (a given name may be double: "LIANG, Wei-Ming", "Mei-Ling HARROWGATE")
CAPS_NAME = (rf"(?<![\w/@-])(?:\p{{Lu}}\p{{Ll}}+(?:-\p{{Lu}}?\p{{Ll}}+)?[ \t]+(?:\p{{Lu}}\.?[ \t]+)?{CAPS_SURNAME}(?:[ \t]+{CAPS_SURNAME})?"
             rf"|{CAPS_SURNAME}(?:[ \t]+{CAPS_SURNAME})?,[ \t]*\n?[ \t]*\p{{Lu}}\p{{Ll}}+(?:-\p{{Lu}}?\p{{Ll}}+)?(?:[ \t]+\p{{Lu}}\.)?"
             rf"|{CAPS_SURNAME}[ \t]+\p{{Lu}}\p{{Ll}}+-\p{{Ll}}+(?![\w'’-]))")
# A name written all in capitals, as dispatch printouts and records checks print them: surname first
# with a comma ("MBATHA, FATIMA D.") or with a middle initial ("YESENIA T. HARROWGATE"); the given
# name must be a known one.
ALL_CAPS_NAME = (rf"(?<![\w/@-])(?:(?P<surname>{CAPS_SURNAME}(?:[ \t]+{CAPS_SURNAME}){{0,2}}),[ \t]*(?P<given>\p{{Lu}}{{2,}}(?:-\p{{Lu}}{{2,}})?)"
                 rf"(?:[ \t]+\p{{Lu}}\.)?|(?P<given2>\p{{Lu}}{{2,}})[ \t]+\p{{Lu}}\.[ \t]+{CAPS_SURNAME})(?![\w-])")
# An initial and a surname ("K. Saltonstall"): not the tail of "U.S." or "D.C.", not an
# outline heading ("V. Business Process": a roman numeral at a line start, or more
# capitalised words after it)
INITIAL_NAME = (r"(?<![\w.])(?<!\p{Lu}\.[ \t])(?!(?<=^[ \t]*)[IVX]\.)\p{Lu}\.[ \t]?\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}\p{Ll}+)?"
                r"(?![\w-])(?![ \t]+\p{Lu}\p{Ll})")
# spaCy labels that mean "not a person" when they cover a candidate
NON_PERSON_LABELS = {"ORG", "GPE", "LOC", "FAC", "PRODUCT", "EVENT", "LAW", "NORP", "WORK_OF_ART"}
# What ends a name leading a list line: "Name (Co-Chair)", "Name, DFO", "Name – SAC",
# and the sloppier "Name- SAC", "Name. DFO" of retyped or OCR'd lists
SEPARATORS = r"(?:\s*\(|\s*,|\s*[–—-]\s+|\s+[–—-]\s*|\s*\.\s+)"


# A given name before a capitalised surname: "Imogen Pemberton", "Wendell R. Marchetti", "Juan Carlos
# Peña Guerrero" (two given names and two surnames).
# (a quoted nickname may follow the given name, and a particle open either surname: "Rolando "Roly"
# Sarmiento", "Beatriz de la Cruz", "Bogdan Ruiz de Leon")
LOWER_PARTICLE = r"(?:de la|de los|de las|del|de|van der|van den|van de|van|von der|von|ter|ten|da|dos|das|du|des|di|le|la)[ \t]+"
GIVEN_THEN_SURNAME = (r"(?<![\w.'’-])(?P<given>\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)?(?:-\p{L}\p{Ll}+)?)[ \t]+(?:[\"“]\p{Lu}\p{Ll}+[\"”][ \t]+)?(?:\p{Lu}\.[ \t]+)?"
                      rf"(?:{LOWER_PARTICLE})?(?P<surname>(?:O['’])?\p{{Lu}}\p{{Ll}}+(?:\p{{Lu}}\p{{Ll}}+)?(?:[-'’]\p{{Lu}}\p{{Ll}}+)*)"
                      rf"(?:[ \t]+(?:{LOWER_PARTICLE})?(?:O['’])?\p{{Lu}}\p{{Ll}}+(?:[-'’]\p{{Lu}}\p{{Ll}}+)*){{0,2}}(?![\w'’-])"
                      # a run of capitalised words going on is a name of a program or an office
                      r"(?![ \t]+\p{Lu}\p{Ll})")
# A first name, a middle initial and a surname in running text ("… to Obinna E. Abeyta."): the
# middle initial is what people's names have and the names of things rarely do.
FIRST_INITIAL_LAST = (r"(?<![\w.'’-])\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)?(?:-\p{Lu}\p{Ll}+)?[ \t]+\p{Lu}\.[ \t]+"
                      r"(?:(?:Dela|Della|De La|De|Del|Van|Von|Da|Di|Du|St\.)[ \t]+)?(?:O['’])?\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)?(?:[-'’]\p{Lu}?\p{Ll}+)*(?![\w'’-])(?![ \t]+\p{Lu}\p{Ll})")
# The same written surname first, as rosters and tables do: "Ostrowski, Rashida".
SURNAME_THEN_GIVEN = (r"(?<![\w.'’-])(?P<surname>(?:(?:St\.|Ste\.|Van|Von|De|Del|Dela|Della|Delos|Di|Da|Dos|Du|La|Le|De La|Van Der|Van Den|de la|de|del|van der|van den|van|von|da|dos|du|di|le|la)[ \t]+)?(?:O['’])?\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)?(?:[-'’]\p{Lu}\p{Ll}+)*"
                      # a particle inside a double surname: "Lopez de Alba, Mustafa"
                      r"(?:[ \t]+(?:de la|de los|del|de|y|van der|van)[ \t]+\p{Lu}\p{Ll}+)?),[ \t]+"
                      r"(?P<given>\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)?(?:-\p{L}\p{Ll}+)?)(?:[ \t]+\p{Lu}\.)?(?![\w'’-])(?![ \t]+\p{Lu}\p{Ll})")
# A line break inside a name cut at the end of a long line of prose ("... placed accordingly;
# Mateus" / "V. Phan will continue ..."): a capitalised word ends a line of 40 characters or
# more, and a capital opens the next. (Only the name rules read across it: given to the
# tagger, such breaks joined "Prince" / "George's County" into a name.)
# (or after a given name and its middle initial: "… controlled by Esteban G." / "Kahananui, who …")
WRAPPED_NAME_BREAK = re.compile(r"(?<=^[^\n]{40,}(?<![.:;!?])(?<=\p{Lu}\p{Ll}+))\n(?=\p{Lu})"
                                r"|(?<=^[^\n]{40,}(?<![\w.]\p{Lu}\.[ \t]\p{Lu}\.)(?<=[ \t]\p{Lu}\p{Ll}+[ \t]\p{Lu}\.))\n(?=\p{Lu}\p{Ll}+[,;]?[ \t]+\p{Ll})", re.M)
# A surname-first name wrapped inside a narrow table cell: "Gatewood," / "Keanu F." or
# "Huang, Rohan" / "F.". The break is a space to the surname-first rule (same offsets); the
# given name must fill its line, so a cell that goes on is not read as a name.
WRAPPED_CELL_NAME_BREAK = re.compile(
    r"(?<=\p{Lu}\p{Ll}+,)\n(?=\p{Lu}\p{Ll}+(?:-\p{L}\p{Ll}+)?(?:[ \t]+\p{Lu}\.)?[ \t]*(?:\n|$))"
    r"|(?<=\p{Lu}\p{Ll}+,[ \t]+\p{Lu}\p{Ll}+)\n(?=\p{Lu}\.[ \t]*(?:\n|$))")
# A given-name-first name wrapped inside a narrow table cell: "Samira" / "Benali", or the second of
# two names in a cell ("Tomasz Bautista; Mele" / "Fifita"). The given name ends its line and the
# surname fills the next, so a cell that goes on is not read as a name.
WRAPPED_CELL_GIVEN_NAME = (r"(?:^|(?<=[;,][ \t]))[ \t]*(?P<given>\p{Lu}\p{Ll}+(?:-\p{L}\p{Ll}+)?)(?:[ \t]+\p{Lu}\.)?[ \t]*\n"
                           r"[ \t]*(?P<surname>(?:O['’])?\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)?(?:[-'’]\p{Lu}?\p{Ll}+)*)(?=[ \t]*(?:\n|$|,))")
# The surname-first name before this one in a list ("Mirabal, Peggy H.; Hanrahan, Ivo")
LISTED_BEFORE = re.compile(rf"{SURNAME_THEN_GIVEN}[ \t]*;[ \t]*$")
# What may stand before a surname-first name in running text: "prepared by Rahimi, Wren".
SURNAME_FIRST_LEAD = r"(?i:\b(?:by|reviewer|analyst|contact|attention|attn|poc|cc|bcc))[ \t]*:?[ \t]+$"


@lru_cache(maxsize=1)
def dictionary_given_names() -> frozenset[str]:
    """The 60,000 first names of the gender-guesser dictionary, lower-cased: a curated list, in
    which few names are also words or places."""
    names = set(gender_guesser.detector.Detector(case_sensitive=False).names)
    # US records often drop the accents: "Soren" for "Søren", "Bartlomiej" for "Bartłomiej"
    names |= {ascii_form for name in names if not name.isascii()
              if len(ascii_form := _ascii_fold(name)) >= 4 and ascii_form.isascii()}
    return frozenset(names)


# letters that Unicode decomposition does not reduce to a base letter and an accent
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "œ": "oe", "ı": "i"})


def _ascii_fold(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name.translate(_FOLD)) if not unicodedata.combining(c))


@lru_cache(maxsize=4)
def given_names(faker_locales: tuple[str, ...] = ()) -> frozenset[str]:
    """First names of many countries, lower-cased: the 60,000-name dictionary of the gender-guesser
    package and the per-locale name lists of Faker (both installed from the registry; no download).
    Faker adds names gender-guesser lacks (Igbo, Yoruba, Swahili, Turkish, Vietnamese ...)."""
    names = set(dictionary_given_names())
    for locale in faker_locales:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:  # a locale without a person provider
            continue
        for attribute in ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary"):
            listed = vars(provider).get(attribute)  # the locale's own list, not one it inherits
            if isinstance(listed, (list, tuple, set, dict)):
                names.update(n.lower() for n in listed if isinstance(n, str) and LATIN_NAME.fullmatch(n))
    return frozenset(names)


# A signature block's agency line is short ("New Mexico Department of Homeland Security and
# Emergency Management"); a longer line is running text.
SIGNATURE_LINE_WORDS = 10
# Why a name was found where the layout alone points to it (detect tests these for common words).
SIGNATURE_BLOCK_NAME = "name on its own line in a signature block"
LIST_LINE_NAME = "name leading a line of a member or distribution list"
# A line holding only a name, a comma and a job title (checked as a role line in code).
NAME_COMMA_ROLE_LINE = re.compile(r"^[ \t]*(?:[•*–-][ \t]*)?(?P<name>\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?"
                                  r"(?:[ \t]+(?:\p{Lu}\.|\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?)){1,2}),[ \t]+"
                                  r"(?P<role>[^\n,;:]{3,60}?)[ \t]*$", re.M)
GIVEN_NAME_RULE = "known given name"
SURNAME_FIRST_RULE = "surname, then the known given name"


class StructuredNameRecognizer(EntityRecognizer):
    """Names found by their place in the layout rather than by the language model."""

    ENTITY = "PERSON"

    def __init__(self, lexicons: dict, supported_language: str = "en"):
        self.lex = lexicons
        self.not_name = {w.lower() for w in lexicons["not_name_words"]}
        self.keep = {w.lower() for w in lexicons["keep_terms"]}
        self.roles = {w.lower() for w in lexicons["role_words"]}
        self.given = (given_names(tuple(lexicons["given_names_faker_locales"]))
                      - {w.lower() for w in lexicons["not_given_names"]})
        super().__init__(supported_entities=[self.ENTITY], name="StructuredNameRecognizer",
                         supported_language=supported_language)

    def load(self) -> None:  # patterns are compiled lazily below
        pass

    @staticmethod
    def _alternation(words: list[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))

    @cached_property
    def titled(self):
        # a title names one person or several ("Watch Commanders Okimoto and de la Rosa")
        titles = self._alternation([*self.lex["person_titles"],
                                    *(f"{t}s" for t in self.lex["person_titles"] if re.search(r"[a-rt-z]$", t))])
        # a name after a title may wrap onto the next line of its paragraph
        # (and take a lower-case particle inside it: "Sgt. Van der Linde", "Officer Aurelio T. Van der Linde")
        return re.compile(rf"(?<![\w.])(?:{titles})[ \t]+(?P<name>(?:{NAME_TOKEN})(?:(?:[ \t]+|[ \t]*\n[ \t]*)"
                          rf"(?:(?:der|den|de|del|de la|ter|ten|van|von|da|dos|du|des|di|la|le)[ \t]+)?(?:{NAME_TOKEN})){{0,3}})")

    @cached_property
    def listed_after_title(self):
        """The next name of a list after a plural title: ", Name", " and Name", ", and Name"."""
        return re.compile(rf"(?:,[ \t]+(?:and[ \t]+)?|[ \t]+(?:and|&)[ \t]+|[ \t]*\n[ \t]*(?:and|&)[ \t]+|[ \t]+(?:and|&)[ \t]*\n[ \t]*)"
                          rf"(?P<name>(?:{NAME_TOKEN})(?:(?:[ \t]+|[ \t]*\n[ \t]*)(?:(?:de la|de|del|van|von|da|dos|du|di|la|le)(?:[ \t]+|[ \t]*\n[ \t]*))?(?:{NAME_TOKEN})){{0,3}})"
                          rf"(?![\w'’-])")

    @cached_property
    def only_titles(self):
        titles = self._alternation([t.rstrip(".") for t in self.lex["person_titles"]])
        return re.compile(rf"(?:(?:{titles})\.?[ \t]*)+")

    @cached_property
    def after_person_cue(self):
        cues = self._alternation(self.lex.get("person_cues", []))
        word = r"\p{Lu}\p{Ll}+(?:-\p{L}\p{Ll}+)*"
        # (or surname first, wrapped or not: "registration returns to Demir," / "Anatoly")
        return re.compile(rf"(?i:\b(?P<cue>{cues}))[ \t]+(?P<name>{word}(?:[ \t]+\p{{Lu}}\.)?(?:[ \t]+{word}){{1,2}}"
                          rf"|{word},[ \t]*\n?[ \t]*{word}(?:[ \t]+\p{{Lu}}\.)?)"
                          rf"(?![\w'’-])(?![ \t]+\p{{Lu}}\p{{Ll}})")

    @cached_property
    def before_person_cue(self):
        """Two or three name words (or "Surname, Given") right before what only follows a person:
        ", Esq.", "(deceased)", "(DOB …", ", age 41"."""
        cues = self._alternation(self.lex.get("person_suffix_cues", []))
        word = r"(?:O['’])?\p{Lu}\p{Ll}+(?:-\p{L}\p{Ll}+)*"
        return re.compile(rf"(?<![\w'’.-])(?P<name>{word}(?:[ \t]+\p{{Lu}}\.)?(?:[ \t]+{word}){{1,2}}"
                          rf"|{word},[ \t]+{word}(?:[ \t]+\p{{Lu}}\.)?)(?=[ \t]*(?:{cues})(?![\w]))")

    @cached_property
    def header(self):
        labels = self._alternation(self.lex["header_labels"])
        # the value may stand on the next line when a header was laid out as a table
        return re.compile(rf"^[ \t]*(?:{labels})[ \t]*:[ \t]*\n?[ \t]*(?P<body>.+)$", re.M)

    @cached_property
    def header_piece(self):
        """One comma-separated piece of a header value: an optional title, then a name."""
        titles = self._alternation(self.lex["person_titles"])
        return re.compile(rf"\s*(?:(?:{titles})\s+)?(?P<name>{FULL_NAME})\s*")

    @cached_property
    def salutations(self) -> set[str]:
        return {w.lower() for w in self.lex.get("salutations", [])}

    @cached_property
    def closing(self):
        closings = self._alternation(self.lex["closings"])
        return re.compile(rf"^\s*(?:{closings})[\s,.!]*$", re.I)

    @cached_property
    def lead_name(self):
        return re.compile(rf"^[ \t]*(?:[-•▪●■*]\s*)?(?:/s/\s*)?(?P<name>{FULL_NAME})(?={SEPARATORS}|[ \t]*$)", re.M)

    # -- validation ---------------------------------------------------------------------

    def looks_like_name(self, candidate: str, allow_single: bool = False) -> bool:
        tokens = [t.strip(".,;:'’") for t in candidate.split()]
        tokens = [t for t in tokens if t]
        if len(tokens) >= 3 and tokens[0] in ("St", "Ste"):
            tokens = tokens[1:]  # "St. Pierre, Hamish": a surname's particle, not a street
        if not tokens or candidate.lower() in self.keep:
            return False
        if any(t.lower() in self.not_name for t in tokens):
            return False
        if self.holds_a_place(tokens):
            return False
        # (a number word inside a surname after a known given name is part of it: "Loretta Two Bulls")
        inside = set(tokens[1:-1]) if len(tokens) > 2 and tokens[0].lower() in self.given else set()
        if any(t.lower() in STOP_WORDS and not (t in inside and t.lower() in SURNAME_NUMBER_WORDS)
               for t in tokens if len(t) > 1):
            return False  # "During Interviews", "In Closing": headings, not people
        real = [t for t in tokens if len(t) > 1]
        return len(real) >= (1 if allow_single else 2) or (len(real) == 1 and len(tokens) >= 2)

    def holds_a_place(self, words: list[str]) -> bool:
        """A released place name among the words, and no known given name beside it: a state's
        name is also a surname ("Sinaloa Cartel" is no one, "Juan Carlos Peña Guerrero" is)."""
        # (a lower-case particle is part of a surname: "de la Fuente" holds no "LA")
        words = [w.strip(".,;:").lower() for w in words if not w[:1].islower()]
        return any(w in self.keep for w in words) and not any(w in self.given for w in words if w not in self.keep)

    @staticmethod
    def _spacy_says_other(doc, start: int, end: int, single: bool, titled: bool = False) -> bool:
        if doc is None:
            return False
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            return False
        # The small model often tags a first and last name, lacking context, as an ORG;
        # for a span of two or more proper nouns only a place label counts against it.
        # After a title ("SA Fenella J. Villarreal-Ochoa") the model's ORG is the title read as an
        # office: only a place label counts against a titled name of two or more words.
        person_shaped = len(span) >= 2 and (titled or all(t.pos_ == "PROPN" for t in span if not t.is_punct))
        # one proper noun after a rank ("Trooper Eberhardt", read as an ORG) is a surname; after an
        # office's initials it may name a thing of that office ("SAC Conferences")
        title = re.search(r"(\S+)\s+$", doc.text[max(0, start - 40):start])
        person_shaped = person_shaped or (titled and len(span) == 1 and span[0].tag_ == "NNP"
                                          and title is not None and not title.group(1).isupper())
        # after an abbreviated rank or courtesy title ("Cpl. Haverkamp", "Mr. Houston") one proper
        # noun is a surname, whatever place the model takes it for; not after "P.O.", which is as
        # often a post office ("P.O. Box 1234")
        after_abbreviation = titled and len(span) == 1 and title is not None and title.group(1) != "P.O." \
            and re.fullmatch(r"\p{Lu}[\p{L}.]{0,5}\.", title.group(1)) is not None
        for ent in doc.ents:
            # Only when the model sees the whole candidate as a place or organisation; an
            # entity that merely ends on the candidate's line ("Office of Field Operations\n•
            # Hollis B. Yarborough") is a layout accident, not evidence.
            if (ent.start_char <= start and ent.end_char >= end
                    and ent.label_ in (("GPE", "LOC", "FAC") if titled and len(span) >= 2 else NON_PERSON_LABELS)
                    and "\n" not in doc.text[ent.start_char:start]
                    and not (person_shaped and ent.label_ == "ORG") and not after_abbreviation):
                return True
        if any(t.pos_ == "VERB" for t in span):
            return True
        # A lone word after a title must be a proper noun ("Agent Lopez", not "Officer safety").
        return single and not all(t.pos_ == "PROPN" for t in span if not t.is_punct)

    @staticmethod
    def _proper_noun(doc, start: int, end: int) -> bool:
        span = doc.char_span(start, end, alignment_mode="expand") if doc is not None else None
        # the hyphen of a double surname ("Abu-Saleh") is a token of its own, as is a line break
        return span is not None and all(t.pos_ == "PROPN" for t in span
                                        if not (t.is_punct and t.text in "-'’") and not t.is_space)

    def _known_given(self, given: str) -> bool:
        """A given name in the dictionary, or a double one whose parts both are ("Marie-Claude")."""
        given = given.lower()
        return given in self.given or all(part in self.given for part in given.split("-"))

    @staticmethod
    def _is_place(doc, start: int, end: int) -> bool:
        # an entity run across a blank line ("Rigoberto" / "" / "11/30/1974") is a layout accident
        return doc is not None and any(
            ent.label_ in ("GPE", "LOC") and ent.start_char < end and ent.end_char > start
            and "\n\n" not in ent.text for ent in doc.ents)

    def _trim(self, text: str, start: int) -> tuple[int, int] | None:
        """Drop trailing tokens that are title/organisation words; return the name's span."""
        tokens = list(re.finditer(r"\S+", text))
        while tokens and tokens[-1].group().strip(".,;:").lower() in self.not_name:
            tokens.pop()
        if not tokens:
            return None
        return start + tokens[0].start(), start + tokens[-1].end()

    # -- the rules ----------------------------------------------------------------------

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        if self.ENTITY not in entities:
            return []
        doc = nlp_artifacts.tokens if nlp_artifacts is not None else None
        found: dict[tuple[int, int], tuple[float, str]] = {}

        def add(start: int, end: int, score: float, why: str, single: bool = False,
                ask_spacy: bool = True, titled: bool = False):
            while end > start and text[end - 1] in ".,;:":
                if text[end - 1] == "." and end - start >= 2 and text[end - 3:end - 2] in (" ", "\n", ""):
                    break  # keep the dot of a trailing initial ("John Q.")
                end -= 1
            candidate = text[start:end]
            if not self.looks_like_name(candidate, allow_single=single):
                return
            if ask_spacy and self._spacy_says_other(doc, start, end, single, titled):
                return
            if found.get((start, end), (0,))[0] < score:
                found[(start, end)] = (score, why)

        for m in self.titled.finditer(text):
            span = self._trim(m.group("name"), m.start("name"))
            if span and self.only_titles.fullmatch(text[span[0]:span[1]]):
                continue  # a title after a title ("Det. Sgt., Criminal Investigation Bureau") is no name
            if span and text[span[0]:span[1]].split()[0].strip(".,").lower() in self.roles:
                continue  # the rest of a job title ("Contracting Officer Representative")
            if span:
                single = len(text[span[0]:span[1]].split()) == 1
                if single and span[1] < m.end("name"):
                    continue  # "Chief Information Officer": one word left of a job title is no name
                more = re.match(r"[ \t]+(?:and|&|of|for|at)[ \t]+(?=\p{Lu}\p{Ll})", text[span[1]:span[1] + 20])
                plural = text[m.start():m.start("name")].strip().endswith("s")  # "Rangers Paiva and Nez"
                if single and more and not plural and not self.titled.match(text, span[1] + more.end()):
                    continue  # a title-case heading goes on ("Security Officer Coverage and Screening"),
                    # a list of titled people does not ("Det. Mirabal and Det. Wojcik")
                title = text[m.start():m.start('name')].strip()
                add(*span, 0.9, f"name after the title '{title}'", single, titled=True)
                # a plural title goes on to the others it names ("Rangers Paiva and Laframboise",
                # "Watch Commanders Cormac Okimoto and Anneliese de la Rosa")
                pos = span[1]
                while plural and (nxt := self.listed_after_title.match(text, pos)):
                    start, end = nxt.span("name")
                    # the name may wrap ("Anneliese de la" / "Rosa"), or end on its line ("… and Nez" / "The")
                    for stop in dict.fromkeys((end, text.find("\n", start, end) if "\n" in nxt.group("name") else end)):
                        words = list(re.finditer(r"\p{Lu}[\p{L}'’.-]*", text[start:stop]))
                        # proper nouns; one alone the model must not call a place (it calls many surnames
                        # a PRODUCT, and a whole listed name, particle and all, a GPE)
                        if words and all(self._proper_noun(doc, start + w.start(), start + w.end()) for w in words) \
                                and (len(words) > 1 or not self._is_place(doc, start, stop)):
                            add(start, stop, 0.9, f"name after the title '{title}'", single=True, ask_spacy=False)
                        if (start, stop) in found:
                            break
                    pos = end

        # The capitals convention is evidence enough (the small model often calls it an ORG),
        # unless the capitals are a title or office and the other word a place ("DFO, Atlanta").
        for m in re.finditer(CAPS_NAME, text, re.M):
            caps = [w.strip(",.").lower() for w in m.group().split() if w.strip(",.").isupper()]
            # "HOLLINGSWORTH-REYES, Tamsin": the model's place label on a known given name after the
            # comma does not count; on the capitals it does ("EL PASO, Texas")
            comma = m.group().find(",")
            given_after = comma > 0 and m.group()[comma + 1:].split()[0].lower() in self.given
            place_end = m.start() + comma if given_after else m.end()
            if any(w in self.roles for w in caps) or self._is_place(doc, m.start(), place_end):
                continue
            # "Coast HIDTA", "Moves TSA": a word before a short acronym is no given name
            first = m.group().split()[0].strip(",.")
            if not first.isupper() and all(len(w) <= 5 for w in caps) and first.lower() not in self.given:
                continue
            add(m.start(), m.end(), 0.85, "name with the surname in capitals", ask_spacy=False)
        for m in re.finditer(ALL_CAPS_NAME, text):
            given = (m.group("given") or m.group("given2")).lower()
            start = m.start()
            if m.group("surname"):
                # the words of a dispatch line before the surname are not part of it ("REG TO
                # MBATHA, FATIMA D."): the name starts after the last word that is no name's
                for w in re.finditer(r"\S+", m.group("surname")):
                    if w.group().lower() in self.roles or w.group().lower() in self.not_name \
                            or w.group().lower() in STOP_WORDS:
                        start = m.start("surname") + w.end()
                start = start + len(text[start:m.end()]) - len(text[start:m.end()].lstrip())
                if start >= m.end("surname"):
                    continue
            words = [w.strip(",.").lower() for w in text[start:m.end()].split()]
            # (a short word after a code and a comma is a dispatch abbreviation: "ENRT, ETA 4")
            short = m.group("given") and len(given) < 4 and not re.search(r"\p{Lu}\.$", m.group())
            if not short and all(part in self.given for part in given.split("-")) and not any(
                    w in self.roles or w in self.not_name or w in self.keep for w in words):
                add(start, m.end(), 0.8, "name in capitals with a known given name", ask_spacy=False)
        # "V. Responsibilities" is an outline heading: the surname must be a proper noun.
        for m in re.finditer(INITIAL_NAME, text, re.M):
            before = re.search(r"(\p{L}+)[ \t]+$", text[max(0, m.start() - 30):m.start()])
            if before and before.group(1).lower() in self.not_name:
                continue  # "Option B. Reduce …", "Annex C. Maps": a lettered item, not an initial
            add(m.start(), m.end(), 0.85, "initial and surname", single=True)

        for m in self.header.finditer(text):
            self._header_names(text, m.start("body"), m.group("body"), add)
        # the model must read it as proper nouns ("Option B. Reduce ..." is an outline item); its
        # place labels do not count here (it calls many unfamiliar names a GPE, initial and all)
        # read across the soft line breaks of a paragraph ("… Mateus" / "V. Phan will continue …");
        # table cells keep their breaks, so neighbouring cells are not read as one name
        prose = WRAPPED_NAME_BREAK.sub(" ", unwrap(text))
        for m in re.finditer(FIRST_INITIAL_LAST, prose):
            if self._proper_noun(doc, *m.span()):
                add(m.start(), m.end(), 0.8, "given name, middle initial and surname", ask_spacy=False)

        # A known given name before a capitalised surname the tagger reads as a proper noun:
        # the names the small model misses in running text. Places and organisations it
        # recognises as such ("Santa Teresa", "Austin Police") are left alone.
        for m in re.finditer(GIVEN_THEN_SURNAME, prose, overlapped=True):
            # read from each word, so a salutation is not taken for the given name ("Dear Harlan
            # Yellowhorse"), but a capitalised word before it is part of one name ("San Pedro Sula")
            # (nor the surname after an initial: "Harry S. Truman Library")
            # (a word in capitals before it is an office or a rank, not a name: "SSA Priyanka Runningwater")
            before = re.search(r"(?:(?<![\w.])\p{Lu}\.|(?<![\w'’-])(\p{Lu}\p{Ll}[\p{L}'’-]*))[ \t]+$", prose[max(0, m.start() - 30):m.start()])
            if before and (before.group(1) or "S").lower() not in self.salutations:
                continue
            # four name words are two given names and two surnames ("Juan Carlos Peña Guerrero"),
            # not a body's name ("Gila River Indian Community")
            words = [w for w in m.group().split() if w[0].isupper() and not w.endswith(".") and w[0] not in "\"“"]
            if len(words) >= 4 and words[1].lower() not in self.given:
                continue
            # a double given name counts when both its parts do ("Jean-Luc", "Ana-Maria"; not "Anti-Terrorism")
            if self._known_given(m.group("given")) \
                    and self._proper_noun(doc, *m.span("surname")):
                add(m.start(), m.end(), 0.7, f"{GIVEN_NAME_RULE} '{m.group('given')}' before a surname")
        # After a phrase that takes a person ("registered to", "your client"), two or three
        # capitalised name words are a name the small model may not tag ("Seong-min Ekwueme").
        for m in self.after_person_cue.finditer(text):
            add(m.start("name"), m.end("name"), 0.7, f"name after '{m.group('cue')}'", titled=True)
        # Before what only follows a person (", Esq.", "(deceased)", "(DOB"): a name the model and
        # the given-name dictionary may not know ("Tupou Fifita, Esq."). Of three words, the first
        # is a word before the name ("Arrested Nalani Ilunga") unless it is a known given name.
        for m in self.before_person_cue.finditer(text):
            start, end = m.span("name")
            words = [w for w in re.finditer(r"\S+", m.group("name")) if not re.fullmatch(r"\p{Lu}\.", w.group())]
            if "," not in m.group("name") and len(words) == 3 and not self._known_given(words[0].group()):
                start += words[1].start()
            add(start, end, 0.75, f"name before '{text[end:end + 12].strip().split()[0]}'", titled=True)
        # A line that is a name and then a job title ("Kaveh Vasquez-Lund, Training Officer"), as in
        # a list of instructors or staff: the name the model missed, where the tagger reads it as
        # proper nouns and the words after the comma open on a role. Only a place label counts
        # against it ("New Orleans, Special Agent"): the model calls such names buildings.
        for m in NAME_COMMA_ROLE_LINE.finditer(text):
            if self._is_role_line(m.group("role"), opening_words=3) and self._proper_noun(doc, *m.span("name")) \
                    and not self._is_role_line(m.group("name"), opening_words=4) and not self._is_place(doc, *m.span("name")):
                add(*m.span("name"), 0.72, f"name before the job title '{m.group('role').strip()}'", ask_spacy=False)
        for m in re.finditer(WRAPPED_CELL_GIVEN_NAME, text, re.M):
            if self._known_given(m.group("given")) and self._proper_noun(doc, *m.span("surname")):
                add(m.start("given"), m.end("surname"), 0.72,
                    f"{GIVEN_NAME_RULE} '{m.group('given')}' wrapped above a surname in a table cell")
        cells = WRAPPED_CELL_NAME_BREAK.sub(" ", text)
        for m in re.finditer(SURNAME_THEN_GIVEN, cells):
            # roster style only: the name opens its line (after a bullet or a label) and ends it,
            # so a list of places ("Doña Ana, Luna, and Hidalgo counties") is not read as one
            line_start = cells.rfind("\n", 0, m.start()) + 1
            line_end = cells.find("\n", m.end())
            before, after = cells[line_start:m.start()], cells[m.end():len(cells) if line_end < 0 else line_end]
            # a table row's record number may share the line ("24FEB12NVNF0088-8GBC Brannigan,")
            before = re.sub(r"^[ \t]*[\p{L}\d-]*\d[\p{L}\d-]*[ \t]+$", "", before)
            led = re.search(SURNAME_FIRST_LEAD, before)
            # or the next in a list of such names ("Mirabal, Peggy H.; Hanrahan, Ivo; ...")
            previous = LISTED_BEFORE.search(before)
            listed = previous is not None and self._known_given(previous.group("given"))
            # (an FBI routing line opens with the copy count: "1 - Tanaka, Kenji")
            # or it stands alone in parentheses ("prepared by the unit (Rahimi, Wren) for …")
            bracketed = before.rstrip().endswith("(") and after.lstrip().startswith(")")
            opens = led or listed or bracketed or re.fullmatch(r"[ \t]*(?:\d{1,2}[ \t]+)?(?:[-•▪●■*][ \t]*)?(?:[\w ./]{1,30}:[ \t]*)?", before)
            # what follows ends the name: the line's end, a clause, or the person's role
            # ("cc: Abeyta, Quinton, Group Supervisor, Tucson Resident Office")
            role = after.startswith(",") and self._is_role_line(after.lstrip(", \t"), opening_words=4)
            closes = role or bracketed or re.fullmatch(r"[ \t]*(?:[;(–—-].*|,[ \t]*(?:\p{Ll}.*|\p{Lu}{2,}.*)|\.?)", after) or (
                # a roster line: "Lachapelle, Peggy, Ash Mountain Subdistrict" (an office in title case)
                # (its office may name its parts: "Huang, Dmytro, Pentagon Police Department, Operations")
                not led and not before.strip() and re.fullmatch(
                    r",[ \t]*\p{Lu}[\p{L}.'’-]*(?:,?[ \t]+(?:\p{Lu}[\p{L}.'’-]*|of|and|for|the|[–—-]|[\d().+ -]{7,}))*[ \t]*", after))
            if not (opens and closes):
                continue
            # with a lead ("by", "cc:") or a role after it, the small model's place label (it calls
            # many unfamiliar surnames a GPE) does not outweigh the known given name
            if self._known_given(m.group("given")) and (led or listed or role or bracketed
                                                        or not self._is_place(doc, *m.span("surname"))):
                add(m.start(), m.end(), 0.72, f"{SURNAME_FIRST_RULE} '{m.group('given')}'",
                    ask_spacy=False)

        lines = list(re.finditer(r"^.*$", text, re.M))
        for i, line in enumerate(lines):
            m = self.lead_name.match(text, line.start(), line.end())
            if not m:
                continue
            rest = text[m.end("name"):line.end()].strip()
            prev = next((lines[j].group() for j in range(i - 1, max(i - 3, -1), -1) if lines[j].group().strip()), "")
            nxt = next((lines[j].group() for j in range(i + 1, min(i + 3, len(lines))) if lines[j].group().strip()), "")
            if not rest:
                # a heading over a paragraph ("All officers complete ...") is no signature block
                # nor one over a bullet or a sentence ("- The Director approved ...")
                first_next = (nxt.split() or [""])[0].lower()
                title_next = len(nxt.split()) <= SIGNATURE_LINE_WORDS and first_next not in STOP_WORDS \
                    and first_next not in ("-", "–", "•", "*")
                titled_next = title_next and self._is_role_line(nxt, opening_words=3)
                if self.closing.match(prev) or titled_next or \
                        self._is_contact_line(prev, agency=False) or self._is_contact_line(nxt):
                    # over a title line, a known given name outweighs the small model's place label
                    # ("Ines Choi" / "Det. Sgt., Criminal Investigation Bureau", read as a LOC)
                    sure = titled_next and self._known_given(m.group("name").split()[0])
                    add(m.start("name"), m.end("name"), 0.9, SIGNATURE_BLOCK_NAME, ask_spacy=not sure)
            elif self._is_role_line(rest.lstrip("(,–—-:. "), opening_words=8):
                add(m.start("name"), m.end("name"), 0.9, LIST_LINE_NAME)
        return [
            RecognizerResult(self.ENTITY, s, e, score, analysis_explanation=AnalysisExplanation(
                recognizer=self.name, original_score=score, textual_explanation=why))
            for (s, e), (score, why) in sorted(found.items())
        ]

    def _is_role_line(self, line: str, opening_words: int) -> bool:
        """A job-title or contact line: what follows a name in a signature or a list."""
        words = [w.strip("().,;:–—-").lower() for w in line.split()[:opening_words]]
        return any(w in self.roles for w in words) or bool(re.search(r"\d{3}[\s.-]\d{4}|@", line))

    def _is_contact_line(self, line: str, agency: bool = True) -> bool:
        """An agency, phone, e-mail or city-state-ZIP line, as around a name in a signature. A
        line of running text that mentions an agency is not one (a heading above a paragraph);
        agency=False asks for a phone, e-mail or address only (the line above a name)."""
        lowered = line.lower()
        return bool(re.search(r"\d{3}[\s.-]\d{4}|@|,\s*[A-Z]{2}\s+\d{5}\b", line)) or (
            agency and len(line.split()) <= SIGNATURE_LINE_WORDS
            and any(term in lowered for term in self.keep if len(term) > 4))

    def _header_names(self, text: str, body_start: int, body: str, add) -> None:
        """Names in a header value: "Last, First M" or "First Last" pieces, separated by
        ';' or ','; e-mail addresses in <>, brackets and quotes are blanked first."""
        for part in re.finditer(r"[^;]+", body):
            chunk, offset = part.group(), body_start + part.start()
            clean = re.sub(r"<[^>]*>|\[[^\]]*\]|\([^)]*\)|[\"“”]", lambda m: " " * len(m.group()), chunk)
            # "Kaczmarczyk, Dagny, Sergeant": surname first, then a rank or job title
            m = re.fullmatch(rf"\s*(?P<name>{LAST_FIRST})\s*(?:,\s*(?P<title>[^,]+))?", clean)
            if m and m.group("title") and not self._is_role_line(m.group("title"), opening_words=4):
                m = None
            if m:
                add(offset + m.start("name"), offset + m.end("name"), 0.9, "name in a header or routing line",
                    ask_spacy=False)
                continue
            after_role = False
            for piece in re.finditer(r"[^,]+", clean):
                m = self.header_piece.fullmatch(piece.group())
                if m and self._is_role_line(m.group("name"), opening_words=4):
                    m = None  # "Legal Instruments Examiner" is a job title, not a name
                if not m:
                    # after a person's job title come their office and city ("..., Supervisory
                    # Wildlife Inspector, Los Angeles"); another person opens on a given name
                    after_role = after_role or self._is_role_line(piece.group(), opening_words=4)
                    continue
                if after_role and m.group("name").split()[0].lower() not in self.given:
                    continue
                base = offset + piece.start()
                add(base + m.start("name"), base + m.end("name"), 0.9, "name in a header or routing line",
                    ask_spacy=False)


class DeaNumberRecognizer(PatternRecognizer):
    """A DEA registration number ("AW0295510"): the registrant's type letter, the initial of its
    name (or 9), six digits and a check digit. Read where a registration is spoken of, and kept
    only when the check digit holds, so a case or file number of the same shape is left alone."""

    CONTEXT = r"\b(?:DEA|[Rr]egist(?:ration|ered|rant)|[Pp]rescriber|[Pp]ractitioner|[Pp]harmacy)\b"

    def __init__(self, supported_language: str = "en"):
        pattern = Pattern("DEA registration number with a valid check digit",
                          rf"(?<={self.CONTEXT}[^.\n]{{0,60}}?)\b[ABCDEFGHJKLMPRSTUX][A-Z9]\d{{7}}\b", 0.85)
        super().__init__(supported_entity="ID_DOCUMENT_NUMBER", name="DeaNumberRecognizer",
                         patterns=[pattern], supported_language=supported_language)

    def validate_result(self, pattern_text: str) -> bool:
        d = [int(c) for c in pattern_text[2:]]
        return (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6]
