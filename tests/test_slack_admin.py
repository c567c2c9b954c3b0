"""Admin operations end to end through Bolt: reindex with a hot swap, gaps, stats, the admin
panel, and retention while the server runs."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import write_knowledge
from fakeslack import DM_CHANNEL, RESPONSE, FakeSlack
from slack_harness import PAGES, Slack, make_slack, slack_settings
from slack_requests import ASKER, FORM, action_body, command_body, message

from bot import server
from bot.admin import blocks as admin_blocks
from bot.admin import service as admin_service
from bot.admin.housekeeping import RetentionTimer
from bot.app import build_app
from bot.data.db import DataStore
from bot.data.usage import feedback_since, log_question, questions_since, record_feedback
from bot.services import Services
from bot.slack import ids
from bot.slack.blocks import MAX_BLOCKS, MAX_SECTION
from bot.slack.escape import slack_length
from indexer import live as live_module
from indexer.build import BuildReport, build_index
from indexer.live import LiveIndex
from indexer.model import Problem
from indexer.search import SearchIndex

pytest_plugins = ["slack_fixtures"]

ADMIN = "U0ADMIN01"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
OWNERS = "Who owns MyCSP?"
NEW_OWNERS = "Its staff, the Cabinet Office and Equiniti each hold a share of MyCSP."
EDITED = {
    **{k: v for k, v in PAGES.items() if k != "rights.md"},  # rights removed
    "mycsp.md": PAGES["mycsp.md"].replace(
        "Employees, the government and a private partner own MyCSP together: the employee "
        "partnership holds a quarter of the shares.",
        NEW_OWNERS,
    ),  # changed
    "cic.md": PAGES["contracts.md"]
    .replace("Reserving contracts for mutuals", "Community interest companies")
    .replace("## Regulation 77", "## What a CIC is"),  # added
}


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    return write_knowledge(tmp_path / "knowledge", pages=PAGES)


@pytest.fixture
def live(knowledge: Path, tmp_path: Path) -> LiveIndex:
    path = tmp_path / "index.sqlite3"
    build_index(knowledge, path)
    return LiveIndex(path, knowledge, check_interval=0)  # look at the file before each question


@pytest.fixture
def admin(fake_slack: FakeSlack, tmp_path: Path, live: LiveIndex) -> Iterator[Slack]:
    """The app serving a live index, with ADMIN as the one admin and the clock at NOW."""
    settings = slack_settings(
        fake_slack, tmp_path, live.index_path, knowledge_dir=live.knowledge_dir,
        admin_users=frozenset({ADMIN}),
    )  # fmt: skip
    services = Services(settings, live, DataStore(settings.data_path), clock=lambda: NOW)
    yield Slack(fake_slack, settings, services, build_app(settings, services))
    services.data.close()


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Make reindex builds wait: (started, release)."""
    started, release = threading.Event(), threading.Event()

    def slow_build(knowledge_dir: Path, index_path: Path) -> BuildReport:
        started.set()
        assert release.wait(10)
        return build_index(knowledge_dir, index_path)

    monkeypatch.setattr(live_module, "build_index", slow_build)
    yield started, release
    release.set()


def run(slack: Slack, text: str, user: str = ADMIN, name: str = "cmd") -> None:
    body = command_body(text, slack.fake.response_url(name), user=user)
    started = time.monotonic()
    response = slack.dispatch(body, content_type=FORM)
    assert response.status == 200 and response.body == ""
    assert time.monotonic() - started < 2  # acknowledged at once, whatever the work


def texts(slack: Slack, name: str = "cmd", count: int = 1) -> list[str]:
    """Fallback text and blocks of the replies to `name`'s response_url, in order."""
    calls = [c for c in slack.fake.wait_for(RESPONSE, count) if c.path.endswith("/" + name)]
    return [
        c.params["text"] + "\n" + json.dumps(c.params.get("blocks", []), ensure_ascii=False)
        for c in calls
    ]


def dm_answer(slack: Slack, question: str, ts: str) -> str:
    before = len(slack.fake.of("chat.postMessage"))
    slack.event(message(question, ts=ts))
    posts = slack.fake.wait_for("chat.postMessage", before + 1)
    return str(posts[before].params["text"])


