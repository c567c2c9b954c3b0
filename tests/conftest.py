"""Shared fixtures: a small knowledge directory, and its built index."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from indexer.build import build_index
from indexer.search import SearchIndex

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_KNOWLEDGE = ROOT / "knowledge"

GOOD_PAGE = """\
---
title: "MyCSP: a mutual joint venture"
summary: The pensions administrator that spun out.
as_of: 2014-04-30
tags: [mycsp, pensions]
contact: the mutuals team (mutuals@example.org)
sources:
  - title: Example source
    url: https://example.org/mycsp
  - title: Announcement
    url: https://example.org/announcement
---
## What MyCSP does
MyCSP administers the civil service pension schemes. It was the first large spin out.

Sources: 2; as of 2011-04-12

## Who owns MyCSP
Employees, the government and a private partner own MyCSP together.
"""

PATHFINDERS_HEADER = (
    "id,name,wave,description,place,sector,intended_form,outcome,outcome_date,as_of,sources\n"
)
PATHFINDER_ROW = (
    'swindon,SEQOL (Swindon),first,"Community health and adult social care, integrated",'
    "Swindon,health,cooperative,Became SEQOL,2011,2012-10-01,Example <https://example.org/s>\n"
)
SYNONYMS = "groups:\n  - [mycsp, my civil service pension]\n  - [cic, community interest company]\n"


def write_knowledge(root: Path, pages: dict[str, str] | None = None, pathfinders: str | None = None,
                    synonyms: str | None = None) -> Path:  # fmt: skip
    """Write a knowledge directory under `root`; defaults are a small valid one."""
    (root / "guidance").mkdir(parents=True, exist_ok=True)
    for name, text in (pages if pages is not None else {"mycsp.md": GOOD_PAGE}).items():
        (root / "guidance" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    rows = pathfinders if pathfinders is not None else PATHFINDERS_HEADER + PATHFINDER_ROW
    (root / "pathfinders.csv").write_text(rows, encoding="utf-8")
    (root / "synonyms.yaml").write_text(synonyms if synonyms is not None else SYNONYMS, "utf-8")
    return root


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    return write_knowledge(tmp_path / "knowledge")


@pytest.fixture(scope="session")
def shipped_index_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("index") / "index.sqlite3"
    build_index(SHIPPED_KNOWLEDGE, path)
    return path


@pytest.fixture(scope="session")
def shipped_index(shipped_index_path: Path) -> SearchIndex:
    return SearchIndex.load(shipped_index_path)
