"""Through the real HTTP server (waitress on a free port): signatures, health, ack before work."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from fakeslack import RESPONSE
from slack_harness import Served, Slack
from slack_requests import FORM, command_body, sign

from bot.answers import service as services_module
from bot.server import health_app

pytest_plugins = ["slack_fixtures"]


def _post(url: str, body: str, headers: dict[str, str]) -> tuple[int, float]:
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - started


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_signed_slash_command_is_answered(slack: Slack, served: Served) -> None:
    body = command_body("Who owns MyCSP?", slack.fake.response_url("http"))
    status, _ = _post(served.url + "/slack/events", body, sign(body, content_type=FORM))
    assert status == 200
    (reply,) = slack.fake.wait_for(RESPONSE)
    assert "private partner" in reply.params["text"]


@pytest.mark.parametrize(
    "headers",
    [
        lambda body: sign(body, secret="not-the-secret", content_type=FORM),
        lambda body: sign(body, timestamp=int(time.time()) - 301, content_type=FORM),
        lambda body: {"Content-Type": FORM},
    ],
    ids=["forged", "stale", "unsigned"],
)
def test_bad_signature_is_refused_and_nothing_posted(
    slack: Slack, served: Served, headers: Any
) -> None:
    body = command_body("Who owns MyCSP?", slack.fake.response_url("http"))
    status, _ = _post(served.url + "/slack/events", body, headers(body))
    assert status == 401
    assert [c.method for c in slack.fake.settle()] == ["auth.test"]


def test_healthz_and_unknown_paths(served: Served) -> None:
    assert _get(served.url + "/healthz") == 200
    assert _get(served.url + "/nope") == 404


def test_ack_returns_before_a_slow_search(
    slack: Slack, served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = services_module.answer_question

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(4)
        return real(*args, **kwargs)

    monkeypatch.setattr(services_module, "answer_question", slow)
    body = command_body("Who owns MyCSP?", slack.fake.response_url("slow"))
    status, took = _post(served.url + "/slack/events", body, sign(body, content_type=FORM))
    assert status == 200
    assert took < 1.0, f"the slash command took {took:.2f} s to be acknowledged"
    (reply,) = slack.fake.wait_for(RESPONSE, timeout=15)
    assert "private partner" in reply.params["text"]


def test_health_app_reports_disconnected() -> None:
    connected = {"now": False}
    app = health_app(lambda: connected["now"])
    statuses: list[str] = []
    body = app({"PATH_INFO": "/healthz"}, lambda status, headers: statuses.append(status))  # type: ignore[arg-type, return-value]
    assert statuses == ["503 Service Unavailable"] and b"disconnected" in b"".join(body)
    connected["now"] = True
    app({"PATH_INFO": "/healthz"}, lambda status, headers: statuses.append(status))  # type: ignore[arg-type, return-value]
    assert statuses[-1] == "200 OK"
