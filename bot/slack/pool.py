"""The listener pool: a request's ack never waits behind slow work.

Bolt runs each listener (which calls `ack()` first) on this executor and answers Slack only once
`ack()` was called, within 3 s. A fixed pool of 8 threads let 8 listeners stuck on a slow
response_url hold back every ack behind them (HTTP 404 after 3 s). Here a thread is started
whenever none is idle, up to `MAX_LISTENER_THREADS`; outgoing calls have timeouts
(bot.slack.client, bot.slack.calls), so a thread is held for a bounded time; and a listener that
still waited longer than Slack does (the pool full) is dropped and logged instead of running
late: Slack already gave up on its request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

log = logging.getLogger("bot.listeners")

MAX_LISTENER_THREADS = 64
SLACK_ACK_TIMEOUT_S = 3.0


class ListenerPool(ThreadPoolExecutor):
    """A ThreadPoolExecutor (it adds a thread whenever none is idle) that drops work which
    waited past Slack's ack timeout."""

    def __init__(self, max_workers: int = MAX_LISTENER_THREADS) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        queued = time.monotonic()

        def run() -> Any:
            waited = time.monotonic() - queued
            if waited > SLACK_ACK_TIMEOUT_S:
                log.error("listener pool full: dropped work that waited %.1f s", waited)
                return None
            return fn(*args, **kwargs)

        return super().submit(run)
