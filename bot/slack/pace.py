"""Slack's pace: about one message a second to any one channel, in the order asked for.

Slack asks apps to post no more than one message per second to a channel, and bursts above it
are rate limited (HTTP 429). A message to be answered takes a `Slot` in its channel's line as
soon as it arrives, on the thread that received it (listener middleware: an in-memory append,
no I/O), so that answers leave in the order their questions arrived even though they are worked
out in parallel on Bolt's listener threads; the listener then fills the slot with the post, or
gives it up. A channel's posts are sent by a worker thread of its own, so
waiting for a slow or busy channel never holds up an acknowledgement, a listener, or another
channel; a 429's Retry-After (honoured by the WebClient's retry handler) delays only that line.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

log = logging.getLogger("bot.pace")

PER_CHANNEL = 1.0  # seconds between two posts to one channel
GIVE_UP = 15.0  # a slot neither filled nor given up in this time is skipped (a listener stuck,
# or dropped by a full listener pool: bot.slack.pool)


class Slot:
    """One message's place in its channel's line."""

    def __init__(self, pacer: Pacer, channel: str) -> None:
        self._pacer = pacer
        self.channel = channel
        self._ready = threading.Event()
        self._send: Callable[[], Any] | None = None
        self.sent = threading.Event()  # set once the send ran (or the slot was given up)

    def send(self, call: Callable[[], Any]) -> None:
        """Run `call` (the post) when this slot's turn comes; returns at once."""
        if not self._ready.is_set():
            self._send = call
            self._ready.set()

    def give_up(self) -> None:
        """Nothing to post: let the next message in the line go."""
        self._ready.set()

    def __enter__(self) -> Slot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.give_up()  # a listener that returned (or raised) without posting frees its place


class Pacer:
    """A line of posts per channel, each post at least `interval` seconds after the last."""

    def __init__(self, interval: float = PER_CHANNEL, give_up_after: float = GIVE_UP,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.interval = interval
        self.give_up_after = give_up_after
        self._clock = clock
        self._lock = threading.Lock()
        self._lines: dict[str, deque[Slot]] = {}
        self._last: dict[str, float] = {}  # channel -> when its last post was sent

    def reserve(self, channel: str) -> Slot:
        """A place at the end of `channel`'s line; fill it with `send` or free it."""
        slot = Slot(self, channel)
        with self._lock:
            line = self._lines.get(channel)
            if line is None:
                line = self._lines[channel] = deque()
                threading.Thread(target=self._drain, args=(channel, line), daemon=True,
                                 name=f"pace-{channel}").start()  # fmt: skip
            line.append(slot)
        return slot

    def send(self, channel: str, call: Callable[[], Any]) -> Slot:
        """Queue `call` at the end of `channel`'s line (a post with no earlier reservation)."""
        slot = self.reserve(channel)
        slot.send(call)
        return slot

    def _drain(self, channel: str, line: deque[Slot]) -> None:
        while True:
            with self._lock:
                if not line:
                    del self._lines[channel]  # a later reserve starts a new worker
                    self._forget_old(channel)
                    return
                slot = line[0]
            if not slot._ready.wait(self.give_up_after):
                log.warning("a post to channel=%s was never filled; skipped", channel)
            if slot._send is not None:
                self._wait_turn(channel)
                try:
                    slot._send()
                except Exception as error:  # a post failing must not stop the line
                    log.warning("paced post to channel=%s failed: %s", channel,
                                type(error).__name__)  # fmt: skip
                with self._lock:
                    self._last[channel] = self._clock()
            slot.sent.set()
            with self._lock:
                line.popleft()

    def _wait_turn(self, channel: str) -> None:
        with self._lock:
            last = self._last.get(channel)
        if last is not None:
            wait = last + self.interval - self._clock()
            if wait > 0:
                time.sleep(wait)

    def _forget_old(self, channel: str) -> None:
        """Keep `_last` small: channels not posted to for an interval need no memory."""
        now = self._clock()
        if len(self._last) > 1000:
            for key in [k for k, t in self._last.items() if now - t > self.interval]:
                del self._last[key]
