"""The knowledge is in its own words: under 3% of its 10-word runs occur in the sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from indexer.overlap import ngrams, overlap
from tests.conftest import ROOT, SHIPPED_KNOWLEDGE, write_knowledge

# The sources sit beside the checkout on the team's machines; CI checks out the repo alone.
SOURCES = ROOT.parent / "shared" / "sources"

COPIED = "MyCSP administers the civil service pension schemes. It was the first large spin out."


def run_check(knowledge: Path, sources: Path) -> tuple[int, str]:
    args = ["check", "--knowledge", str(knowledge), "--sources", str(sources)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result.exit_code, result.output


def test_runs_are_lower_cased_ten_word_windows() -> None:
    grams = list(ngrams("One two three four five six seven eight nine TEN eleven"))
    first = tuple("one two three four five six seven eight nine ten".split())
    second = tuple("two three four five six seven eight nine ten eleven".split())
    assert grams == [first, second]
    assert list(ngrams("too short to have a run")) == []


def test_share_counts_the_knowledge_runs_found_in_the_sources() -> None:
    text = "a b c d e f g h i j k l"  # 3 runs
    assert overlap([text], ["x a b c d e f g h i j y"]).share == pytest.approx(1 / 3)
    assert overlap([text], ["nothing in common here at all, not one run of ten"]).shared == 0


def test_check_fails_when_a_passage_is_copied_from_a_source(tmp_path: Path) -> None:
    knowledge = write_knowledge(tmp_path / "k")  # its first section is COPIED, word for word
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "facts.md").write_text(f"Notes. {COPIED} More notes.\n", encoding="utf-8")
    code, output = run_check(knowledge, sources)
    assert code == 1
    assert "too much copied" in output and "limit is 3%" in output


def test_check_passes_when_the_sources_are_paraphrased(tmp_path: Path) -> None:
    knowledge = write_knowledge(tmp_path / "k")
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "facts.md").write_text("The pensions body for civil servants spun out.\n", "utf-8")
    code, output = run_check(knowledge, sources)
    assert code == 0
    assert "ok: 0.00% of the knowledge's 10-word runs" in output


@pytest.mark.skipif(not SOURCES.is_dir(), reason="../shared/sources is not beside this checkout")
def test_the_shipped_knowledge_is_in_its_own_words() -> None:
    code, output = run_check(SHIPPED_KNOWLEDGE, SOURCES)
    assert code == 0, output