def edit_knowledge(root: Path) -> None:
    (root / "guidance" / "rights.md").unlink()
    write_knowledge(root, pages=EDITED)


# -- reindex ----------------------------------------------------------------------------------


def test_admin_reindex_acks_at_once_then_reports_counts_and_changes(
    admin: Slack, live: LiveIndex, gate: tuple[threading.Event, threading.Event]
) -> None:
    started, release = gate
    old = live.current().info.build_id
    edit_knowledge(live.knowledge_dir)
    run(admin, "reindex")
    (ack,) = texts(admin)
    assert ack.startswith("Reindexing…")
    assert started.wait(5) and live.reindexing  # in the background, after the ack
    release.set()
    _, result = texts(admin, count=2)
    status = live.status()
    assert status["build_id"] != old
    assert f"{status['documents']} documents, {status['passages']} passages" in result
    assert "built in" in result and " s." in result
    assert "*Added* (1): cic" in result
    assert "*Changed* (1): mycsp" in result
    assert "*Removed* (1): rights" in result
    assert NEW_OWNERS in dm_answer(admin, OWNERS, "1700000300.000100")


@pytest.mark.parametrize("text", ["reindex", "gaps", "stats 7"])
def test_non_admin_is_refused_and_nothing_happens(admin: Slack, live: LiveIndex, text: str) -> None:
    log_question(admin.services.data, "What is a CIC?", False, None, 3.0, NOW, "dm")
    old = live.current().info.build_id
    edit_knowledge(live.knowledge_dir)
    run(admin, text, user=ASKER)
    calls = admin.fake.settle()
    (refusal,) = [c for c in calls if c.method == RESPONSE]
    assert refusal.params["response_type"] == "ephemeral"
    assert "is for admins only" in refusal.params["text"]
    assert "CIC" not in json.dumps(refusal.params) and "documents" not in refusal.params["text"]
    assert live.current().info.build_id == old and not live.reindexing


