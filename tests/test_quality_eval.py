"""The evaluation set (eval/) and its benchmark (benchmarks/quality.py): the gold agrees with the PDFs,
the build is deterministic, the scorer can fail, and the script runs on a small subset."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest

from conftest import ROOT

EVAL = ROOT / "eval"
sys.path.insert(0, str(ROOT / "benchmarks"))
import quality  # noqa: E402
import scoring  # noqa: E402
from redactor.load import sha256_of  # noqa: E402
from redactor.models import Proposal, ProposalSet  # noqa: E402

GOLD = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((EVAL / "gold").glob("*.json"))}
CODE = re.compile(r"^\(b\)\([1-9]\)(\([A-F]\))?$")
PERSONAL = {"law_enforcement": ["(b)(6)", "(b)(7)(C)"], "general": ["(b)(6)"]}


def _words_text(page: pymupdf.Page, boxes: list[list[float]]) -> str:
    """The word parts whose centre lies in a box. A PDF word may join a gold string to its neighbour
    ("Vesna's", "FPS-approved", "Angeles/Long", "5/10"): its parts are placed by their share of its width."""
    parts = []
    for x0, y0, x1, y1, word, *_ in page.get_text("words"):
        cy, per_char = (y0 + y1) / 2, (x1 - x0) / max(len(word), 1)
        for m in re.finditer(r"\w+", word):
            cx = x0 + per_char * (m.start() + m.end()) / 2
            if any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes):
                parts.append(m.group())
    return " ".join(parts)


def test_the_set_is_large_enough_and_split():
    splits = {s: [g for g in GOLD.values() if g["split"] == s] for s in ("dev", "heldout", "tune", "probe", "check", "field", "trial")}
    assert len(GOLD) >= 48 and sum(g["pages"] for g in GOLD.values()) >= 100
    assert 0.5 <= len(splits["dev"]) / (len(splits["dev"]) + len(splits["heldout"])) <= 0.7
    assert len(splits["tune"]) >= 18 and sum(g["pages"] for g in splits["tune"]) >= 45
    assert len(splits["probe"]) >= 20 and sum(g["pages"] for g in splits["probe"]) >= 60
    assert len(splits["check"]) >= 20 and sum(g["pages"] for g in splits["check"]) >= 60
    assert len(splits["field"]) >= 20 and sum(g["pages"] for g in splits["field"]) >= 60
    assert len(splits["trial"]) >= 24 and sum(g["pages"] for g in splits["trial"]) >= 66
    for docs in splits.values():
        assert {g["genre"] for g in docs} >= {"memo", "issue_brief", "concept_paper", "slides", "email", "letter",
                                              "press", "stat_report"}
        assert {g["record_context"] for g in docs} == {"law_enforcement", "general", "public"}
        kinds = {w["kind"] for g in docs for w in g["withhold"]}
        assert kinds >= {"person", "phone", "email", "id", "location", "technique", "statistic", "deliberative",
                         "other"}
    legacy = [g for g in GOLD.values() if g["legacy_b2"]]
    assert 0 < len(legacy) < len(GOLD) / 5


def test_heldout_shares_no_wording_or_values_with_dev():
    def texts(split, kinds):
        # a statistic's gold is its figure; its wording is the sentence kept as `context`
        return {w.get("context", w["text"]) for g in GOLD.values() if g["split"] == split
                for w in g["withhold"] if w["kind"] in kinds}
    for kinds in ({"technique", "statistic", "deliberative"}, {"person", "other"}):
        assert not texts("dev", kinds) & texts("heldout", kinds)


@pytest.mark.parametrize("split, others", [("tune", ("dev", "heldout")), ("probe", ("dev", "heldout", "tune")),
                                           ("check", ("dev", "heldout", "tune", "probe")),
                                           ("field", ("dev", "heldout", "tune", "probe", "check")),
                                           ("trial", ("dev", "heldout", "tune", "probe", "check", "field"))])
def test_later_splits_share_no_wording_or_values_with_earlier_ones(split, others):
    # tune, probe and then check were written independently of the splits before them; only the shared
    # texts (the later split's own wording) are reported
    def texts(split, kinds):
        return {w.get("context", w["text"]) for g in GOLD.values() if g["split"] == split
                for w in g["withhold"] if w["kind"] in kinds}
    for kinds in ({"technique", "statistic", "deliberative"}, {"person", "other", "location"}):
        mine = texts(split, kinds)
        assert mine
        for other in others:
            shared = sorted(mine & texts(other, kinds))
            # a table cell of two words ("2 teams", "3 inspectors") is no one's wording
            shared = [t for t in shared if not (kinds != {"person", "other", "location"} and len(t.split()) <= 2)]
            assert not shared, f"{split} shares {len(shared)} withheld texts with {other}: {shared[:5]}"


@pytest.mark.parametrize("name", sorted(GOLD))
def test_gold_agrees_with_its_pdf(name):
    gold = GOLD[name]
    pdf = pymupdf.open(EVAL / gold["doc"])
    assert pdf.page_count == gold["pages"] and gold["split"] in name
    if gold["record_context"] == "public":
        assert gold["withhold"] == []
    for item in gold["withhold"]:
        assert item["occurrences"] and all(CODE.match(c) for c in item["codes"]), item
        if item["kind"] in {"person", "phone", "email", "id"}:
            assert item["codes"] == PERSONAL[gold["record_context"]], item
        if item["kind"] == "deliberative":
            assert item["codes"] == ["(b)(5)"]
    for item in [*gold["withhold"], *gold["keep"]]:
        for occ in item["occurrences"]:
            page = pdf[occ["page"]]
            for box in occ["boxes"]:
                assert pymupdf.Rect(box) in page.rect and pymupdf.Rect(box).get_area() > 0, (item["text"], box)
        # the words under each occurrence's boxes are words of the gold text (a part, when a page break
        # splits it), and together they spell every word of it
        want = set(re.findall(r"\w+", item["text"]))
        seen = set()
        for occ in item["occurrences"]:
            got = set(re.findall(r"\w+", _words_text(pdf[occ["page"]], occ["boxes"])))
            assert got and got <= want, (item["text"], occ, got - want)
            seen |= got
        assert seen == want, (item["text"], want - seen)
    for keep in gold["keep"]:  # no kept occurrence overlaps a withheld one
        for k in keep["occurrences"]:
            for item in gold["withhold"]:
                for w in item["occurrences"]:
                    if w["page"] == k["page"]:
                        assert not scoring.touches(k["boxes"], w["boxes"]), (keep["text"], item["text"])


def test_rebuilding_gives_the_same_text_and_gold(tmp_path):
    ids = ["dev-email-02", "heldout-issue_brief-01", "tune-email-03", "probe-email-02", "check-email-02", "field-email-01",
           "trial-cad-01"]
    r = subprocess.run([sys.executable, str(EVAL / "build.py"), "--out", str(tmp_path), *ids],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    for doc_id in ids:
        assert json.loads((tmp_path / "gold" / f"{doc_id}.json").read_text()) == GOLD[doc_id]
        fresh, committed = pymupdf.open(tmp_path / "pdf" / f"{doc_id}.pdf"), pymupdf.open(EVAL / "pdf" / f"{doc_id}.pdf")
        assert [p.get_text() for p in fresh] == [p.get_text() for p in committed]


def _proposals_from(gold: dict, shift: float = 0.0, codes: list[str] | None = None) -> ProposalSet:
    props = []
    for item in gold["withhold"]:
        for occ in item["occurrences"]:
            boxes = [[b[0] + shift, b[1], b[2] + shift, b[3]] for b in occ["boxes"]]
            props.append(Proposal(id=f"p-{len(props) + 1:04d}", page=occ["page"], text=item["text"],
                                  bbox=boxes[0], boxes=boxes, codes=codes or item["codes"], entity="GOLD",
                                  score=1.0, rationale="test"))
    return ProposalSet(doc=gold["doc"], source_sha256=sha256_of(EVAL / gold["doc"]), code_set="foia",
                       record_context=gold["record_context"], proposals=props)


def test_scorer_gives_full_marks_to_the_gold_itself_and_can_fail():
    gold = GOLD["dev-letter-01"]
    pdf = EVAL / gold["doc"]
    perfect = quality.score_document(gold, pdf, _proposals_from(gold))
    assert perfect["found"] == perfect["gold"] == perfect["code_ok"] > 0
    assert perfect["right"] == perfect["proposals"] and perfect["over"] == 0 and perfect["leaks"] == 0
    # boxes a third of a word to the right: misses, wrong proposals; wrong codes: code errors
    shifted = quality.score_document(gold, pdf, _proposals_from(gold, shift=25.0))
    assert shifted["found"] < shifted["gold"] and shifted["right"] < shifted["proposals"]
    wrong_codes = quality.score_document(gold, pdf, _proposals_from(gold, codes=["(b)(5)"]))
    assert wrong_codes["found"] == wrong_codes["gold"] and wrong_codes["code_ok"] == 0


def test_a_span_left_under_its_box_is_a_leak():
    gold = GOLD["dev-letter-01"]
    item = next(w for w in gold["withhold"] if w["kind"] == "person")
    units = [{"text": item["text"], "kind": "person", "codes": item["codes"], "found": True, **occ}
             for occ in item["occurrences"]]
    r = {"leaks": 0, "leak_list": [], "apply_error": None}
    empty = ProposalSet(doc=gold["doc"], source_sha256=sha256_of(EVAL / gold["doc"]), code_set="foia", record_context="law_enforcement",
                        proposals=[])
    quality._leaks(r, units, EVAL / gold["doc"], empty)  # nothing applied: every "found" span is still there
    assert r["apply_error"] is None and r["leaks"] == len(units) > 0


def test_union_area_and_coverage():
    assert scoring.union_area([[0, 0, 10, 10], [5, 5, 15, 15]]) == pytest.approx(175)
    assert scoring.coverage([0, 0, 10, 10], [[0, 0, 5, 10], [4, 0, 9, 10]]) == pytest.approx(0.9)
    assert scoring.share_inside([[0, 0, 10, 10]], [[5, 0, 20, 10]]) == pytest.approx(0.5)
    assert not scoring.touches([[0, 0, 10, 10]], [[0, 9, 10, 19]])  # neighbouring lines' edges overlap only


def test_quality_script_runs_on_a_subset_of_each_split(tmp_path):
    out = tmp_path / "q.json"
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "quality.py"), "--split", "all", "--limit", "2",
                        "--json", str(out)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert summary["engine"] == "redactor" and summary["documents"] == 4
    assert set(summary["splits"]) == {"dev", "heldout"}
    for s in summary["splits"].values():
        assert {"recall", "precision", "over_redactions", "over_redaction_rate", "code_accuracy", "leaks",
                "press_release_proposals", "recall_by_kind", "recall_personal", "recall_content"} <= set(s)
        assert s["press_releases"] == 1 and s["documents"] == 2
        assert all(0 <= s[k] <= 1 for k in ("recall", "precision", "code_accuracy"))
    assert summary["leaks"] == 0
    detail = json.loads(out.read_text())
    assert len(detail["documents"]) == 4 and "== heldout" in r.stdout and "== dev" in r.stdout


def test_split_all_means_dev_and_heldout_and_tune_runs_alone():
    assert quality.ALL == ("dev", "heldout") and {"tune", "probe", "check", "field", "trial"} <= set(quality.SPLITS)
    picked = quality.select("tune", None, 2)
    assert len(picked) == 2 and {g["split"] for g in picked} == {"tune"}
    assert {g["genre"] for g in picked} == {"memo", "press"}  # genres interleaved as for the other splits
