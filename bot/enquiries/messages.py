"""Block Kit for Ask the mutuals team: the button, the team's message, what the asker is told,
and the admins' lists. Pure functions; every question, detail and answer is escaped, so a
`<!channel>` or `<@U…>` typed by anyone shows as text and pings nobody.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.dates import format_day, format_moment
from bot.enquiries.service import DECLINED, NOT_HELPFUL
from bot.enquiries.store import ANSWERED, CLOSED, Enquiry
from bot.enquiries.team_answers import SOURCE, TeamAnswer
from bot.enquiries.views import Asking, quoted
from bot.slack import ids
from bot.slack.blocks import (
    MAX_BUTTON_VALUE,
    Block,
    Message,
    actions,
    button,
    context,
    header,
    message,
    section,
)
from bot.slack.escape import escape, link, mention, truncate_mrkdwn

MAX_LISTED = 20  # enquiries or team answers listed in one message, each with its buttons
MAX_QUOTE = 600  # of a question quoted in a list


def ask_team_actions(question: str, not_helpful: bool = False) -> Block:
    """The *Ask the mutuals team* button, carrying the question and why it is asked."""
    block_id = ids.ASK_TEAM_UNHELPFUL_BLOCK if not_helpful else ids.ASK_TEAM_BLOCK
    asking = Asking(question, NOT_HELPFUL if not_helpful else DECLINED)
    value = asking.to_metadata(MAX_BUTTON_VALUE)
    return actions(block_id, [button("Ask the mutuals team", ids.ASK_TEAM, value)])


ASK_TEAM_NOTE = "The mutuals team can answer this in Slack: you choose what is shared."


# -- the team's message -------------------------------------------------------------------------


def _asked(enquiry: Enquiry) -> list[Block]:
    why = ("the assistant's answer was marked not helpful" if enquiry.reason == NOT_HELPFUL
           else "the assistant had no answer")  # fmt: skip
    blocks = [
        section(f"{mention(enquiry.user_id)} asked:\n{quoted(enquiry.question)}"),
    ]
    if enquiry.detail:
        blocks.append(section(f"*They add*\n{quoted(enquiry.detail)}"))
    blocks.append(context(f"Enquiry {enquiry.id} · asked {format_moment(enquiry.created_at)} "
                          f"UTC · {why}"))  # fmt: skip
    return blocks


def enquiry_buttons(enquiry_id: int) -> Block:
    value = str(enquiry_id)
    close = button("Close", ids.ENQUIRY_CLOSE, value)
    close["confirm"] = {
        "title": {"type": "plain_text", "text": "Close without an answer?"},
        "text": {"type": "mrkdwn", "text": "The asker is told the team closed it."},
        "confirm": {"type": "plain_text", "text": "Close it"},
        "deny": {"type": "plain_text", "text": "Keep it open"},
    }
    return actions(
        f"{ids.ENQUIRY_BLOCK}_{value}",
        [button("Answer", ids.ENQUIRY_ANSWER, value, style="primary"), close],
    )


UNDELIVERED = (
    "I could not send this to the asker in Slack (their account may be deactivated): "
    "nothing was lost, the enquiry is kept."
)


def team_message(enquiry: Enquiry, undelivered: bool = False) -> Message:
    """The enquiry in the team channel: Answer and Close while open, then who did what, when."""
    title = f"Enquiry {enquiry.id} for the mutuals team"
    blocks = [section(f"*{title}*"), *_asked(enquiry)]
    if enquiry.is_open:
        blocks.append(enquiry_buttons(enquiry.id))
    else:
        blocks.append(section(outcome_line(enquiry)))
        if enquiry.status == ANSWERED and enquiry.answer:
            blocks.append(section(f"*Answer*\n{quoted(enquiry.answer)}"))
    if undelivered:
        blocks.append(context(UNDELIVERED))
    return message(f"{title}: {enquiry.question}", blocks)


def outcome_line(enquiry: Enquiry) -> str:
    when = format_moment(enquiry.resolved_at) + " UTC" if enquiry.resolved_at else "earlier"
    verb = "Answered" if enquiry.status == ANSWERED else "Closed without an answer"
    return f":white_check_mark: *{verb}* by {mention(enquiry.resolved_by)} on {when}."


# -- what the asker is told ---------------------------------------------------------------------


def sent_text(enquiry: Enquiry, created: bool) -> str:
    """The asker's modal after Send (mrkdwn)."""
    if created:
        return ("*Sent to the mutuals team.* Their answer will come to you in a direct message "
                "from me.")  # fmt: skip
    when = format_day(enquiry.created_at)
    if enquiry.status == ANSWERED:
        return f"You asked the mutuals team this on {when}, and they answered: see your DMs."
    if enquiry.status == CLOSED:
        return f"You asked the mutuals team this on {when}; they closed it without an answer."
    return f"You already sent this to the mutuals team on {when}: it is with them now."


def confirmation_message(enquiry: Enquiry) -> Message:
    """A DM to the asker: a record of what went to the team."""
    text = "I sent your question to the mutuals team. Their answer will come here."
    return message(text, [section(text), section(quoted(enquiry.question))])