def test_broken_knowledge_keeps_the_old_index_serving_and_reports_every_problem(
    admin: Slack, live: LiveIndex
) -> None:
    old = live.current().info.build_id
    guidance = live.knowledge_dir / "guidance"
    (guidance / "bad.md").write_text("no front matter <!channel>\n", encoding="utf-8")
    (guidance / "worse.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    run(admin, "reindex")
    _, result = texts(admin, count=2)
    assert "Reindex stopped: the knowledge has 2 problems" in result
    assert "old index is still serving" in result
    assert "guidance/bad.md:1: " in result and "guidance/worse.md:" in result
    assert "<!channel>" not in result
    assert live.current().info.build_id == old
    assert "private partner" in dm_answer(admin, OWNERS, "1700000301.000100")


def test_a_second_reindex_while_one_runs_is_told_so(
    admin: Slack, live: LiveIndex, gate: tuple[threading.Event, threading.Event]
) -> None:
    started, release = gate
    run(admin, "reindex", name="first")
    assert started.wait(5)
    run(admin, "reindex", name="second")
    (second,) = texts(admin, "second", count=2)
    assert "A reindex is already running" in second
    release.set()
    first = texts(admin, "first", count=3)
    assert len(first) == 2 and "Reindexed." in first[1]
    assert len([c for c in admin.fake.settle() if c.path.endswith("/second")]) == 1


def test_a_cli_rebuild_is_served_before_the_next_question(admin: Slack, live: LiveIndex) -> None:
    assert "private partner" in dm_answer(admin, OWNERS, "1700000302.000100")
    edit_knowledge(live.knowledge_dir)
    build_index(live.knowledge_dir, live.index_path)  # `mutuals index`, or another process
    assert NEW_OWNERS in dm_answer(admin, OWNERS, "1700000303.000100")


def test_reindex_on_a_fixed_index_says_it_cannot(
    fake_slack: FakeSlack, tmp_path: Path, slack_index_path: Path, slack_index: SearchIndex
) -> None:
    settings = slack_settings(fake_slack, tmp_path, slack_index_path, admin_users={ADMIN})
    slack = make_slack(fake_slack, settings, slack_index)
    run(slack, "reindex")
    (reply,) = texts(slack)
    assert "fixed index" in reply and "mutuals index" in reply
    slack.services.data.close()


def test_problem_report_stays_within_block_kit_limits() -> None:
    problems = tuple(
        Problem(f"guidance/p{i}.md", i, "bad <!here> & " + "x" * 500) for i in range(300)
    )
    message_ = admin_blocks.reindex_result_message(admin_service.ReindexOutcome(problems=problems))
    blocks = message_["blocks"]
    assert len(blocks) <= MAX_BLOCKS
    assert all(slack_length(b["text"]["text"]) <= MAX_SECTION for b in blocks if "text" in b)
    assert "300 problems" in message_["text"]
    assert "more: `mutuals check` lists every problem" in json.dumps(blocks)
    assert "<!here>" not in json.dumps(blocks) and "&lt;!here&gt; &amp;" in json.dumps(blocks)


# -- gaps and stats ---------------------------------------------------------------------------


def seed(slack: Slack) -> None:
    data = slack.services.data
    declined = [
        (1, "What is a CIC?"),
        (2, "what is a cic"),
        (3, "What is a community interest company?"),  # a synonym of CIC
        (4, "Can I <!channel> bake bread?"),
        (45, "How old is MyCSP?"),  # outside the default 30 days
    ]
    for days, question in declined:
        log_question(data, question, False, None, 10.0, NOW - timedelta(days=days), "dm")
    for ms in (20.0, 30.0, 40.0):
        asked = log_question(data, OWNERS, True, "mycsp#1", ms, NOW - timedelta(hours=5), "dm")
    record_feedback(data, asked, OWNERS, False, ["mycsp#1"], NOW - timedelta(hours=4))


def test_gaps_groups_synonyms_most_frequent_first(admin: Slack) -> None:
    seed(admin)
    run(admin, "gaps")
    (reply,) = texts(admin)
    assert "Knowledge gaps: last 30 days" in reply
    assert "5 questions in 3 groups" in reply
    cic, bread, owners = (reply.index(s) for s in ("*3×* ", "bake bread", "Who owns MyCSP"))
    assert cic < bread and cic < owners  # the CIC wordings, synonyms included, count as one
    assert "&lt;!channel&gt;" in reply and "<!channel>" not in reply
    assert "How old is MyCSP" not in reply  # 45 days ago


def test_gaps_with_days_reaches_further_back(admin: Slack) -> None:
    seed(admin)
    run(admin, "gaps 60")
    (reply,) = texts(admin)
    assert "last 60 days" in reply and "How old is MyCSP" in reply


def test_stats_figures(admin: Slack) -> None:
    seed(admin)
    run(admin, "stats")
    (reply,) = texts(admin)
    assert "Usage: last 30 days" in reply
    for figure in ("*Questions asked*\\n7", "*Answered*\\n3 (43%)", "*Not helpful*\\n1 (100% of",
                   "*Median answer time*\\n10 ms", "*95th percentile answer time*\\n40 ms",
                   "*Registrations*\\n0 in total"):  # fmt: skip
        assert figure in reply


@pytest.mark.parametrize(
    "text", ["gaps abc", "gaps 0", "gaps 3651", "stats -1", "stats 1.5", "stats ７", "gaps 7 8"]
)
def test_bad_days_get_the_usage(admin: Slack, text: str) -> None:
    run(admin, text)
    (reply,) = texts(admin)
    name = text.split()[0]
    assert f"Usage: `/mutuals {name} [days]`" in reply and "from 1 to 3650" in reply


# -- App Home admin panel ---------------------------------------------------------------------


def open_home(slack: Slack, user: str) -> dict[str, Any]:
    before = len(slack.fake.of("views.publish"))
    slack.event({"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home",
                 "event_ts": "1700000400.000100"})  # fmt: skip
    return dict(slack.fake.wait_for("views.publish", before + 1)[before].params["view"])


def action_ids(view: dict[str, Any]) -> set[str]:
    return {e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]}


def test_admin_panel_is_shown_to_admins_only(admin: Slack, live: LiveIndex) -> None:
    panel = {ids.ADMIN_REINDEX, ids.ADMIN_GAPS, ids.ADMIN_REGISTRATIONS, ids.ADMIN_EXPORT}
    theirs = open_home(admin, ASKER)
    assert not panel & action_ids(theirs) and "Index serving" not in json.dumps(theirs)
    ours = open_home(admin, ADMIN)
    assert panel <= action_ids(ours)
    status = live.status()
    assert f"{status['documents']} documents, {status['passages']} passages" in json.dumps(ours)
    assert len(ours["blocks"]) <= MAX_BLOCKS


