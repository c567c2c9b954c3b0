"""Past capacity the app answers at once instead of holding connections: with the listener pool
full (its work stuck on a slow response_url), a new event gets a 503 that Slack retries and a new
slash command a "busy" reply, both before the stuck work ends; everything that got a 200 is
still answered, and the retried event is answered once the pool has room."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fakeslack import RESPONSE
from slack_harness import Served, Slack, make_slack, slack_settings
from slack_requests import FORM, JSON, command_body, event_body, mention, sign

from bot.server import MAX_QUEUED, overloaded, slack_http_server
from bot.slack.gate import BUSY_TEXT
from bot.slack.pool import ListenerPool

pytest_plugins = ["slack_fixtures"]

STUCK = 2
STUCK_S = 3.0


@pytest.fixture
def small(
    fake_slack: Any, tmp_path: Any, slack_index_path: Any, slack_index: Any
) -> Iterator[Slack]:
    """The app with a listener pool that is full at `STUCK` listeners in hand."""
    slack = make_slack(fake_slack, slack_settings(fake_slack, tmp_path, slack_index_path),
                       slack_index, executor=ListenerPool(max_pending=STUCK))  # fmt: skip
    yield slack
    slack.services.data.close()


@pytest.fixture
def small_served(small: Slack) -> Iterator[Served]:
    server = slack_http_server(small.app, small.settings.signing_secret, port=0, host="127.0.0.1")
    threading.Thread(target=server.run, daemon=True).start()
    yield Served(f"http://127.0.0.1:{server.effective_port}", server)
    server.close()


def _post(url: str, body: str, content_type: str) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(
        url, data=body.encode(), headers=sign(body, content_type=content_type), method="POST"
    )
    try:
        # Well under the stuck work's STUCK_S: a refusal must not wait for it.
        with urllib.request.urlopen(request, timeout=STUCK_S - 1) as response:
            return int(response.status), dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_with_the_work_queue_full_new_requests_are_refused_at_once_and_nothing_acked_is_lost(
    small: Slack, small_served: Served
) -> None:
    fake = small.fake
    fake.delays["/response/stuck"] = STUCK_S
    events = small_served.url + "/slack/events"
    stuck = command_body("Who owns MyCSP?", fake.response_url("stuck"))
    with ThreadPoolExecutor(STUCK) as clients:
        acked = list(clients.map(lambda _: _post(events, stuck, FORM)[0], range(STUCK)))
    assert acked == [200] * STUCK  # acked: both must be answered, however late
    # the pool is full: STUCK listeners wait on the slow response_url
    event = event_body(mention("Who owns MyCSP?"))
    status, headers, _ = _post(events, event, JSON)
    assert status == 503 and headers.get("Retry-After") == "1"
    status, _, text = _post(events, command_body("What is TUPE?", fake.response_url("busy")), FORM)
    assert status == 200 and text == BUSY_TEXT
    assert fake.of("chat.postMessage") == [] and fake.of(RESPONSE) == []  # refused before work
    answered = fake.wait_for(RESPONSE, count=STUCK, timeout=STUCK_S + 5)
    assert [c.path for c in answered] == ["/response/stuck"] * STUCK
    # Slack retries the refused event: now there is room, and it is answered once.
    assert _post(events, event, JSON)[0] == 200
    fake.wait_for("chat.postMessage", count=1)
    assert len([c for c in fake.settle() if c.method != "auth.test"]) == STUCK + 1
    assert [c.path for c in fake.of(RESPONSE)] == ["/response/stuck"] * STUCK


def test_a_long_queue_for_http_threads_also_refuses(small: Slack) -> None:
    class Dispatcher:
        queue: deque[object] = deque()

    busy = overloaded(small.app, Dispatcher())  # type: ignore[arg-type]
    Dispatcher.queue.extend(range(MAX_QUEUED))
    assert not busy()
    Dispatcher.queue.append(MAX_QUEUED)
    assert busy()


def test_the_pool_counts_work_in_hand_until_it_finishes() -> None:
    pool = ListenerPool(max_pending=1)
    release = threading.Event()
    future = pool.submit(release.wait)
    assert pool.pending == 1 and pool.full()
    release.set()
    future.result()
    pool.shutdown(wait=True)
    assert pool.pending == 0 and not pool.full()
