"""Slow outgoing calls never starve acks: with ten slash commands stuck on a response_url that
takes 6 s to answer, the next ordinary commands still get their HTTP 200 (through waitress,
8 threads) and their answers, all before any slow call has finished."""

from __future__ import annotations

import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from fakeslack import RESPONSE
from slack_harness import Served, Slack
from slack_requests import FORM, command_body, sign

from bot.slack.calls import RESPONSE_URL_TIMEOUT_S
from bot.slack.client import WEB_API_TIMEOUT_S

pytest_plugins = ["slack_fixtures"]

SLOW = 10
SLOW_S = 6.0


def _post(url: str, body: str) -> int:
    request = urllib.request.Request(
        url, data=body.encode(), headers=sign(body, content_type=FORM), method="POST"
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        return int(response.status)


def test_slow_response_urls_do_not_keep_later_commands_from_their_ack(
    slack: Slack, served: Served
) -> None:
    slack.fake.delays["/response/slow"] = SLOW_S
    events = served.url + "/slack/events"
    slow_body = command_body("Who owns MyCSP?", slack.fake.response_url("slow"))
    with ThreadPoolExecutor(SLOW) as clients:
        assert list(clients.map(lambda _: _post(events, slow_body), range(SLOW))) == [200] * SLOW
    # ten listeners now wait on the slow response_url: more than the 8 HTTP threads
    fast = [command_body("Who owns MyCSP?", slack.fake.response_url(f"fast{i}")) for i in range(4)]
    statuses: list[int] = []
    worker = threading.Thread(target=lambda: statuses.extend(_post(events, b) for b in fast))
    worker.start()
    worker.join(timeout=SLOW_S)
    assert statuses == [200] * 4
    answered = slack.fake.wait_for(RESPONSE, count=4, timeout=SLOW_S)
    assert all(c.path.startswith("/response/fast") for c in answered)  # none of the slow ones


def test_outgoing_calls_have_timeouts_shorter_than_a_stuck_thread_can_afford() -> None:
    assert RESPONSE_URL_TIMEOUT_S <= 10 and WEB_API_TIMEOUT_S <= 15
