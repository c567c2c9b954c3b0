"""A bad index (missing, truncated, from an older analyser, not SQLite at all) or a bad data file
at start-up: the index is rebuilt, or `mutuals serve` stops with one clear line and exit 1,
never a bare stack trace for a supervisor to restart into forever."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import write_knowledge
from fakeslack import FakeSlack
from serve_process import free_port, run_mutuals, serve_env, serving, status
from slack_harness import PAGES, slack_settings

from bot.answers.compose import answer_question
from bot.data.schema import MIGRATIONS
from bot.server import load_services
from bot.settings import Settings
from indexer.build import build_index
from indexer.search import SearchIndex, read_meta

pytest_plugins = ["slack_fixtures"]


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _damaged_middle(path: Path) -> None:
    """Bytes n/3..n/2 overwritten: the header and meta still read (read_meta passes)."""
    data = bytearray(path.read_bytes())
    n = len(data)
    data[n // 3 : n // 2] = b"\xa5" * (n // 2 - n // 3)
    path.write_bytes(bytes(data))
    read_meta(path)


def _older_analyser(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("update meta set value = '0' where key = 'analyser_version'")
    conn.close()


def _garbage(path: Path) -> None:
    path.write_bytes(b"this is not an index\n" * 300)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _missing(path: Path) -> None:
    path.unlink()


DAMAGE: dict[str, Callable[[Path], None]] = {
    "missing": _missing,
    "truncated": _truncate,
    "damaged-middle": _damaged_middle,
    "older-analyser": _older_analyser,
    "not-sqlite": _garbage,
    "empty": _empty,
}


@pytest.fixture
def settings(fake_slack: FakeSlack, tmp_path: Path) -> Settings:
    """Good knowledge with a built index, and a data path not created yet."""
    knowledge = write_knowledge(tmp_path / "knowledge", pages=PAGES)
    index_path = tmp_path / "var" / "index.sqlite3"
    build_index(knowledge, index_path)
    base = slack_settings(fake_slack, tmp_path, index_path)
    return replace(base, knowledge_dir=knowledge, data_path=tmp_path / "var" / "data.sqlite3")


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_bad_index_is_rebuilt_at_start_up(settings: Settings, damage: Callable) -> None:
    damage(settings.index_path)
    services = load_services(settings)
    try:
        assert answer_question(services.index, "Who owns MyCSP?").answered
        assert read_meta(settings.index_path)["passages"] == str(services.index.info.passages)
    finally:
        services.data.close()


def _env(settings: Settings, port: int | None = None) -> dict[str, str]:
    return serve_env(
        SLACK_BOT_TOKEN=settings.bot_token, SLACK_SIGNING_SECRET=settings.signing_secret,
        SLACK_API_URL=settings.api_url, MUTUALS_KNOWLEDGE_DIR=str(settings.knowledge_dir),
        MUTUALS_INDEX_PATH=str(settings.index_path), MUTUALS_DATA_PATH=str(settings.data_path),
        PORT=str(port or free_port()),
    )  # fmt: skip


def test_the_real_serve_rebuilds_a_truncated_index_and_serves(
    settings: Settings, tmp_path: Path
) -> None:
    _truncate(settings.index_path)
    port = free_port()
    with serving(["--http"], _env(settings, port), tmp_path, port) as child:
        assert status(f"http://127.0.0.1:{port}/healthz") == 200
        assert child.poll() is None
    assert SearchIndex.load(settings.index_path).info.passages > 0


def assert_clean_exit(result: object, *expected: str) -> str:
    """Exit status 1, no traceback, and the last line names the problem; that line."""
    code, err = result.returncode, result.stderr  # type: ignore[attr-defined]
    assert code == 1, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    last = err.strip().splitlines()[-1]
    assert last.startswith("Error: "), err[-3000:]
    for text in expected:
        assert text in err, err[-3000:]
    return str(last)


BROKEN_PAGE = "---\ntitle: [unclosed\n---\n## A section\nText.\n"


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_broken_knowledge_and_no_usable_index_stops_with_the_problems(
    settings: Settings, tmp_path: Path, damage: Callable
) -> None:
    (settings.knowledge_dir / "guidance" / "broken.md").write_text(BROKEN_PAGE, "utf-8")
    damage(settings.index_path)
    result = run_mutuals(["serve", "--http"], _env(settings), tmp_path)
    assert_clean_exit(result, "broken.md", "the knowledge has problems")


def test_a_missing_knowledge_dir_and_no_index_stops_with_a_message(
    settings: Settings, tmp_path: Path
) -> None:
    settings.index_path.unlink()
    env = _env(settings)
    env["MUTUALS_KNOWLEDGE_DIR"] = str(tmp_path / "no-such-knowledge")
    assert_clean_exit(run_mutuals(["serve", "--http"], env, tmp_path), "no-such-knowledge")


def test_an_index_path_that_is_a_directory_stops_with_a_message(
    settings: Settings, tmp_path: Path
) -> None:
    env = _env(settings)
    env["MUTUALS_INDEX_PATH"] = str(tmp_path)
    assert_clean_exit(run_mutuals(["serve", "--http"], env, tmp_path), str(tmp_path))


def test_a_corrupt_data_file_stops_with_a_message(settings: Settings, tmp_path: Path) -> None:
    settings.data_path.parent.mkdir(parents=True, exist_ok=True)
    settings.data_path.write_bytes(b"not a database\n" * 300)
    result = run_mutuals(["serve", "--http"], _env(settings), tmp_path)
    assert_clean_exit(result, str(settings.data_path))


def test_a_data_file_from_newer_code_stops_with_a_message(
    settings: Settings, tmp_path: Path
) -> None:
    settings.data_path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(settings.data_path) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    result = run_mutuals(["serve", "--http"], _env(settings), tmp_path)
    assert_clean_exit(result, "newer")
