"""Web API calls and response_url posts reuse keep-alive connections (bot.slack.keepalive),
with slack_sdk's retries and errors unchanged; a connection the server dropped while idle is
replaced without the caller seeing it."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from fakeslack import RESPONSE, FakeSlack
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.slack.keepalive import KeepAliveHandler, PooledWebClient, PooledWebhookClient

pytest_plugins = ["slack_fixtures"]


@pytest.fixture
def handler() -> Iterator[KeepAliveHandler]:
    handler = KeepAliveHandler()
    yield handler
    handler.close()


def _post(handler: KeepAliveHandler, url: str) -> bytes:
    opener = urllib.request.build_opener(handler)
    request = urllib.request.Request(url, data=b'{"text": "hi"}', method="POST",
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    with opener.open(request, timeout=5) as reply:
        return bytes(reply.read())


def test_calls_to_one_host_share_one_connection(
    fake_slack: FakeSlack, handler: KeepAliveHandler
) -> None:
    for i in range(5):
        assert _post(handler, fake_slack.response_url(f"r{i}")) == b"ok"
    assert len(fake_slack.of(RESPONSE)) == 5
    assert fake_slack.connections == 1 and handler.idle_connections() == 1


def test_a_connection_dropped_while_idle_is_replaced(
    fake_slack: FakeSlack, handler: KeepAliveHandler
) -> None:
    assert _post(handler, fake_slack.response_url("a")) == b"ok"
    fake_slack.fail_next("close")  # the server closes the idle connection instead of replying
    assert _post(handler, fake_slack.response_url("b")) == b"ok"
    assert [c.path for c in fake_slack.of(RESPONSE)] == ["/response/a", "/response/b"]
    assert fake_slack.connections == 2


def test_an_http_error_is_raised_as_urllib_raises_it(
    fake_slack: FakeSlack, handler: KeepAliveHandler
) -> None:
    fake_slack.fail_next("500")
    with pytest.raises(urllib.error.HTTPError) as raised:
        _post(handler, fake_slack.response_url("x"))
    assert raised.value.code == 500
    assert _post(handler, fake_slack.response_url("y")) == b"ok"  # and the connection is kept
    assert fake_slack.connections == 1


def test_the_web_api_and_response_urls_reuse_the_shared_connections(
    fake_slack: FakeSlack,
) -> None:
    client = PooledWebClient(token="xoxb-test", base_url=fake_slack.api_url)
    for _ in range(4):
        assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    hook = PooledWebhookClient(fake_slack.response_url("h"))
    assert hook.send(text="hi").status_code == 200
    fake_slack.refuse("chat.postMessage", "channel_not_found", channel="C2")
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C2", text="hi")
    assert len(fake_slack.of("chat.postMessage")) == 5 and len(fake_slack.of(RESPONSE)) == 1
    assert fake_slack.connections == 1


def test_rate_limits_are_still_retried(fake_slack: FakeSlack) -> None:
    from bot.settings import Settings
    from bot.slack.client import web_client

    client = web_client(Settings(bot_token="xoxb-test", api_url=fake_slack.api_url))
    assert isinstance(client, PooledWebClient)
    fake_slack.fail_next("429", methods=("chat.postMessage",))
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    assert fake_slack.failed == [("chat.postMessage", "429")]


def test_only_http_urls_are_opened() -> None:
    with pytest.raises(SlackRequestError):
        PooledWebhookClient("file:///etc/passwd").send(text="hi")
