"""Block Kit for the admin surfaces: reindex results, knowledge gaps, usage stats, the panel.

Pure functions over the plain results of `bot.admin.service` and `bot.admin.reports`. Document ids,
problems and questions come from files and people, so each goes through `bot.escape`; long
lists are packed into sections within Slack's limits and end with "and N more".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.admin.reports import GapGroup, Stats, hours_text
from bot.admin.service import DEFAULT_DAYS, MAX_DAYS, IndexStatus, ReindexOutcome
from bot.dates import format_moment
from bot.slack import ids
from bot.slack.blocks import (
    MAX_BLOCKS,
    MAX_SECTION,
    Block,
    Message,
    actions,
    button,
    context,
    header,
    message,
    section,
    simple,
)
from bot.slack.escape import escape, slack_length, truncate_mrkdwn

MAX_LINE = 400  # one problem or gap line, after escaping
MAX_PROBLEMS = 60  # problems listed before "and N more"
MAX_GAPS = 40  # gap groups listed before "and N more"
MAX_DOC_IDS = 25  # document ids listed per kind (added, changed, removed)


def packed(
    lines: Sequence[str], limit: int, more: str, max_blocks: int = MAX_BLOCKS - 5
) -> list[Block]:
    """Escaped mrkdwn lines in as few sections as fit; after `limit` lines, `more` with the count
    left out ("{n}" in it), so a list of any length stays within Slack's limits."""
    shown = [truncate_mrkdwn(line, MAX_LINE) for line in lines[:limit]]
    sections: list[str] = []
    for line in shown:
        if sections and slack_length(sections[-1]) + 1 + slack_length(line) <= MAX_SECTION:
            sections[-1] += "\n" + line
        elif len(sections) < max_blocks:
            sections.append(line)
        else:
            break
    listed = sum(s.count("\n") + 1 for s in sections)
    blocks = [section(s) for s in sections]
    if listed < len(lines):
        blocks.append(context(more.format(n=len(lines) - listed)))
    return blocks


# -- refusals and usage -----------------------------------------------------------------------


def refused_message(subcommand: str | None = None) -> Message:
    """A polite refusal that says nothing about what the command would have shown."""
    what = f"`{ids.COMMAND} {escape(subcommand)}`" if subcommand else "That button"
    return simple(f"Sorry, {what} is for admins only. `{ids.COMMAND} help` lists what I can do.")


def days_usage_message(subcommand: str) -> Message:
    return simple(
        f"Usage: `{ids.COMMAND} {escape(subcommand)} [days]`, where days is a whole number "
        f"from 1 to {MAX_DAYS} (default {DEFAULT_DAYS})."
    )


# -- reindex ----------------------------------------------------------------------------------


def reindex_started_message() -> Message:
    return simple(
        "Reindexing… The current index keeps answering until the new one is ready; "
        "I will tell you here how it went."
    )


def reindex_running_message() -> Message:
    return simple("A reindex is already running. Try again when it has finished.")


def reindex_unavailable_message() -> Message:
    return simple(
        "This server answers from a fixed index, so it cannot reindex from Slack. "
        "Run `mutuals index` where it runs, then restart it."
    )


def reindex_result_message(outcome: ReindexOutcome) -> Message:
    """Counts and changed documents; or every knowledge problem; or why it failed."""
    if outcome.report is not None:
        return _reindexed(outcome)
    if outcome.running:
        return reindex_running_message()
    if outcome.problems:
        return _problems(outcome)
    return simple(
        f"The reindex failed ({escape(outcome.error or 'unknown error')}). The old index is "
        "still serving; the server log has the details."
    )


def _reindexed(outcome: ReindexOutcome) -> Message:
    report = outcome.report
    assert report is not None
    summary = (
        f"*Reindexed.* The new index is serving: {report.documents} documents, "
        f"{report.passages} passages, built in {report.seconds:.2f} s."
    )
    lines = [
        _doc_ids(kind, found)
        for kind, found in (
            ("Added", report.added),
            ("Changed", report.changed),
            ("Removed", report.removed),
        )
        if found
    ]
    changes = "\n".join(lines) if lines else "No documents were added, changed or removed."
    blocks = [section(summary), section(changes)]
    if report.left_out:  # broken team answers: reported, not served
        count = len(report.left_out)
        blocks.append(section(f"*Left out* ({count}), not served until fixed or retired:"))
        problems = [f"• {escape(str(p))}" for p in report.left_out]
        blocks += packed(problems, MAX_PROBLEMS, "…and {n} more: `mutuals check` lists them all.",
                         max_blocks=10)  # fmt: skip
    return message(summary, blocks)


def _doc_ids(kind: str, doc_ids: Sequence[str]) -> str:
    shown = ", ".join(escape(d) for d in doc_ids[:MAX_DOC_IDS])
    more = f" and {len(doc_ids) - MAX_DOC_IDS} more" if len(doc_ids) > MAX_DOC_IDS else ""
    return f"*{kind}* ({len(doc_ids)}): {shown}{more}"


def _problems(outcome: ReindexOutcome) -> Message:
    count = len(outcome.problems)
    summary = (
        f"*Reindex stopped: the knowledge has {count} problem{'s' if count != 1 else ''}.* "
        "The old index is still serving. Fix these and reindex again:"
    )
    lines = [f"• {escape(str(p))}" for p in outcome.problems]
    more = "…and {n} more: `mutuals check` lists every problem."
    return message(summary, [section(summary), *packed(lines, MAX_PROBLEMS, more)])


