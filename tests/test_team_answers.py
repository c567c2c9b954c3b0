"""Team answers become knowledge: every build adds them as passages with their own source and
date; after a reindex one answers its question and its paraphrases; a broken one is reported,
not served; the CLI lists, exports (as a knowledge page) and retires them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SHIPPED_KNOWLEDGE

from bot.admin import service as admin_service
from bot.admin.blocks import gaps_message, reindex_result_message
from bot.answers.compose import answer_question
from bot.cli import enquiries as cli_enquiries
from bot.cli import main
from bot.data.db import DataStore, open_data
from bot.data.usage import log_question
from bot.enquiries import store
from bot.enquiries.team_answers import (
    DOC_ID,
    SOURCE,
    NewTeamAnswer,
    add_team_answer,
    list_team_answers,
    team_passages,
)
from bot.services import Services
from bot.settings import Settings
from indexer.build import build_index, ensure_index
from indexer.live import LiveIndex
from indexer.model import Problem
from indexer.pages import load_page
from indexer.search import SearchIndex

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
QUESTION = "Can a mutual bid for UK Shared Prosperity Fund money?"
PARAPHRASES = (
    "Is a public service mutual eligible for Shared Prosperity Fund funding?",
    "shared prosperity fund - can mutuals apply?",
)
ANSWER = (
    "Yes. A mutual that is a legal entity can apply to its lead local authority for UK Shared "
    "Prosperity Fund money, as other voluntary and community sector organisations can. Each "
    "authority's investment plan sets who is eligible and for what."
)


def team_answer(question: str = QUESTION, answer: str = ANSWER, url: str = "") -> NewTeamAnswer:
    title = "GOV.UK: UKSPF prospectus" if url else ""
    return NewTeamAnswer(question, answer, title, url, dt.date(2026, 3, 2), "U0TEAMER1", 1)


@pytest.fixture
def data(tmp_path: Path) -> Iterator[DataStore]:
    with DataStore(tmp_path / "data.sqlite3") as store_:
        yield store_


def test_a_team_answer_is_top_for_its_question_and_paraphrases_after_a_reindex(
    data: DataStore, tmp_path: Path
) -> None:
    index_path = tmp_path / "index.sqlite3"
    live = LiveIndex.open(index_path, SHIPPED_KNOWLEDGE, extra=lambda: team_passages(data))
    assert not answer_question(live.current(), QUESTION).answered  # a gap, before
    add_team_answer(data, team_answer(url="https://www.gov.uk/ukspf"), NOW)
    report = live.reindex()
    assert DOC_ID in report.added and report.left_out == []
    for asked in (QUESTION, *PARAPHRASES):
        answer = answer_question(live.current(), asked)
        assert answer.answered, asked
        assert answer.hits[0].passage.doc_id == DOC_ID, asked
        assert answer.sources[0].title == SOURCE and answer.as_of == "2026-03-02"
        assert answer.sources[1].url == "https://www.gov.uk/ukspf"
        assert "lead local authority" in answer.text


def test_a_new_team_answer_makes_the_index_stale(data: DataStore, tmp_path: Path) -> None:
    index_path = tmp_path / "index.sqlite3"
    source = lambda: team_passages(data)  # noqa: E731
    assert ensure_index(SHIPPED_KNOWLEDGE, index_path, source) is not None
    assert ensure_index(SHIPPED_KNOWLEDGE, index_path, source) is None
    before = SearchIndex.load(index_path).info.passages
    add_team_answer(data, team_answer(), NOW)
    assert ensure_index(SHIPPED_KNOWLEDGE, index_path, source) is not None
    assert SearchIndex.load(index_path).info.passages == before + 1


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("as_of", "last Tuesday", "bad date"),
        ("source_url", "javascript:alert(1)", "https://"),
        ("answer", "   ", "Write the answer"),
        ("answer", "?!", "no words"),
    ],
)
def test_a_broken_team_answer_is_reported_not_served(
    data: DataStore, tmp_path: Path, column: str, value: str, reason: str
) -> None:
    good = add_team_answer(data, team_answer(question="Who signs off a spin out?"), NOW)
    bad = add_team_answer(data, team_answer(), NOW)
    data.db.table("team_answers").update(bad, {column: value})  # an edited data file
    extra = team_passages(data)
    assert [p.id for p in extra.passages] == [f"{DOC_ID}#{good}"]
    (problem,) = extra.problems
    assert isinstance(problem, Problem) and f"team answer {bad}" in problem.file
    assert reason in problem.reason and "not served" in problem.reason
    report = build_index(SHIPPED_KNOWLEDGE, tmp_path / "i.sqlite3", lambda: extra)
    assert report.left_out == [problem]
    runner = CliRunner()
    data_file = str(data.path)
    check = runner.invoke(main, ["check", "--data", data_file], catch_exceptions=False)
    assert check.exit_code == 1 and f"team answer {bad}" in check.output
    listed = runner.invoke(main, ["answers", "list", "--data", data_file])
    assert "BROKEN" in listed.output and "not served" in listed.output


def test_answers_export_is_a_knowledge_page_that_loads(data: DataStore, tmp_path: Path) -> None:
    add_team_answer(data, team_answer(url="https://www.gov.uk/ukspf"), NOW)
    add_team_answer(data, team_answer("## Who signs off?", "Sources: the minister.\n## x"), NOW)
    out = tmp_path / "guidance" / "team-answers.md"
    out.parent.mkdir()
    result = CliRunner().invoke(
        main, ["answers", "export", "--data", str(data.path), "--output", str(out)],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0
    problems: list[Problem] = []
    page = load_page(out, "guidance/team-answers.md", problems)
    assert problems == [] and page is not None
    assert [s.heading for s in page.sections] == [QUESTION, "## Who signs off?"]
    assert page.sections[0].as_of == dt.date(2026, 3, 2)
    assert page.sources[0].url == "https://www.gov.uk/ukspf"


def test_answers_retire_stops_serving(data: DataStore) -> None:
    answer_id = add_team_answer(data, team_answer(), NOW)
    runner = CliRunner()
    args = ["answers", "retire", str(answer_id), "--data", str(data.path)]
    assert runner.invoke(main, args, catch_exceptions=False).exit_code == 0
    assert list_team_answers(data) == [] and team_passages(data).passages == ()
    assert runner.invoke(main, args).exit_code == 1  # already retired
    listed = runner.invoke(main, ["answers", "list", "--retired", "--data", str(data.path)])
    assert "retired" in listed.output


def test_enquiries_forget_erases_a_persons_enquiries_for_real(
    data: DataStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, _ = store.open_enquiry(data, "T1", "U0ASKER1", "My secret question", "", "", NOW)
    store.open_enquiry(data, "T1", "U0OTHER01", "Another question", "", "", NOW)
    store.resolve(data, mine.id, store.ANSWERED, "U0TEAMER1", ANSWER, NOW, team_answer())
    monkeypatch.setattr(cli_enquiries, "utcnow", lambda: NOW)
    runner = CliRunner()
    listed = runner.invoke(main, ["enquiries", "list", "--data", str(data.path)])
    assert "Another question" in listed.output and "My secret" not in listed.output
    args = ["enquiries", "forget", "U0ASKER1", "--yes", "--data", str(data.path)]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert "deleted 1 enquiry" in result.output
    assert store.get_enquiry(data, mine.id) is None
    assert len(list_team_answers(data)) == 1  # the team answer stays, without the asker
    raw = Path(data.path).read_bytes() + Path(f"{data.path}-wal").read_bytes()
    assert b"My secret question" not in raw  # secure_delete and a checkpoint: really gone
    bad = runner.invoke(main, ["enquiries", "forget", "not an id", "--yes"])
    assert bad.exit_code == 2


def test_one_enquiry_per_person_and_question(data: DataStore) -> None:
    first, created = store.open_enquiry(data, "T1", "U1", QUESTION, "", "", NOW)
    again, again_created = store.open_enquiry(data, "T1", "U1", f" {QUESTION.lower()}  ", "", "",
                                              NOW)  # fmt: skip
    other, other_created = store.open_enquiry(data, "T1", "U2", QUESTION, "", "", NOW)
    assert created and not again_created and other_created
    assert first.id == again.id != other.id


def test_resolving_twice_changes_nothing(data: DataStore) -> None:
    enquiry, _ = store.open_enquiry(data, "T1", "U1", QUESTION, "", "", NOW)
    assert store.resolve(data, enquiry.id, store.ANSWERED, "U9", "A", NOW, team_answer())
    assert store.resolve(data, enquiry.id, store.CLOSED, "U9", "", NOW) is None
    assert store.resolve(data, enquiry.id, store.ANSWERED, "U9", "B", NOW, team_answer()) is None
    assert len(list_team_answers(data)) == 1
    assert store.get_enquiry(data, enquiry.id).answer == "A"  # type: ignore[union-attr]


def test_the_data_file_has_the_tables(tmp_path: Path) -> None:
    db = open_data(tmp_path / "d.sqlite3")
    assert {"enquiries", "team_answers"} <= set(db.table_names())
    db.close()


def test_gaps_in_slack_mark_what_the_serving_index_answers_with_a_team_answer(
    data: DataStore, tmp_path: Path
) -> None:
    index_path = tmp_path / "index.sqlite3"
    add_team_answer(data, team_answer(), NOW)
    build_index(SHIPPED_KNOWLEDGE, index_path, lambda: team_passages(data))
    index = SearchIndex.load(index_path)
    for asked in (PARAPHRASES[0], "How do I file my travel expenses?"):
        log_question(data, asked, False, None, 1.0, NOW, "dm")
    settings = Settings(admin_users=frozenset({"U0ADMIN01"}), data_path=data.path)
    services = Services(settings, index, data, clock=lambda: NOW + dt.timedelta(hours=1))
    covered = {g.wording: g.covered for g in admin_service.gaps(services, "U0ADMIN01", 30)}
    assert covered == {PARAPHRASES[0]: True, "How do I file my travel expenses?": False}
    shown = json.dumps(gaps_message(admin_service.gaps(services, "U0ADMIN01", 30), 30))
    assert shown.count("a team answer now covers this") == 1


def test_a_reindex_in_slack_reports_a_broken_team_answer(data: DataStore, tmp_path: Path) -> None:
    bad = add_team_answer(data, team_answer(), NOW)
    data.db.table("team_answers").update(bad, {"as_of": "soon"})
    report = build_index(SHIPPED_KNOWLEDGE, tmp_path / "i.sqlite3", lambda: team_passages(data))
    shown = json.dumps(reindex_result_message(admin_service.ReindexOutcome(report=report)))
    assert "Left out* (1)" in shown and f"team answer {bad}" in shown and "bad date" in shown
