"""The /mutuals slash command: a question, or a subcommand from one dispatch table."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import blocks, ids, incoming
from bot.listeners import admin_commands, registrations
from bot.listeners.common import ids_of, log, respond_safely
from bot.services import Services, ask


@dataclass(frozen=True)
class CommandRequest:
    """One /mutuals invocation, already acknowledged: what a subcommand handler gets."""

    services: Services
    body: dict  # Slack's slash command payload (user_id, channel_id, trigger_id, ...)
    name: str  # the subcommand, lower case ("" for a question)
    args: str  # the rest of the text
    respond: Respond
    client: WebClient


Subcommand = Callable[[CommandRequest], None]


def _help(request: CommandRequest) -> None:
    reply(request, blocks.help_message())


SUBCOMMANDS: dict[str, Subcommand] = {
    "help": _help,
    **admin_commands.SUBCOMMANDS,  # reindex, gaps, stats
    **registrations.SUBCOMMANDS,  # register, status, withdraw, registrations, export
}


def split_command(text: str) -> tuple[str, str]:
    """("help", "") for "Help"; the first word, lower case, and the rest."""
    first, _, rest = text.strip().partition(" ")
    return first.lower(), rest.strip()


def register(app: App, services: Services) -> None:
    @app.command(ids.COMMAND)
    def on_command(ack: Ack, body: dict, respond: Respond, client: WebClient) -> None:
        ack()
        text = incoming.question_text(body.get("text", ""))
        name, args = split_command(text)
        handler = SUBCOMMANDS.get(name)
        if handler is None:
            name, args, handler = "", text, _answer if text else _help
        handler(CommandRequest(services, body, name, args, respond, client))


def _answer(request: CommandRequest) -> None:
    started = time.perf_counter()
    asked = ask(request.services, request.args, "command")
    reply(request, blocks.slash_answer_message(asked.answer, asked.question_id))
    log.info(
        "answered (%s) in %.0f ms", ids_of(request.body), (time.perf_counter() - started) * 1000
    )


def reply(request: CommandRequest, message: blocks.Message) -> None:
    """An ephemeral reply to the person who ran the command."""
    respond_safely("respond", request.body, request.respond, response_type="ephemeral", **message)