# -- reports ----------------------------------------------------------------------------------


def gaps_message(groups: Sequence[GapGroup], days: int) -> Message:
    """Declined and Not helpful questions, grouped, most frequent first, with counts."""
    title = f"Knowledge gaps: last {days} day{'s' if days != 1 else ''}"
    if not groups:
        text = f"No questions were declined or marked Not helpful in the last {days} days."
        return message(text, [header(title), section(text)])
    asked = sum(g.count for g in groups)
    intro = (
        f"{asked} question{'s' if asked != 1 else ''} in {len(groups)} "
        f"group{'s' if len(groups) != 1 else ''}, most frequent first. Near-identical "
        "wordings count together."
    )
    lines = [_gap_line(g) for g in groups]
    more = f"…and {{n}} more groups: `mutuals report gaps --days {days} --csv FILE` lists them all."
    return message(
        f"{title}: {intro}", [header(title), context(intro), *packed(lines, MAX_GAPS, more)]
    )


def _gap_line(group: GapGroup) -> str:
    when = f"{group.last_asked.day} {group.last_asked:%B %Y}"
    covered = "  :white_check_mark: _a team answer now covers this_" if group.covered else ""
    return f"*{group.count}×* {escape(group.wording)}  _({group.source}, last {when})_{covered}"


def stats_message(stats: Stats) -> Message:
    """Questions, share answered, feedback, answer times and registrations in the period."""
    title = f"Usage: last {stats.days} day{'s' if stats.days != 1 else ''}"
    rated = stats.helpful + stats.not_helpful
    figures = [
        ("Questions asked", f"{stats.questions:,}"),
        ("Answered", f"{stats.answered:,} ({stats.answered_share:.0%})"),
        ("Helpful", _share(stats.helpful, rated)),
        ("Not helpful", _share(stats.not_helpful, rated)),
        ("Median answer time", f"{stats.median_ms:.0f} ms"),
        ("95th percentile answer time", f"{stats.p95_ms:.0f} ms"),
        ("Registrations", f"{stats.registrations_total:,} in total"),
        ("New registrations", f"{stats.registrations_new:,} in the period"),
        ("Enquiries to the team", f"{stats.enquiries_opened:,} opened"),
        (
            "Enquiries resolved",
            f"{stats.enquiries_answered:,} answered, {stats.enquiries_closed:,} closed",
        ),
        ("Median time to answer", hours_text(stats.median_hours_to_answer)),
    ]
    fields = [{"type": "mrkdwn", "text": f"*{name}*\n{value}"} for name, value in figures]
    since = f"Since {format_moment(stats.since)} (UTC)."
    text = f"{title}: {stats.questions} questions, {stats.answered_share:.0%} answered."
    sections = [
        {"type": "section", "fields": fields[i : i + 10]} for i in range(0, len(fields), 10)
    ]
    return message(text, [header(title), *sections, context(since)])


def _share(part: int, whole: int) -> str:
    return f"{part:,} ({part / whole:.0%} of rated)" if whole else f"{part:,}"


# -- App Home admin panel ---------------------------------------------------------------------


def admin_panel(status: IndexStatus, open_enquiries: int | None = 0) -> list[Block]:
    """Index status, open enquiries and the admin buttons; results arrive in the admin's DM."""
    state = f"*Index serving*: built {escape(_built_at(status.built_at))}, " + (
        f"{status.documents} documents, {status.passages} passages."
    )
    waiting = "unknown just now" if open_enquiries is None else f"{open_enquiries:,}"
    state += f"\n*Open enquiries to the mutuals team*: {waiting}."
    if status.reindexing:
        state += "\n_A reindex is running now._"
    if not status.live:
        state += "\n_This server answers from a fixed index: reindexing from Slack is off._"
    buttons = [
        button("Reindex", ids.ADMIN_REINDEX, "reindex", style="primary"),
        button("Knowledge gaps", ids.ADMIN_GAPS, "gaps"),
        button("Usage stats", ids.ADMIN_STATS, "stats"),
        button("Registrations", ids.ADMIN_REGISTRATIONS, "registrations"),
        button("Export registrations", ids.ADMIN_EXPORT, "export"),
        button("Enquiries", ids.ADMIN_ENQUIRIES, "enquiries"),
        button("Team answers", ids.ADMIN_ANSWERS, "answers"),
    ]
    return [
        {"type": "divider"},
        header("Admin"),
        section(state),
        actions(ids.ADMIN_BLOCK, buttons),
        context(
            "Results arrive in your direct messages with me. Only admins "
            "(`MUTUALS_ADMIN_USERS`) see this panel."
        ),
    ]


def with_admin_panel(view: Block, status: IndexStatus, open_enquiries: int | None = 0) -> Block:
    """The home view with the admin panel added at the end (kept within 50 blocks)."""
    panel = admin_panel(status, open_enquiries)
    kept = view["blocks"][: MAX_BLOCKS - len(panel)]
    return {**view, "blocks": kept + panel}


def _built_at(built_at: str) -> str:
    try:
        moment = datetime.fromisoformat(built_at)
    except ValueError:
        return built_at or "unknown"
    return format_moment(moment) + " UTC"
