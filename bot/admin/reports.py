"""Admin reports over the data file: knowledge gaps and usage statistics.

Plain functions with the time passed in; no Slack. The CLI prints the text tables here, and the
Slack admin surfaces render the same dataclasses as Block Kit.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.data.csv_safe import csv_text
from bot.data.db import Data, iso
from bot.data.usage import feedback_since, questions_since
from bot.enquiries.store import ANSWERED, CLOSED, enquiries_since
from bot.enquiries.team_answers import list_team_answers
from bot.registrations.store import list_registrations
from indexer.analyse import Analyser

DEFAULT_DAYS = 30
SIMILARITY = 0.6  # Jaccard similarity of token sets at which two wordings count as one gap
MAX_WORDING = 200  # characters of the representative wording shown

DECLINED = "declined"
NOT_HELPFUL = "not helpful"
BOTH = "both"
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class GapGroup:
    """Questions the assistant failed that are worded near-identically."""

    wording: str  # the most frequent original wording, cut to MAX_WORDING characters
    count: int  # askings in the group (a declined answer also marked Not helpful counts once)
    last_asked: datetime
    declined: int  # askings the assistant declined
    not_helpful: int  # askings whose answer was marked Not helpful
    covered: bool = False  # a team answer now answers it

    @property
    def source(self) -> str:
        """Where the group came from: "declined", "not helpful" or "both"."""
        if self.declined and self.not_helpful:
            return BOTH
        return DECLINED if self.declined else NOT_HELPFUL


@dataclass(frozen=True)
class Stats:
    """Usage in a period. Answer times: median, and p95 by the nearest-rank method."""

    days: int
    since: datetime
    now: datetime
    questions: int
    answered: int
    helpful: int
    not_helpful: int
    median_ms: float
    p95_ms: float
    registrations_total: int
    registrations_new: int
    enquiries_opened: int = 0  # Ask the mutuals team, in the period
    enquiries_answered: int = 0
    enquiries_closed: int = 0
    median_hours_to_answer: float | None = None  # None when none was answered

    @property
    def answered_share(self) -> float:
        """Share of questions answered, 0.0 when there were none."""
        return self.answered / self.questions if self.questions else 0.0


@dataclass(frozen=True)
class _Failure:
    """One asking that counts as a gap."""

    question: str
    at: datetime
    declined: bool
    not_helpful: bool


def knowledge_gaps(
    data: Data, now: datetime, days: int = DEFAULT_DAYS, analyser: Analyser | None = None
) -> list[GapGroup]:
    """Declined and Not-helpful questions of the last `days` days, grouped, most frequent first.

    The window is `now - days` to `now`, both included. Pass the index's analyser to group
    synonyms too; the default analyser still folds case, punctuation, stop words and stems.
    """
    since = _since(now, days)
    failures = _failures(data, since, now)
    analyser = analyser or Analyser()
    groups = _group_failures(failures, analyser)
    questions = [a.question for a in list_team_answers(data)]
    return mark_covered(groups, lambda g: _any_similar(analyser, g.wording, questions))


def mark_covered(groups: list[GapGroup], covers: Callable[[GapGroup], bool]) -> list[GapGroup]:
    """The groups, each marked covered when `covers` says a team answer now answers it."""
    return [replace(g, covered=True) if g.covered or covers(g) else g for g in groups]


def _any_similar(analyser: Analyser, wording: str, questions: Sequence[str]) -> bool:
    key = _key(analyser, wording)
    return any(_similar(key, _key(analyser, q)) for q in questions)


def _since(now: datetime, days: int) -> datetime:
    if days < 1:
        raise ValueError("days must be at least 1")
    iso(now)  # refuses a naive datetime, as the data layer does
    return now - timedelta(days=days)


def _failures(data: Data, since: datetime, now: datetime) -> list[_Failure]:
    declined = {
        q.id: _Failure(q.question, q.asked_at, True, False)
        for q in questions_since(data, since)
        if not q.answered and q.asked_at <= now
    }
    unhelpful: list[_Failure] = []
    for f in feedback_since(data, since):
        if f.helpful or f.created_at > now:
            continue
        asked = declined.get(f.question_id) if f.question_id is not None else None
        if f.question_id is not None and asked is not None:
            # One asking, declined and also marked Not helpful: it counts once.
            declined[f.question_id] = _Failure(asked.question, asked.at, True, True)
        else:  # dated when it was marked, the nearest the feedback row has to "asked"
            unhelpful.append(_Failure(f.question, f.created_at, False, True))
    return [*declined.values(), *unhelpful]


def _group_failures(failures: Iterable[_Failure], analyser: Analyser) -> list[GapGroup]:
    """Group near-identical wordings: equal token sets first, then a Jaccard merge."""
    exact: dict[frozenset[str], list[_Failure]] = {}
    for failure in failures:
        exact.setdefault(_key(analyser, failure.question), []).append(failure)
    # Seeds in a fixed order (biggest, then most recent, then by key) make the merge deterministic.
    ordered = sorted(exact.items(), key=lambda kv: _rank(kv[1], sorted(kv[0])))
    clusters: list[tuple[frozenset[str], list[_Failure]]] = []
    for key, members in ordered:
        for seed, cluster in clusters:
            if _similar(seed, key):
                cluster.extend(members)
                break
        else:
            clusters.append((key, list(members)))
    groups = [_group(members) for _, members in clusters]
    return sorted(groups, key=lambda g: (-g.count, -g.last_asked.timestamp(), g.wording))


def _key(analyser: Analyser, question: str) -> frozenset[str]:
    analysed, light = analyser.analyse(question)
    # Light tokens spell out a synonym phrase whose canonical term is kept ("community interest
    # company" -> cic) or frame the question ("how long"): without them, synonyms group together.
    tokens = frozenset(t for t in analysed if t not in light) or frozenset(analysed)
    if tokens:
        return tokens
    # Nothing but stop words: only the same words, ignoring case and punctuation, match it.
    return frozenset({"\0" + " ".join(_WORD.findall(question.casefold()))})


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    if any(t.startswith("\0") for t in a | b):
        return a == b
    return len(a & b) / len(a | b) >= SIMILARITY


def _rank(members: Sequence[_Failure], key: list[str]) -> tuple[int, float, list[str]]:
    return (-len(members), -max(m.at for m in members).timestamp(), key)


def _group(members: list[_Failure]) -> GapGroup:
    wording = _representative(members)
    if len(wording) > MAX_WORDING:
        wording = wording[: MAX_WORDING - 1] + "…"
    return GapGroup(
        wording=wording,
        count=len(members),
        last_asked=max(m.at for m in members),
        declined=sum(m.declined for m in members),
        not_helpful=sum(m.not_helpful for m in members),
    )


def _representative(members: list[_Failure]) -> str:
    """The wording asked most often; ties go to the most recent, then alphabetical order."""
    counts = Counter(" ".join(m.question.split()) for m in members)
    latest: dict[str, datetime] = {}
    for m in members:
        text = " ".join(m.question.split())
        latest[text] = max(latest.get(text, m.at), m.at)
    return min(counts, key=lambda t: (-counts[t], -latest[t].timestamp(), t))


def usage_stats(data: Data, now: datetime, days: int = DEFAULT_DAYS) -> Stats:
    """Questions, share answered, feedback, answer times and registrations in the last `days`."""
    since = _since(now, days)
    asked = [q for q in questions_since(data, since) if q.asked_at <= now]
    feedback = [f for f in feedback_since(data, since) if f.created_at <= now]
    registrations = list_registrations(data)
    times = [q.took_ms for q in asked]
    enquiries = [e for e in enquiries_since(data, since) if e.created_at <= now]
    hours = [
        (e.resolved_at - e.created_at).total_seconds() / 3600
        for e in enquiries
        if e.status == ANSWERED and e.resolved_at is not None
    ]
    return Stats(
        days=days,
        since=since,
        now=now,
        questions=len(asked),
        answered=sum(q.answered for q in asked),
        helpful=sum(f.helpful for f in feedback),
        not_helpful=sum(not f.helpful for f in feedback),
        median_ms=statistics.median(times) if times else 0.0,
        p95_ms=nearest_rank(times, 95),
        registrations_total=len(registrations),
        registrations_new=sum(since <= r.created_at <= now for r in registrations),
        enquiries_opened=len(enquiries),
        enquiries_answered=len(hours),
        enquiries_closed=sum(e.status == CLOSED for e in enquiries),
        median_hours_to_answer=statistics.median(hours) if hours else None,
    )


def nearest_rank(values: Sequence[float], percent: float) -> float:
    """The nearest-rank percentile: the smallest value with `percent`% of values at or below it."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def format_gaps(groups: Sequence[GapGroup], days: int) -> str:
    """A plain-text table of knowledge gaps for a terminal."""
    if not groups:
        return f"No declined or Not helpful questions in the last {days} days.\n"
    rows = [
        [str(g.count), g.last_asked.strftime("%Y-%m-%d"), g.source,
         "team answer" if g.covered else "", g.wording]
        for g in groups
    ]  # fmt: skip
    title = f"Knowledge gaps, last {days} days ({sum(g.count for g in groups)} questions)"
    return title + "\n\n" + _table(["count", "last asked", "from", "covered by", "question"], rows)