def answer_message(enquiry: Enquiry, source_title: str = "", source_url: str = "") -> Message:
    """The team's answer, to the asker: their question, the answer, attributed and dated."""
    when = format_day(enquiry.resolved_at) if enquiry.resolved_at else ""
    blocks = [
        header("The mutuals team answered your question"),
        section(f"*You asked*\n{quoted(truncate_mrkdwn(enquiry.question, MAX_QUOTE))}"),
        section(escape(enquiry.answer)),
    ]
    if source_url:
        blocks.append(context(f"Source: {link(source_url, source_title or source_url)}"))
    blocks.append(context(f"From the mutuals team, answered in Slack on {escape(when)}."))
    return message(f"The mutuals team answered: {enquiry.answer}", blocks)


def closed_message(enquiry: Enquiry) -> Message:
    """A polite note to the asker that the team closed their enquiry without an answer."""
    text = (
        "The mutuals team has looked at your question and closed it without an answer in "
        "Slack: it may be outside what they can advise on, or already covered elsewhere. "
        f"Thank you for asking. You can always ask me again with `{ids.COMMAND} your question`."
    )
    blocks = [section(text), section(quoted(truncate_mrkdwn(enquiry.question, MAX_QUOTE)))]
    return message("The mutuals team closed your question without an answer.", blocks)


# -- the team and the admins --------------------------------------------------------------------


def not_posted_message(enquiry: Enquiry, channel: str, error: str) -> Message:
    """To the admins: an enquiry is stored but could not be posted to the team channel."""
    if not channel:
        why = "no team channel is set (`MUTUALS_TEAM_CHANNEL` or `MUTUALS_ADMIN_CHANNEL`)"
    elif error in ("not_in_channel", "channel_not_found", "is_archived"):
        why = (f"I am not a member of <#{escape(channel)}> ({escape(error)}): invite me with "
               "`/invite @Mutuals Assistant` there")  # fmt: skip
    else:
        why = f"Slack refused the post to <#{escape(channel)}> ({escape(error or 'no reply')})"
    text = (
        f"*Enquiry {enquiry.id} is stored but did not reach the team:* {why}. "
        f"`{ids.COMMAND} enquiries` lists the open enquiries, with Answer and Close."
    )
    return message(f"Enquiry {enquiry.id} did not reach the team channel.", [section(text)])


def age(since: datetime, now: datetime) -> str:
    """How long ago, as people say it: "5 minutes", "3 hours", "2 days"."""
    seconds = max(0, int((now - since).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "under a minute"


def enquiries_message(found: Sequence[Enquiry], now: datetime) -> Message:
    """Open enquiries, oldest first, each with its age and Answer and Close."""
    if not found:
        text = "No open enquiries: the mutuals team is up to date."
        return message(text, [section(text)])
    title = f"Open enquiries: {len(found)}"
    blocks: list[Block] = [header(title)]
    for enquiry in found[:MAX_LISTED]:
        question = truncate_mrkdwn(escape(" ".join(enquiry.question.split())), MAX_QUOTE)
        blocks.append(section(f"*{enquiry.id}.* {mention(enquiry.user_id)}, "
                              f"{age(enquiry.created_at, now)} ago: {question}"))  # fmt: skip
        blocks.append(enquiry_buttons(enquiry.id))
    if len(found) > MAX_LISTED:
        blocks.append(context(f"…and {len(found) - MAX_LISTED} more (`mutuals enquiries list`)."))
    return message(title, blocks)


def team_answers_message(answers: Sequence[TeamAnswer]) -> Message:
    """The team answers the assistant serves, each with Edit and Retire."""
    if not answers:
        text = ("The assistant serves no team answers yet. Answer an enquiry with "
                "*Add this to the assistant's answers* ticked to add one.")  # fmt: skip
        return message(text, [section(text)])
    title = f"Team answers the assistant serves: {len(answers)}"
    blocks: list[Block] = [header(title)]
    for answer in answers[:MAX_LISTED]:
        question = truncate_mrkdwn(escape(answer.question), MAX_QUOTE)
        text = truncate_mrkdwn(escape(" ".join(answer.answer.split())), MAX_QUOTE)
        blocks.append(section(f"*{answer.id}.* {question}\n{text}"))
        blocks.append(context(f"{SOURCE}, as of {answer.as_of}, by {mention(answer.answered_by)}"))
        retire = button("Retire", ids.TEAM_ANSWER_RETIRE, str(answer.id), style="danger")
        blocks.append(
            actions(
                f"team_answer_{answer.id}",
                [button("Edit", ids.TEAM_ANSWER_EDIT, str(answer.id)), retire],
            )
        )
    if len(answers) > MAX_LISTED:
        blocks.append(context(f"…and {len(answers) - MAX_LISTED} more (`mutuals answers list`)."))
    return message(title, blocks)


def refused_message(what: str, admins: bool = False) -> Message:
    """A polite refusal that shows nothing of what the request would have."""
    who = "admins" if admins else "the mutuals team"
    text = f"Sorry, {what} is for {who} only."
    return message(text, [section(f"Sorry, {escape(what)} is for {who} only.")])


def simple_message(text: str) -> Message:
    """A one-section message of our own words (no user text in it)."""
    return message(text, [section(escape(text))])