def click(slack: Slack, action_id: str, user: str) -> None:
    body = action_body(action_id, "x", slack.fake.response_url("act"), user=user,
                       view={"type": "home", "id": "V0000001"})  # fmt: skip
    assert slack.dispatch(body, content_type=FORM).status == 200


@pytest.mark.parametrize("action_id", [ids.ADMIN_REINDEX, ids.ADMIN_GAPS, ids.ADMIN_STATS])
def test_forged_admin_action_from_a_non_admin_is_refused(
    admin: Slack, live: LiveIndex, action_id: str
) -> None:
    seed(admin)
    old = live.current().info.build_id
    edit_knowledge(live.knowledge_dir)
    click(admin, action_id, ASKER)
    calls = admin.fake.settle()
    (post,) = [c for c in calls if c.method == "chat.postMessage"]
    assert post.params["channel"] == DM_CHANNEL and "is for admins only" in post.params["text"]
    assert "CIC" not in json.dumps(post.params)
    assert not [c for c in calls if c.method == RESPONSE]
    assert live.current().info.build_id == old and not live.reindexing


def test_admin_panel_buttons_reply_in_the_admins_dm(admin: Slack, live: LiveIndex) -> None:
    seed(admin)
    click(admin, ids.ADMIN_GAPS, ADMIN)
    (gaps,) = admin.fake.wait_for("chat.postMessage")
    assert gaps.params["channel"] == DM_CHANNEL and "Knowledge gaps" in gaps.params["text"]
    old = live.current().info.build_id
    edit_knowledge(live.knowledge_dir)
    click(admin, ids.ADMIN_REINDEX, ADMIN)
    _, started, result = admin.fake.wait_for("chat.postMessage", 3)
    assert started.params["text"].startswith("Reindexing…")
    assert "Reindexed." in result.params["text"] and live.current().info.build_id != old


# -- retention --------------------------------------------------------------------------------


def old_rows(data: DataStore, now: datetime) -> None:
    """A question and feedback a year old, and a recent question that must stay."""
    year_ago = now - timedelta(days=365)
    asked = log_question(data, "old question", False, None, 1.0, year_ago, "dm")
    record_feedback(data, asked, "old question", False, [], year_ago)
    log_question(data, "recent question", True, "p#1", 1.0, now - timedelta(days=1), "dm")


def logged(data: DataStore) -> list[str]:
    return [q.question for q in questions_since(data, datetime(2000, 1, 1, tzinfo=UTC))]


def wait_until(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_serve_purges_at_start_up_and_on_the_timer(
    fake_slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_knowledge(tmp_path / "knowledge", pages=PAGES)
    settings = slack_settings(fake_slack, tmp_path, tmp_path / "index.sqlite3")
    with DataStore(settings.data_path) as data:
        old_rows(data, datetime.now(UTC))
    seen: dict[str, list[str]] = {}

    # Instead of serving: look, then return.
    def run_http(app: Any, signing_secret: str, port: int) -> None:
        with DataStore(settings.data_path) as data:
            seen["start-up"] = logged(data)
            old_rows(data, datetime.now(UTC))  # more old rows, for the timer to find
            wait_until(lambda: logged(data) == ["recent question", "recent question"])
            assert feedback_since(data, datetime(2000, 1, 1, tzinfo=UTC)) == []

    monkeypatch.setattr(server, "run_http", run_http)
    server.serve(settings, http=True, port=8080, purge_interval=0.05)
    assert seen["start-up"] == ["recent question"]


def test_retention_timer_purges_until_stopped(admin: Slack) -> None:
    data = admin.services.data
    timer = RetentionTimer(admin.services, interval=0.02).start()
    old_rows(data, NOW)
    wait_until(lambda: logged(data) == ["recent question"])
    timer.stop()
    assert not timer.running
    old_rows(data, NOW)
    time.sleep(0.1)
    assert logged(data).count("old question") == 1  # stopped: nothing purges any more
