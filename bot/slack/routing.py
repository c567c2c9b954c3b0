"""One router for `/mutuals`: the subcommands every feature declares, else a question.

A feature lists its `Subcommand`s; the app factory hands them all to one `Router`. Slash
commands and App Home buttons both build a `CommandRequest` (who acts, the arguments, where to
reply) and call the same handler; nothing fakes a Slack request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.services import Services
from bot.slack import ids
from bot.slack.replies import Reply, ephemeral, private
from bot.slack.text import typed_text


@dataclass(frozen=True)
class Actor:
    """Who is acting: their workspace and user id ("" when the request does not say)."""

    team_id: str
    user_id: str


def actor_of(body: Mapping[str, Any]) -> Actor:
    """The person acting: a slash command's user_id, else an interaction's user.id (never a
    user_id that merely sits beside it in an interaction payload)."""
    user, team = body.get("user"), body.get("team")
    if "command" in body:
        user_id = body.get("user_id")
    else:
        user_id = user.get("id") if isinstance(user, Mapping) else ""
    team_id = (
        body.get("team_id")
        or (team.get("id") if isinstance(team, Mapping) else "")
        or (user.get("team_id") if isinstance(user, Mapping) else "")
    )
    return Actor(_text(team_id), _text(user_id))


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class CommandRequest:
    """One run of a subcommand or question, already acknowledged."""

    services: Services
    actor: Actor
    name: str  # the subcommand ("" for a question)
    args: str  # the rest of the text (the whole text for a question)
    reply: Reply  # a private reply to the person acting
    client: WebClient
    body: Mapping[str, Any]  # the Slack request it came from (ids for logs, trigger_id)

    @property
    def trigger_id(self) -> str:
        return _text(self.body.get("trigger_id"))


Handler = Callable[[CommandRequest], None]


def few_words(args: str) -> bool:
    """Up to two words and no question mark (`gaps 60`, `register now`): longer text after
    the subcommand's word, or a question, is a question."""
    return len(args.split()) <= 2 and "?" not in args


@dataclass(frozen=True)
class Subcommand:
    """`/mutuals <name> [args]`: what it does, who may run it, and which text is it."""

    name: str
    run: Handler
    summary: str  # one line, for help and README
    accepts: Callable[[str], bool] = few_words  # whether these args make it this subcommand
    admin: bool = False  # listed for admins only (the service checks again)


class Router:
    """Routes `/mutuals` text to a subcommand, or to the question handler."""

    def __init__(self, subcommands: Iterable[Subcommand], question: Handler, empty: Handler):
        self.subcommands = {s.name: s for s in subcommands}
        self.question = question
        self.empty = empty

    def route(self, text: str) -> tuple[str, str, Handler]:
        """(name, args, handler) for the text after `/mutuals`.

        A subcommand's word runs it only with arguments it takes: "status" is the status
        subcommand, "status of the Swindon pathfinder?" is a question (see `few_words`).
        """
        text = " ".join(text.split())
        if not text:
            return "", "", self.empty
        first, _, rest = text.partition(" ")
        found = self.subcommands.get(first.lower().rstrip("?!."))
        if found is not None and found.accepts(rest):
            return found.name, rest, found.run
        return "", text, self.question

    def register(self, app: App, services: Services) -> None:
        """The `/mutuals` listener: ack, route, run."""

        @app.command(ids.COMMAND)
        def on_command(ack: Ack, body: dict, respond: Respond, client: WebClient) -> None:
            ack()
            name, args, handler = self.route(typed_text(body.get("text", "")))
            reply = ephemeral(body, respond)
            handler(CommandRequest(services, actor_of(body), name, args, reply, client, body))


def action_request(
    services: Services, body: Mapping[str, Any], respond: Respond | None, client: WebClient,
    name: str = "",
) -> CommandRequest:  # fmt: skip
    """A button's click as a request for the handler of the subcommand `name`: the same
    handler, replying privately (at the response_url, or in the DM from App Home)."""
    actor = actor_of(body)
    reply = private(body, respond, client, actor.user_id)
    return CommandRequest(services, actor, name, "", reply, client, body)
