"""Stage 4, the proposals JSON contract (DESIGN.md): read, validate, write."""
from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from .errors import BadInputError
from .fileio import write_text_atomic
from .models import ProposalSet

SCHEMA_FILE = Path(__file__).parent / "data" / "proposals.schema.json"


def write_proposals(proposal_set: ProposalSet, path: str | Path, extra: dict | None = None) -> None:
    data = proposal_set.model_dump(mode="json")
    if extra:
        data.update(extra)
    write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def read_proposals(path: str | Path) -> ProposalSet:
    p = Path(path)
    if not p.is_file():
        raise BadInputError(p, "proposals file not found")
    try:
        return ProposalSet.model_validate_json(p.read_text(encoding="utf-8"))
    except ValidationError as exc:
        first = exc.errors()[0]
        if first["type"] == "json_invalid":
            raise BadInputError(p, f"not valid JSON ({first['msg']})") from None
        where = ".".join(str(x) for x in first["loc"])
        raise BadInputError(p, f"not a valid proposals file ({where}: {first['msg']})") from None
