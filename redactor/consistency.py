"""Record-set consistency: a name or number withheld in one record is withheld wherever it
appears in the other records of the same request, short forms included ("Agent Lopez" in one
memo after "Maria Lopez" in another). Detection already does this within one document
(`detect._propagate`); this pass runs after every document of a set has been proposed.
"""
from __future__ import annotations

import regex as re

from .codes import boxes_for_span, union
from .models import Document, Proposal, ProposalSet

# What is carried from record to record: identities, not passages (a technique is judged in its
# own context) and not anything a reviewer rejected.
CARRIED = {"PERSON", "ALIAS", "PHONE_NUMBER", "EMAIL_ADDRESS", "US_SSN", "A_NUMBER", "CASE_NUMBER",
           "BADGE_NUMBER", "LICENSE_PLATE", "DATE_OF_BIRTH", "STREET_ADDRESS", "ID_DOCUMENT_NUMBER",
           "INTERNAL_SYSTEM", "INTERNAL_URL", "OPERATIONAL_SITE"}
RECOGNIZER = "RecordSetConsistency"


def _patterns(text: str, entity: str, titles: list[str]) -> list[tuple[re.Pattern, str]]:
    flexible = r"\s+".join(re.escape(part) for part in text.split())
    out = [(re.compile(rf"(?<![\w@.-]){flexible}(?![\w@-])"), "same string withheld in")]
    words = [w.strip(".,") for w in text.split() if len(w.strip(".,")) > 1]
    if entity == "PERSON" and len(words) >= 2 and len(words[-1]) >= 3:
        # the surname alone only after a title, where it cannot be someone's common word
        title_alt = "|".join(re.escape(t) for t in sorted(titles, key=len, reverse=True))
        out.append((re.compile(rf"(?<=\b(?:{title_alt})\.?\s+){re.escape(words[-1])}(?![\w-])"),
                    "surname, after a title, of a name withheld in"))
    return out


def is_carried(p: Proposal) -> bool:
    """Whether a proposal's string is carried to the other records of the set."""
    return p.entity in CARRIED and p.status != "rejected" and len(p.text) >= 3 and p.source == "auto"


def apply_record_set_consistency(items: list[tuple[Document, ProposalSet]], titles: list[str]) -> int:
    """Add a proposal for every occurrence, in any record of the set, of a string withheld in
    another record and not yet covered there. Returns how many were added."""
    withheld: dict[tuple[str, str], tuple[Proposal, str]] = {}
    for _, ps in items:
        for p in ps.proposals:
            if is_carried(p):
                withheld.setdefault((p.text, p.entity), (p, ps.doc))
    added = 0
    for document, ps in items:
        covered = {(p.page, p.start, p.end) for p in ps.proposals}
        spans = [(p.page, p.start, p.end) for p in ps.proposals if p.start is not None]
        for (text, entity), (origin, origin_doc) in withheld.items():
            if origin_doc == ps.doc:
                continue
            for pattern, why in _patterns(text, entity, titles):
                for page in document.pages:
                    for m in pattern.finditer(page.text):
                        if (page.number, m.start(), m.end()) in covered or any(
                                pg == page.number and s <= m.start() and m.end() <= e for pg, s, e in spans):
                            continue
                        boxes = boxes_for_span(page, m.start(), m.end())
                        if not boxes:
                            continue
                        added += 1
                        ps.proposals.append(Proposal(
                            id=f"p-{len(ps.proposals) + 1:04d}", page=page.number, text=m.group(),
                            bbox=union(boxes), boxes=boxes, codes=list(origin.codes), entity=entity,
                            score=origin.score, recognizer=RECOGNIZER, start=m.start(), end=m.end(),
                            warnings=list(origin.warnings),
                            rationale=f"{why} {origin_doc} ({origin.id}: {', '.join(origin.codes)}); "
                                      "the same information is treated the same way across the request"))
                        covered.add((page.number, m.start(), m.end()))
                        spans.append((page.number, m.start(), m.end()))
    return added
