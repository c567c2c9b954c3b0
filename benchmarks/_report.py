"""Counting and reporting for benchmarks/http_load.py: match what reached the fake Web API to
each request, and print the comparison table."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from _slack import EXPECTED, KINDS, FakeSlackProcess, Job

ANSWER_TARGET = 1.0  # seconds from sending to the answer reaching the Web API
ACK_TARGET = 0.100  # p99 seconds to the HTTP 200 at the highest level


@dataclass
class Sent:
    """One request: when it was sent, when its response arrived, and what went wrong."""

    job: Job
    started: float
    finished: float | None = None
    error: str = ""  # "" when the app answered 200 (and, for a form, did not refuse it)
    refused: bool = False  # past capacity: a fast 503, or a "busy" reply to a slash command


@dataclass
class Level:
    """What one concurrency level sent, and what the app cost meanwhile."""

    clients: int
    planned: int
    sent: list[Sent]
    started: float
    seconds: float  # first request sent to last response
    ended: float  # when its answers had all arrived (or the level timed out)
    cpu_seconds: float  # the app's
    peak_rss: int  # the app's
    harness_cpu_seconds: float = 0.0  # this process: clients and the fake Web API
    rate: float = 0.0  # open loop: requests sent at this rate whatever the replies (0: closed)

    @property
    def label(self) -> str:
        return f"{self.rate:g}/s" if self.rate else f"{self.clients} clients"


@dataclass
class Tally:
    """A level's outcome, counted once all answers are in."""

    to_200: list[float] = field(default_factory=list)
    to_answer: list[float] = field(default_factory=list)
    to_refusal: list[float] = field(default_factory=list)
    http_errors: Counter[str] = field(default_factory=Counter)
    lost: int = 0
    duplicated: int = 0
    late: int = 0
    unexpected: int = 0
    not_sent: int = 0

    @property
    def exactly_once(self) -> bool:
        return not (
            self.http_errors or self.lost or self.duplicated or self.unexpected or self.not_sent
        )


def tally(level: Level, fake: FakeSlackProcess, until: float) -> Tally:
    """Match every call that reached the fake to its request; count what is missing or extra."""
    result = Tally(not_sent=level.planned - len(level.sent))
    for sent in level.sent:
        if sent.error:
            result.http_errors[sent.error] += 1
        elif sent.refused and sent.finished is not None:
            result.to_refusal.append(sent.finished - sent.started)
            # refused before any work: an answer to it would be one too many
            answers = sum(len(fake.times(sent.job.key, slot)) for slot in EXPECTED[sent.job.kind])
            result.duplicated += answers > 0
            continue
        elif sent.finished is not None:
            result.to_200.append(sent.finished - sent.started)
        last, lost = 0.0, False
        for slot, count in EXPECTED[sent.job.kind].items():
            times = sorted(fake.times(sent.job.key, slot))
            lost = lost or len(times) < count
            result.duplicated += len(times) > count
            if len(times) >= count:
                last = max(last, times[count - 1])
        result.lost += lost
        if not lost:
            result.to_answer.append(last - sent.started)
            result.late += last - sent.started > ANSWER_TARGET
    result.unexpected = sum(1 for at, _ in fake.unexpected_calls() if level.started <= at < until)
    return result


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:,.1f}"


