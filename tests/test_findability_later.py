"""Every actionable fact of the 2016-2025 sheet is findable: its passage is in the top 3.

The questions in tests/eval/later-findability.jsonl were written from the fact sheet, one per
fact, by someone who had not seen the passages; `passages` labels where the knowledge holds it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.search import SearchIndex

QUESTIONS = Path(__file__).resolve().parent / "eval" / "later-findability.jsonl"
ROWS = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line]


def test_every_question_is_labelled_with_real_passages(shipped_index: SearchIndex) -> None:
    ids = {p.id for p in shipped_index.passages}
    assert len(ROWS) >= 100
    for row in ROWS:
        assert row["passages"] and set(row["passages"]) <= ids, row["fact_id"]


@pytest.mark.parametrize("row", ROWS, ids=[r["fact_id"] for r in ROWS])
def test_the_fact_is_in_the_top_3(shipped_index: SearchIndex, row: dict) -> None:
    top = [hit.passage.id for hit in shipped_index.search(row["question"], k=3)]
    assert set(top) & set(row["passages"]), (row["question"], top)
