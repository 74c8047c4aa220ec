"""The proposed capability dependencies (tests/core/data/mnr-2016-depends-on.yaml), merged into
a copy of the shipped edition, which does not declare any yet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mnr.core.framework import Edition, edition_from_document, read_document, shipped_edition_paths

PROPOSAL_PATH = Path(__file__).resolve().parent / "core" / "data" / "mnr-2016-depends-on.yaml"


def proposed_dependencies() -> dict[str, list[dict[str, Any]]]:
    """Capability id -> its proposed ``depends_on`` entries, as the file has them."""
    proposal = yaml.safe_load(PROPOSAL_PATH.read_text("utf-8"))
    assert proposal["edition"] == "mnr-2016"
    depends_on: dict[str, list[dict[str, Any]]] = proposal["depends_on"]
    return depends_on


def document_with_proposed_dependencies() -> dict[str, Any]:
    document = read_document(shipped_edition_paths()[0])
    proposal = proposed_dependencies()
    for domain in document["domains"]:
        for capability in domain["capabilities"]:
            if proposal[capability["id"]]:
                capability["depends_on"] = proposal[capability["id"]]
    return document


def edition_with_proposed_dependencies() -> Edition:
    return edition_from_document(document_with_proposed_dependencies(), source=str(PROPOSAL_PATH))