def table(levels: list[Level], tallies: list[Tally]) -> str:
    """One column per level, one row per measure."""
    rows: list[tuple[str, list[str]]] = [
        ("offered rate / concurrent clients", [lv.label for lv in levels]),
        ("requests sent / planned", [f"{len(lv.sent)}/{lv.planned}" for lv in levels]),
        ("requests per second", [f"{len(lv.sent) / lv.seconds:,.1f}" for lv in levels]),
    ]
    for label, attr in (("time to 200", "to_200"), ("answer at Web API", "to_answer")):
        for p in (50.0, 99.0, 100.0):
            name = "max" if p == 100 else f"p{p:.0f}"
            values = [_ms(percentile(getattr(t, attr), p)) for t in tallies]
            rows.append((f"{label} {name} (ms)", values))
    rows += [
        ("refused at once (503 or busy)", [str(len(t.to_refusal)) for t in tallies]),
        ("time to refusal p99 (ms)", [_ms(percentile(t.to_refusal, 99)) for t in tallies]),
        ("time to refusal max (ms)", [_ms(percentile(t.to_refusal, 100)) for t in tallies]),
        (f"answers later than {ANSWER_TARGET:g} s", [str(t.late) for t in tallies]),
        ("HTTP errors (non-200, timeouts)", [str(sum(t.http_errors.values())) for t in tallies]),
        ("lost answers", [str(t.lost) for t in tallies]),
        ("duplicate answers", [str(t.duplicated) for t in tallies]),
        ("unexpected Web API calls", [str(t.unexpected) for t in tallies]),
        ("app CPU per request (ms)",
         [_ms(lv.cpu_seconds / max(1, len(lv.sent))) for lv in levels]),
        ("app peak RSS (MiB)", [f"{lv.peak_rss / 2**20:,.1f}" for lv in levels]),
        ("benchmark's own CPU per request (ms)",
         [_ms(lv.harness_cpu_seconds / max(1, len(lv.sent))) for lv in levels]),
    ]  # fmt: skip
    width = max(len(label) for label, _ in rows)
    cols = [max(10, *(len(values[i]) for _, values in rows)) for i in range(len(levels))]
    lines = [
        f"{label:<{width}}  " + "  ".join(f"{v:>{w}}" for v, w in zip(values, cols, strict=True))
        for label, values in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def by_kind(level: Level, fake: FakeSlackProcess, until: float) -> str:
    """p50/p99 per kind of request at one level: where the time goes."""
    lines = [f"by kind at {level.label}:  n   200 p50/p99 (ms)   answer p50/p99 (ms)"]
    for kind in KINDS:
        of_kind = [s for s in level.sent if s.job.kind == kind]
        if not of_kind:
            continue
        part = Level(level.clients, len(of_kind), of_kind, level.started, level.seconds,
                     level.ended, 0.0, 0, rate=level.rate)  # fmt: skip
        t = tally(part, fake, until)
        t200 = f"{_ms(percentile(t.to_200, 50))}/{_ms(percentile(t.to_200, 99))}"
        tans = f"{_ms(percentile(t.to_answer, 50))}/{_ms(percentile(t.to_answer, 99))}"
        lines.append(f"  {kind:<10} {len(of_kind):>12}   {t200:>16}   {tans:>19}")
    return "\n".join(lines)


def verdicts(levels: list[Level], tallies: list[Tally]) -> list[str]:
    lines = []
    for level, t in zip(levels, tallies, strict=True):
        answered = "yes" if t.exactly_once else "no"
        detail = "" if t.exactly_once else f"  ({_problems(t)})"
        lines.append(f"{level.label:>11}: every accepted request answered exactly once: "
                     f"{answered}{detail}")  # fmt: skip
    top, t = levels[-1], tallies[-1]
    p99 = percentile(t.to_200, 99)
    on_time = t.late == 0 and not t.lost
    lines.append(
        f"targets at {top.label}: p99 time to 200 under {ACK_TARGET * 1000:.0f} ms: "
        f"{yes(p99 < ACK_TARGET)} ({_ms(p99)} ms); every answer within {ANSWER_TARGET:g} s: "
        f"{yes(on_time)} (max {_ms(percentile(t.to_answer, 100))} ms); "
        f"zero errors: {yes(t.exactly_once)}"
    )
    return lines


def yes(ok: bool) -> str:
    return "yes" if ok else "NO"


def _problems(t: Tally) -> str:
    parts = [f"{n} {what}" for what, n in sorted(t.http_errors.items())]
    for what, n in (("lost", t.lost), ("duplicated", t.duplicated),
                    ("unexpected calls", t.unexpected), ("not sent", t.not_sent)):  # fmt: skip
        if n:
            parts.append(f"{n} {what}")
    return ", ".join(parts)


def log_summary(lines: list[str], limit: int = 8) -> list[str]:
    """The app's WARNING and ERROR log lines, counted by message (the log holds ids only)."""
    counts: Counter[str] = Counter()
    for line in lines:
        for level in (" WARNING ", " ERROR ", " CRITICAL "):
            if level in line:
                message = line.split(level, 1)[1]
                counts[level.strip() + " " + _without_ids(message)] += 1
    return [f"  {n:>5} x {message}" for message, n in counts.most_common(limit)]


def _without_ids(message: str) -> str:
    return message.split(" (type=", 1)[0].split(" team=", 1)[0]
