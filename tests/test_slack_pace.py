"""Slack's pace: about one post a second to a channel, in order, none lost, without holding up
acks or other channels; 429s honoured. Spacing is measured on the fake's arrival times."""

from __future__ import annotations

import time

from slack_harness import Slack
from slack_requests import CHANNEL, DM, mention, message

from bot.slack.pace import Pacer

pytest_plugins = ["slack_fixtures"]

BURST = 20
SPACING = 0.9  # Slack asks for one a second; the tolerance allows for timer slack


def test_burst_in_one_channel_is_paced_in_order_while_a_dm_is_answered_at_once(
    slack: Slack,
) -> None:
    roots = [f"17000020{n:02d}.000100" for n in range(BURST)]
    for n, ts in enumerate(roots):
        slack.event(mention(f"Who owns MyCSP? ({n})", ts=ts))
        if n == BURST // 2:
            dm_sent = time.monotonic()
            slack.event(message("What does TUPE protect?", ts="1700002999.000100"))
    acked = time.monotonic()
    posts = slack.fake.wait_for("chat.postMessage", BURST + 1, timeout=60)
    in_channel = [c for c in posts if c.params["channel"] == CHANNEL]
    (dm,) = [c for c in posts if c.params["channel"] == DM]
    assert [c.params["thread_ts"] for c in in_channel] == roots  # in order, none lost
    gaps = [b.at - a.at for a, b in zip(in_channel, in_channel[1:], strict=False)]
    assert min(gaps) >= SPACING, gaps
    # Every request was acknowledged before the channel's third post went out ...
    assert acked < in_channel[2].at
    # ... and the DM did not wait behind the channel's line.
    assert dm.at - dm_sent < SPACING
    assert dm.at < in_channel[BURST // 2 + 2].at


def test_rate_limited_post_is_retried_and_the_line_keeps_its_order(slack: Slack) -> None:
    slack.fake.fail_next("429", times=1, methods=("chat.postMessage",))
    roots = [f"17000030{n:02d}.000100" for n in range(3)]
    for ts in roots:
        slack.event(mention("Who owns MyCSP?", ts=ts))
    posts = slack.fake.wait_for("chat.postMessage", 3, timeout=20)
    assert slack.fake.failed == [("chat.postMessage", "429")]
    assert [c.params["thread_ts"] for c in posts] == roots
    assert min(b.at - a.at for a, b in zip(posts, posts[1:], strict=False)) >= SPACING


# -- the pacer on its own ------------------------------------------------------------------------


def _wait(sent: list, count: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while len(sent) < count:
        assert time.monotonic() < deadline, sent
        time.sleep(0.01)


def test_slots_are_sent_in_reservation_order_whenever_they_are_filled() -> None:
    pacer = Pacer(interval=0.05)
    sent: list[str] = []
    slots = [pacer.reserve("C1") for _ in range(4)]
    for n in (3, 1, 2, 0):  # filled out of order
        slots[n].send(lambda n=n: sent.append(f"m{n}"))
    _wait(sent, 4)
    assert sent == ["m0", "m1", "m2", "m3"]


def test_a_slot_given_up_or_failing_does_not_stop_the_line() -> None:
    pacer = Pacer(interval=0.01)
    sent: list[str] = []
    with pacer.reserve("C1"):
        pass  # a listener that decided not to reply
    failing = pacer.reserve("C1")
    last = pacer.reserve("C1")
    failing.send(lambda: 1 / 0)
    last.send(lambda: sent.append("after"))
    _wait(sent, 1)
    assert sent == ["after"]


def test_a_slot_never_filled_is_skipped_after_a_while() -> None:
    pacer = Pacer(interval=0.01, give_up_after=0.2)
    sent: list[str] = []
    pacer.reserve("C1")  # never filled nor freed
    pacer.send("C1", lambda: sent.append("next"))
    _wait(sent, 1)
    assert sent == ["next"]


def test_channels_do_not_wait_for_each_other() -> None:
    pacer = Pacer(interval=5.0)
    sent: list[str] = []
    pacer.send("C1", lambda: sent.append("C1 first"))
    pacer.send("C1", lambda: sent.append("C1 second"))  # 5 s later
    pacer.send("C2", lambda: sent.append("C2 first"))
    _wait(sent, 2)
    assert sorted(sent) == ["C1 first", "C2 first"]
