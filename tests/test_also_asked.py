"""`Also asked:` lines: the other ways people ask what a section answers, searched, never shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.answers.compose import answer_question
from bot.cli import main
from indexer.build import build_index
from indexer.chunk import passages
from indexer.corpus import passage_tokens
from indexer.knowledge import Knowledge, load_knowledge
from indexer.search import SearchIndex
from tests.conftest import SHIPPED_KNOWLEDGE, write_knowledge

PAGE = """\
---
title: Support programmes
as_of: 2018-01-12
sources:
  - title: Programme page
    url: https://example.org/programme
---
## What was the second support programme?
The second support programme was announced on 12 January 2018 with up to £1.7m of funding.
Its advice was delivered by two consortia of suppliers, GoMutual and Mutual Ventures.

Also asked: which firms ran msp2? | who were the msp2 suppliers?
Sources: 1; as of 2018-01-12

## Who could apply to the second support programme?
Organisations based in England that met the definition of a public service mutual could apply.
"""


@pytest.fixture
def kb(tmp_path: Path) -> Knowledge:
    return load_knowledge(write_knowledge(tmp_path / "k", pages={"programmes.md": PAGE}))


@pytest.fixture
def index(tmp_path: Path) -> SearchIndex:
    root = write_knowledge(tmp_path / "k", pages={"programmes.md": PAGE})
    build_index(root, tmp_path / "index.sqlite3")
    return SearchIndex.load(tmp_path / "index.sqlite3")


def test_the_questions_are_read_into_the_passage_and_left_out_of_its_text(kb: Knowledge) -> None:
    first = passages(kb)[0]
    assert first.asked == ("which firms ran msp2?", "who were the msp2 suppliers?")
    assert "Also asked" not in first.text and "msp2" not in first.text
    assert passages(kb)[1].asked == ()


def test_the_questions_are_indexed_with_the_passage(kb: Knowledge) -> None:
    from indexer.analyse import Analyser

    tokens = passage_tokens(Analyser(kb.synonyms), passages(kb)[0])
    assert "msp2" in tokens and "firm" in tokens


def test_a_question_worded_as_also_asked_finds_the_passage_and_never_sees_the_line(
    index: SearchIndex,
) -> None:
    answer = answer_question(index, "which firms ran msp2")
    assert answer.hits[0].passage.id == "programmes#what-was-the-second-support-programme"
    assert answer.hits[0].passage.asked  # kept in the index, for re-ranking
    for hit in answer.hits:
        assert "Also asked" not in hit.passage.text
    assert "which firms" not in answer.text and "|" not in answer.text


def run_check(tmp_path: Path, line: str) -> str:
    page = PAGE.replace("Also asked: which firms ran msp2? | who were the msp2 suppliers?", line)
    root = write_knowledge(tmp_path / "bad", pages={"programmes.md": page})
    result = CliRunner().invoke(main, ["check", "--knowledge", str(root)], catch_exceptions=False)
    return f"exit {result.exit_code}\n{result.output}"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            "Also asked: which firms ran msp2? |",
            "'Also asked' questions read 'q1? | q2?', none empty",
        ),
        ("Also asked:", "'Also asked' questions read 'q1? | q2?', none empty"),
        ("Also asked: " + "why " * 60 + "?", "an 'Also asked' question is over 200 characters"),
    ],
)
def test_a_malformed_also_asked_line_is_an_error_on_its_line(
    tmp_path: Path, line: str, reason: str
) -> None:
    output = run_check(tmp_path, line)
    assert output.startswith("exit 1")
    assert f"guidance/programmes.md:12: {reason}" in output


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (  # another section's heading, in other case and without its question mark
            "Also asked: which firms ran msp2? | who could apply to the second support programme",
            "guidance/programmes.md:12: 'Also asked' 'who could apply to the second support "
            "programme' is asked of another section too (guidance/programmes.md:15)",
        ),
        (  # another page's `Also asked` question: the later one is the error
            "Also asked: which firms ran msp2? | Who chaired the taskforce?",
            "guidance/taskforce.md:11: 'Also asked' 'who chaired the taskforce?' is asked of "
            "another section too (guidance/programmes.md:8)",
        ),
    ],
)
def test_a_question_asked_of_two_sections_is_an_error_naming_the_other(
    tmp_path: Path, line: str, error: str
) -> None:
    other = PAGE.split("## What was")[0] + (
        "## Who led the taskforce?\nThe taskforce was chaired by Julian Le Grand.\n\n"
        "Also asked: who chaired the taskforce?\n"
    )
    page = PAGE.replace("Also asked: which firms ran msp2? | who were the msp2 suppliers?", line)
    root = write_knowledge(tmp_path / "bad", pages={"programmes.md": page, "taskforce.md": other})
    result = CliRunner().invoke(main, ["check", "--knowledge", str(root)], catch_exceptions=False)
    assert result.exit_code == 1
    assert error in result.output


def test_the_shipped_knowledge_asks_each_question_once_and_never_shows_one() -> None:
    kb = load_knowledge(SHIPPED_KNOWLEDGE)
    seen: dict[str, tuple[str, str]] = {}
    for p in passages(kb):
        assert "Also asked:" not in p.text, p.id
        for question in p.asked:
            assert 0 < len(question) <= 200, p.id
            section = (p.doc_id, p.section)  # a long section's parts share its questions
            assert seen.setdefault(question.casefold(), section) == section, question
    assert sum(bool(p.asked) for p in passages(kb)) >= 200