def format_stats(stats: Stats) -> str:
    """A plain-text table of usage statistics for a terminal."""
    rated = stats.helpful + stats.not_helpful
    rows = [
        ["questions asked", str(stats.questions)],
        ["answered", f"{stats.answered} ({stats.answered_share:.0%})"],
        ["helpful", _share(stats.helpful, rated)],
        ["not helpful", _share(stats.not_helpful, rated)],
        ["median answer time", f"{stats.median_ms:.1f} ms"],
        ["p95 answer time (nearest rank)", f"{stats.p95_ms:.1f} ms"],
        ["registrations (total)", str(stats.registrations_total)],
        ["registrations (new)", str(stats.registrations_new)],
        ["enquiries opened", str(stats.enquiries_opened)],
        ["enquiries answered", str(stats.enquiries_answered)],
        ["enquiries closed", str(stats.enquiries_closed)],
        ["median time to answer", hours_text(stats.median_hours_to_answer)],
    ]
    title = f"Usage, last {stats.days} days (since {stats.since:%Y-%m-%d %H:%M} UTC)"
    return title + "\n\n" + _table(["", ""], rows, header=False)


def _share(part: int, whole: int) -> str:
    return f"{part} ({part / whole:.0%} of rated)" if whole else str(part)


def hours_text(hours: float | None) -> str:
    """A median time to answer as people read it: "none answered", "3.5 hours", "2.1 days"."""
    if hours is None:
        return "none answered"
    return f"{hours:.1f} hours" if hours < 48 else f"{hours / 24:.1f} days"


def _table(headers: list[str], rows: list[list[str]], header: bool = True) -> str:
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(headers), line(["-" * w for w in widths])] if header else []
    return "\n".join(out + [line(r) for r in rows]) + "\n"


def gaps_csv(groups: Iterable[GapGroup]) -> str:
    """CSV text of knowledge gaps, each cell neutralised against spreadsheet formulas."""
    header = ["question", "count", "last_asked", "declined", "not_helpful", "from"]
    rows = ([g.wording, g.count, g.last_asked, g.declined, g.not_helpful, g.source] for g in groups)
    return csv_text(header, rows)
