"""`mutuals ask` and `mutuals chat`: the command-line answers and their JSON contract."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from bot.cli import main
from tests.conftest import SHIPPED_KNOWLEDGE

KEYS = ["question", "answered", "answer", "sources", "passages", "took_ms"]
PASSAGE_KEYS = ["id", "doc_id", "title", "section", "text", "url", "as_of", "score"]


def ask(index: Path, *args: str, knowledge: Path = SHIPPED_KNOWLEDGE) -> Result:
    argv = ["ask", "--knowledge", str(knowledge), "--index", str(index), *args]
    return CliRunner().invoke(main, argv, catch_exceptions=False)


def test_json_contract_one_line_per_question(tmp_path: Path) -> None:
    result = ask(tmp_path / "i.sqlite3", "--json", "--k", "2",
                 "Who was MyCSP's private partner?", "travel expenses to Swindon")  # fmt: skip
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert list(first) == KEYS
    assert first["question"] == "Who was MyCSP's private partner?"
    assert first["answered"] is True
    assert "Equiniti" in first["answer"]
    assert "(As of " in first["answer"]
    assert first["sources"] and all(s["url"].startswith("http") for s in first["sources"])
    assert list(first["sources"][0]) == ["title", "url"]
    assert 1 <= len(first["passages"]) <= 2
    assert list(first["passages"][0]) == PASSAGE_KEYS
    assert first["passages"][0]["doc_id"] == "mycsp"
    assert isinstance(first["took_ms"], float)
    assert second["answered"] is False
    assert second["sources"] == []
    assert "rephras" in second["answer"]


def test_missing_index_is_built_with_a_note(tmp_path: Path) -> None:
    result = ask(tmp_path / "i.sqlite3", "What does MyCSP do?")
    assert result.exit_code == 0
    assert "note: index built" in result.stderr
    assert "note" not in result.stdout
    again = ask(tmp_path / "i.sqlite3", "What does MyCSP do?")
    assert again.stderr == ""


def test_human_output_has_answer_then_sources(tmp_path: Path) -> None:
    out = ask(tmp_path / "i.sqlite3", "What is MyCSP?").stdout
    assert out.index("Civil Service pension") < out.index("Sources (as of") < out.index("http")


def test_broken_knowledge_is_a_clean_error(knowledge_dir: Path, tmp_path: Path) -> None:
    (knowledge_dir / "guidance" / "bad.md").write_text("---\ntitle: x\n---\n## A\ntext\n")
    result = ask(tmp_path / "i.sqlite3", "anything", knowledge=knowledge_dir)
    assert result.exit_code == 1
    assert "guidance/bad.md:1: no sources" in result.output
    assert "Traceback" not in result.output


def test_chat_answers_until_an_empty_line(tmp_path: Path) -> None:
    argv = ["chat", "--knowledge", str(SHIPPED_KNOWLEDGE), "--index", str(tmp_path / "i.sqlite3")]
    result = CliRunner().invoke(main, argv, input="who was MyCSP's private partner?\n\n")
    assert result.exit_code == 0
    assert "Equiniti" in result.stdout
