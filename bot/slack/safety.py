"""A listener's exception never becomes a 404 or a 500, and never silence.

Bolt runs a listener on its executor and waits for `ack()`. If the listener raises just after
acking, Bolt's runner resets the ack it had recorded, so the waiting request thread may find no
ack and answer 404 ("didn't call ack()"). Every listener is therefore run through `run_safely`:
an exception is logged (type, place, ids: never the message, which may quote user text), the
request is acked if it was not, and a data file that could not be used is explained to the
person ("try again") where the request gives a private way to reply.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt import BoltRequest, BoltResponse

from bot.data.db import DataBusy
from bot.slack.blocks import problem_message
from bot.slack.calls import ids_of, respond_safely
from bot.slack.replies import has_response_url

log = logging.getLogger("bot.listeners")

RunAck = Callable[..., BoltResponse | None]


def log_failure(error: BaseException, body: Any) -> None:
    """One line: the error's type, where it was raised, and the request's ids."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno} in {frames[-1].name}" if frames else "?"
    log.error("listener failed: %s at %s (%s)", type(error).__name__, where, ids_of(body))


def run_safely(run: RunAck, *, request: BoltRequest, response: BoltResponse) -> Any:
    """Run a listener (Bolt's `run_ack_function`); on an exception log it, ack, and explain."""
    try:
        return run(request=request, response=response)
    except Exception as error:
        body = request.body if isinstance(request.body, Mapping) else {}
        log_failure(error, body)
        ack = request.context.ack
        if ack is not None and ack.response is None:
            if body.get("type") == "view_submission":
                raise  # closing the modal would say "saved": Slack shows it failed instead
            ack()
        if isinstance(error, DataBusy):
            _try_again(request, body)
        return None


def _try_again(request: BoltRequest, body: Mapping[str, Any]) -> None:
    respond = request.context.respond
    if respond is not None and has_response_url(body):
        respond_safely("respond", body, respond, response_type="ephemeral",
                       replace_original=False, **problem_message())  # fmt: skip
