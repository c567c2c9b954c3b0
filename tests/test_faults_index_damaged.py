"""An index file damaged in the middle (bytes n/3..n/2 overwritten, so `read_meta` still
passes) is rebuilt by `ensure_index` (start-up) and by `mutuals ask`; a running server keeps
its old index when the file is replaced by a damaged one. Start-up is covered by
test_faults_index_startup.py's "damaged-middle" case."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner
from conftest import write_knowledge
from slack_harness import PAGES
from test_faults_index_startup import _damaged_middle

from bot.cli import main
from indexer.build import build_index, ensure_index, index_is_current, index_is_sound
from indexer.live import LiveIndex
from indexer.search import SearchIndex


def _built(tmp_path: Path) -> tuple[Path, Path]:
    knowledge = write_knowledge(tmp_path / "knowledge", pages=PAGES)
    index = tmp_path / "index.sqlite3"
    build_index(knowledge, index)
    return knowledge, index


def test_a_damaged_index_is_not_current_and_is_rebuilt(tmp_path: Path) -> None:
    knowledge, index = _built(tmp_path)
    assert index_is_sound(index)
    _damaged_middle(index)
    assert not index_is_sound(index) and not index_is_current(knowledge, index)
    assert ensure_index(knowledge, index) is not None
    assert index_is_current(knowledge, index)
    assert SearchIndex.load(index).info.passages > 0


def test_mutuals_ask_rebuilds_a_damaged_index(tmp_path: Path) -> None:
    knowledge, index = _built(tmp_path)
    _damaged_middle(index)
    result = CliRunner().invoke(
        main, ["ask", "--json", "--knowledge", str(knowledge), "--index", str(index),
              "Who owns MyCSP?"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["answered"] and "private partner" in answer["answer"]


def test_the_live_index_keeps_serving_when_replaced_by_a_damaged_file(tmp_path: Path) -> None:
    knowledge, index = _built(tmp_path)
    live = LiveIndex.open(index, knowledge, check_interval=0)
    old = live.current().info.build_id
    replacement = tmp_path / "new.sqlite3"
    build_index(knowledge, replacement)
    _damaged_middle(replacement)
    os.replace(replacement, index)
    assert live.current().info.build_id == old
    assert live.current().info.build_id == old  # and again, without reloading it each time
