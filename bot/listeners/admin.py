"""The App Home admin panel's buttons: each runs the `/mutuals` subcommand of the same name.

A click in App Home carries no response_url, so replies go to the admin's DM instead; the
subcommand handlers are the very ones `/mutuals reindex|gaps|stats` use. Every click checks again
that the clicker is an admin: a forged payload from anyone else is refused and runs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookResponse

from bot import admin_blocks, ids
from bot.listeners.commands import SUBCOMMANDS, CommandRequest
from bot.listeners.common import ids_of, log, respond_safely, safely
from bot.services import Services

# action id -> the subcommand it runs. Registrations and Export (ids.ADMIN_REGISTRATIONS,
# ids.ADMIN_EXPORT) are shown on the panel and handled by the registrations listeners.
PANEL_COMMANDS = {ids.ADMIN_REINDEX: "reindex", ids.ADMIN_GAPS: "gaps", ids.ADMIN_STATS: "stats"}


class DirectMessage(Respond):
    """`respond()` for a click without a response_url: posts the message to a DM channel."""

    def __init__(self, client: WebClient, channel: str) -> None:
        super().__init__(response_url=None)
        self.client = client
        self.channel = channel

    def __call__(  # the signature of Respond.__call__, so subcommand handlers need not care
        self,
        text: str | dict = "",
        blocks: Sequence[dict | Any] | None = None,
        attachments: Sequence[dict | Any] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        unfurl_links: bool | None = None,
        unfurl_media: bool | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> WebhookResponse:
        if delete_original:  # there is no original message to delete
            return WebhookResponse(url="", status_code=200, body="", headers={})
        if isinstance(text, dict):  # a whole response: keep what a DM can carry
            message = {k: v for k, v in text.items() if k in ("text", "blocks", "attachments")}
        else:
            message = {"text": text, "blocks": blocks, "attachments": attachments}
        message = {k: v for k, v in message.items() if v is not None}
        result = self.client.chat_postMessage(
            channel=self.channel, unfurl_links=False, unfurl_media=False, **message
        )
        status = 200 if result.get("ok") else 500
        return WebhookResponse(url="", status_code=status, body="", headers={})


def register(app: App, services: Services) -> None:
    for action_id, name in PANEL_COMMANDS.items():
        app.action(action_id)(_listener(services, name))


def _listener(services: Services, name: str) -> Any:
    def on_click(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        run_from_home(services, body, client, name)

    return on_click


def run_from_home(services: Services, body: dict, client: WebClient, name: str) -> None:
    """Run `/mutuals <name>` for the admin who clicked, replying in their DM."""
    user_id = str((body.get("user") or {}).get("id") or "")
    if not user_id:
        return
    opened: Any = safely(
        "conversations.open", body, lambda: client.conversations_open(users=user_id)
    )
    if not opened:
        return
    respond = DirectMessage(client, opened["channel"]["id"])
    if not services.settings.is_admin(user_id):
        log.info("admin button %s refused (%s)", name, ids_of(body))
        respond_safely("respond", body, respond, **admin_blocks.refused_message())
        return
    log.info("admin button %s (%s)", name, ids_of(body))
    handler = SUBCOMMANDS[name]
    handler(CommandRequest(services, command_body(body, name, respond.channel), name, "",
                           respond, client))  # fmt: skip


def command_body(body: dict, name: str, channel: str) -> dict[str, Any]:
    """The slash-command payload `/mutuals <name>` typed in the DM would have produced."""
    team = body.get("team") or {}
    return {
        "team_id": team.get("id", ""),
        "user_id": (body.get("user") or {}).get("id", ""),
        "channel_id": channel,
        "command": ids.COMMAND,
        "text": name,
        "api_app_id": body.get("api_app_id", ""),
        "trigger_id": body.get("trigger_id", ""),
    }
