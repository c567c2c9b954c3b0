"""Knowledge gaps and usage statistics: exact figures on a seeded log with an injected clock."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from data_fixtures import NOW, valid_input
from sqlite_utils import Database

from bot.admin.reports import (
    GapGroup,
    format_gaps,
    format_stats,
    gaps_csv,
    knowledge_gaps,
    nearest_rank,
    usage_stats,
)
from bot.data.db import open_data
from bot.data.usage import log_question, record_feedback
from bot.registrations.store import save_registration

TICK = timedelta(microseconds=1)
START = NOW - timedelta(days=30)  # the window of a 30-day report, both ends included


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_data(tmp_path / "data.sqlite3")
    yield database
    database.close()


def declined(db: Database, question: str, when: datetime = NOW, took_ms: float = 5.0) -> int:
    return log_question(db, question, False, None, took_ms, when, "dm")


def answered(db: Database, question: str, when: datetime = NOW, took_ms: float = 5.0) -> int:
    return log_question(db, question, True, "p#1", took_ms, when, "dm")


def test_near_identical_wordings_count_as_one_gap_from_both_sources(db: Database) -> None:
    declined(db, "What is the travel policy?", NOW - timedelta(days=3))
    declined(db, "what is the travel policy", NOW - timedelta(days=2))
    asked = answered(db, "Travel policy??", NOW - timedelta(days=1))
    record_feedback(db, asked, "Travel policy??", False, ["p#1"], NOW - timedelta(hours=20))

    groups = knowledge_gaps(db, NOW, days=30)

    assert len(groups) == 1
    group = groups[0]
    assert (group.count, group.declined, group.not_helpful, group.source) == (3, 2, 1, "both")
    assert group.last_asked == NOW - timedelta(hours=20)
    assert group.wording == "Travel policy??"  # every wording once: the most recent represents


def test_only_failures_count_and_a_declined_then_unhelpful_asking_counts_once(
    db: Database,
) -> None:
    answered(db, "Who owns MyCSP?")
    helped = answered(db, "What is a mutual?")
    record_feedback(db, helped, "What is a mutual?", True, [], NOW)
    failed = declined(db, "Can a mutual bid for contracts?")
    record_feedback(db, failed, "Can a mutual bid for contracts?", False, [], NOW)

    groups = knowledge_gaps(db, NOW)

    assert [(g.wording, g.count, g.source) for g in groups] == [
        ("Can a mutual bid for contracts?", 1, "both")
    ]


def test_window_edges_are_exact(db: Database) -> None:
    declined(db, "pension transfer rules", START - TICK)  # just outside
    declined(db, "pension transfer rules", START)  # the first instant inside
    declined(db, "pension transfer rules", NOW)  # the last instant inside
    declined(db, "pension transfer rules", NOW + TICK)  # after "now": not yet
    record_feedback(db, None, "pension transfer rules", False, [], START - TICK)
    record_feedback(db, None, "pension transfer rules", False, [], START)

    [group] = knowledge_gaps(db, NOW, days=30)

    assert (group.count, group.declined, group.not_helpful) == (3, 2, 1)
    assert group.last_asked == NOW


def test_groups_most_frequent_first_then_most_recent(db: Database) -> None:
    for hours in (5, 6, 7):
        declined(db, "pension transfer rules", NOW - timedelta(hours=hours))
    declined(db, "staff mutual ownership rules", NOW - timedelta(hours=10))
    declined(db, "staff mutual ownership rules", NOW - timedelta(hours=9))
    declined(db, "Procurement reserved contracts", NOW - timedelta(hours=3))
    declined(db, "TUPE and redundancy", NOW - timedelta(hours=1))

    groups = knowledge_gaps(db, NOW)

    assert [(g.wording, g.count) for g in groups] == [
        ("pension transfer rules", 3),
        ("staff mutual ownership rules", 2),
        ("TUPE and redundancy", 1),
        ("Procurement reserved contracts", 1),
    ]


def test_similar_wordings_merge_by_jaccard_and_the_commonest_wording_represents(
    db: Database,
) -> None:
    declined(db, "travel policy", NOW - timedelta(hours=4))
    declined(db, "Travel policy?", NOW - timedelta(hours=3))
    declined(db, "The travel policy.", NOW - timedelta(hours=2))
    declined(db, "travel policy", NOW - timedelta(hours=1))
    declined(db, "travel policy for contractors", NOW)  # {travel, polici, contractor}: 2/3 >= 0.6
    declined(db, "travel expenses claims", NOW)  # {travel, expens, claim}: 1/4 < 0.6

    groups = knowledge_gaps(db, NOW)

    assert [(g.wording, g.count) for g in groups] == [
        ("travel policy", 5),
        ("travel expenses claims", 1),
    ]
    assert groups[0].last_asked == NOW


def test_questions_of_only_stop_words_group_by_their_words(db: Database) -> None:
    declined(db, "What is it?")
    declined(db, "what is IT")
    declined(db, "Why?")
    groups = knowledge_gaps(db, NOW)
    assert sorted(g.count for g in groups) == [1, 2]


def test_a_long_wording_is_cut_to_200_characters(db: Database) -> None:
    declined(db, "spin out " + "pensions " * 60)
    [group] = knowledge_gaps(db, NOW)
    assert len(group.wording) == 200 and group.wording.endswith("…")


def test_gaps_csv_neutralises_formulas(db: Database) -> None:
    declined(db, '=HYPERLINK("https://evil.example","click")')
    declined(db, "pension transfer")
    rows = list(csv.reader(io.StringIO(gaps_csv(knowledge_gaps(db, NOW)))))
    assert rows[0] == ["question", "count", "last_asked", "declined", "not_helpful", "from"]
    cells = {row[0] for row in rows[1:]}
    assert '\'=HYPERLINK("https://evil.example","click")' in cells
    assert "pension transfer" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_format_gaps_is_a_table_and_says_when_there_are_none() -> None:
    assert "No declined or Not helpful questions in the last 7 days" in format_gaps([], 7)
    group = GapGroup("Travel policy?", 3, NOW, 2, 1)
    text = format_gaps([group], 30)
    assert "count" in text and "2025-03-01" in text and "both" in text and "Travel policy?" in text


@pytest.mark.parametrize(
    ("values", "median", "p95"),
    [
        ([10, 20, 30, 40, 100], 30, 100),  # rank ceil(4.75) = 5
        (list(range(1, 21)), 10.5, 19),  # rank ceil(19) = 19; even count: mean of the middle two
        ([7], 7, 7),
    ],
)
def test_stats_figures_are_exact(
    db: Database, values: list[float], median: float, p95: float
) -> None:
    for i, took in enumerate(values):
        log_question(db, f"q{i}", i % 4 != 0, None, took, NOW - timedelta(minutes=i), "dm")
    log_question(db, "old", True, None, 10_000, START - TICK, "dm")
    for i, helpful in enumerate([True, True, True, False]):
        record_feedback(db, i + 1, f"q{i}", helpful, [], NOW)
    record_feedback(db, None, "old", False, [], START - TICK)
    save_registration(db, "T1", "U1", valid_input(), START - TICK)
    save_registration(db, "T1", "U2", valid_input(), START)
    save_registration(db, "T1", "U3", valid_input(), NOW)

    stats = usage_stats(db, NOW, days=30)

    n = len(values)
    assert stats.questions == n
    assert stats.answered == n - len(range(0, n, 4))
    assert stats.answered_share == pytest.approx(stats.answered / n)
    assert (stats.helpful, stats.not_helpful) == (3, 1)
    assert (stats.median_ms, stats.p95_ms) == (median, p95)
    assert (stats.registrations_total, stats.registrations_new) == (3, 2)
    text = format_stats(stats)
    assert "p95 answer time (nearest rank)" in text and f"{p95:.1f} ms" in text


def test_an_empty_log_gives_zeros(db: Database) -> None:
    stats = usage_stats(db, NOW)
    assert (stats.questions, stats.answered, stats.answered_share) == (0, 0, 0.0)
    assert (stats.helpful, stats.not_helpful, stats.median_ms, stats.p95_ms) == (0, 0, 0.0, 0.0)
    assert (stats.registrations_total, stats.registrations_new) == (0, 0)
    assert "questions asked" in format_stats(stats)
    assert knowledge_gaps(db, NOW) == []


def test_nearest_rank() -> None:
    assert nearest_rank([], 95) == 0.0
    assert nearest_rank([3, 1, 2], 50) == 2
    assert nearest_rank([3, 1, 2], 0) == 1


def test_a_naive_clock_or_an_empty_window_is_refused(db: Database) -> None:
    with pytest.raises(ValueError):
        usage_stats(db, NOW.replace(tzinfo=None))
    with pytest.raises(ValueError):
        knowledge_gaps(db, NOW, days=0)
