"""The framework's floor: a bare Bolt app that makes the same Web API calls as ours for each
kind of benchmark request (benchmarks/_slack.py EXPECTED) and nothing else: no search, no data
file, no Block Kit, no guards; Bolt and slack_sdk as they come (`respond` and `WebClient` open a
new connection per call). What our app costs beyond it is our own code and choices.
"""

from __future__ import annotations

from concurrent.futures import Executor
from typing import Any

from slack_bolt import Ack, App, Respond, Say
from slack_sdk import WebClient

from bot.slack.ids import HELPFUL, REGISTRATION_CALLBACK


def floor_app(client: WebClient, signing_secret: str, executor: Executor | None = None) -> App:
    """A bare Bolt app: `/mutuals` posts one reply to its response_url, a mention one reply in
    its thread, Helpful two response_url posts, a registration a DM (conversations.open and
    chat.postMessage)."""
    app = App(client=client, signing_secret=signing_secret, listener_executor=executor)

    @app.command("/mutuals")
    def command(ack: Ack, respond: Respond) -> None:
        ack()
        respond(response_type="ephemeral", text="An answer.")

    @app.event("app_mention")
    def mention(ack: Ack, say: Say, event: dict[str, Any]) -> None:
        ack()
        say(text="An answer.", thread_ts=event["ts"])

    @app.action(HELPFUL)
    def helpful(ack: Ack, respond: Respond) -> None:
        ack()
        respond(response_type="ephemeral", replace_original=False, text="Thanks.")
        respond(replace_original=True, text="The answer, with its verdict.")

    @app.view(REGISTRATION_CALLBACK)
    def register(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        opened = client.conversations_open(users=body["user"]["id"])
        client.chat_postMessage(channel=opened["channel"]["id"], text="Saved.")

    return app
