"""Block Kit for answers, help and feedback: pure functions, escaped, within Slack's limits.

Every string from a person or from the knowledge goes through `bot.slack.escape` before it
enters mrkdwn, so any question or passage renders and nothing pings anyone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.answers.compose import Answer
from bot.answers.examples import EXAMPLE_QUESTIONS
from bot.dates import format_date
from bot.enquiries.messages import ASK_TEAM_NOTE, ask_team_actions
from bot.registrations.messages import register_actions
from bot.slack import ids
from bot.slack.blocks import (
    MAX_BUTTON_VALUE,
    Block,
    Message,
    actions,
    button,
    context,
    fallback,
    feedback_buttons,
    fit,
    section,
    simple,
)
from bot.slack.escape import escape, link, mention, slack_length, truncate_mrkdwn
from indexer.search import Hit

MAX_ASKED = 500  # how much of a long question is restated


@dataclass(frozen=True)
class AnswerRef:
    """What an answer's buttons carry: the question-log id, the question, the passages shown."""

    question_id: int | None
    question: str
    passage_ids: tuple[str, ...]
    thread_ts: str | None = None  # where *Share in thread* posts (a message shortcut's answer)

    @classmethod
    def of(cls, answer: Answer, question_id: int | None, thread_ts: str | None = None) -> AnswerRef:
        shown = answer.hits[:1] + answer.related if answer.answered else ()
        return cls(question_id, answer.question, tuple(h.passage.id for h in shown), thread_ts)

    def to_value(self, helpful: bool | None = None) -> str:
        """A button value of at most 2,000 characters (a long question is shortened); a
        feedback button's says which verdict it gives."""
        question = self.question
        while True:
            fields: dict[str, object] = {
                "q": self.question_id,
                "p": [p[:200] for p in self.passage_ids[:3]],
                "t": question,
            }
            if helpful is not None:
                fields["h"] = int(helpful)
            if self.thread_ts:
                fields["th"] = self.thread_ts[:40]
            value = json.dumps(fields, ensure_ascii=False)
            overflow = slack_length(value) - MAX_BUTTON_VALUE
            if overflow <= 0:
                return value
            question = question[: max(0, len(question) - max(overflow, 1))]

    @classmethod
    def from_value(cls, value: str) -> AnswerRef | None:
        """Parse a button value; None if it is not one of ours."""
        try:
            data = json.loads(value)
            question_id, passages, question = data["q"], data["p"], data["t"]
        except (TypeError, ValueError, KeyError):
            return None
        if question_id is not None and (type(question_id) is not int or question_id < 1):
            return None
        if not isinstance(question, str) or not isinstance(passages, list):
            return None
        if not all(isinstance(p, str) for p in passages):
            return None
        thread_ts = data.get("th")
        if thread_ts is not None and not isinstance(thread_ts, str):
            return None
        return cls(question_id, question, tuple(passages), thread_ts)


# -- block primitives -------------------------------------------------------------------------


# -- answers -----------------------------------------------------------------------------------


def answer_blocks(answer: Answer, question_id: int | None) -> list[Block]:
    """The answer, its sources with the as-of date, related passages, feedback buttons, and
    Register interest (its own block, so the feedback note that replaces the votes keeps it)."""
    blocks = [section(escape(answer.text))]
    if not answer.answered:
        if answer.closest:
            blocks.append(context(closest_text(answer.closest)))
        if not answer.small_talk:
            # A person can take it from here: the mutuals team answers in Slack.
            blocks += [context(ASK_TEAM_NOTE), ask_team_actions(answer.question)]
        return blocks
    if answer.sources:
        blocks.append(context(sources_line(answer)))
    if answer.related:
        blocks.append(section(related_text(answer.related)))
    blocks.append(feedback_actions(AnswerRef.of(answer, question_id)))
    blocks.append(register_actions())
    return blocks


def feedback_actions(ref: AnswerRef) -> Block:
    """Helpful / Not helpful: Slack's feedback buttons where the SDK has them, else buttons."""
    helpful, not_helpful = ref.to_value(helpful=True), ref.to_value(helpful=False)
    native = feedback_buttons(ids.FEEDBACK_BLOCK, ids.FEEDBACK, ("Helpful", helpful),
                              ("Not helpful", not_helpful))  # fmt: skip
    return native or classic_feedback(helpful, not_helpful)


def classic_feedback(helpful: str, not_helpful: str) -> Block:
    return actions(
        ids.FEEDBACK_BLOCK,
        [
            button("Helpful", ids.HELPFUL, helpful),
            button("Not helpful", ids.NOT_HELPFUL, not_helpful),
        ],
    )


def with_buttons(message: Message) -> Message:
    """The same message with Slack's feedback buttons swapped for plain buttons: for where a
    surface refuses the newer blocks (`invalid_blocks`)."""

    def plain(block: Block) -> Block:
        if block.get("type") != "context_actions" or block.get("block_id") != ids.FEEDBACK_BLOCK:
            return block
        element = block["elements"][0]
        return classic_feedback(element["positive_button"]["value"],
                                element["negative_button"]["value"])  # fmt: skip

    return {"text": message["text"], "blocks": [plain(b) for b in message["blocks"]]}


def verdict_of(value: str) -> bool | None:
    """Which verdict a feedback button's value gives (None if it does not say)."""
    try:
        verdict = json.loads(value).get("h")
    except (TypeError, ValueError, AttributeError):
        return None
    return bool(verdict) if verdict in (0, 1) else None


def sources_line(answer: Answer) -> str:
    label = "Sources" if len(answer.sources) > 1 else "Source"
    if answer.as_of:
        label += f" (as of {escape(format_date(answer.as_of))})"
    return f"{label}: " + " · ".join(link(s.url, s.title) for s in answer.sources)


def closest_text(closest: tuple[Hit, ...]) -> str:
    """A decline's nearest guidance, as links (it does not answer: it may be a start)."""
    return "Closest guidance I hold: " + " · ".join(
        link(h.passage.url, f"{h.passage.title}: {h.passage.section}" if h.passage.section
             else h.passage.title)
        for h in closest
    )  # fmt: skip


def related_text(related: tuple[Hit, ...]) -> str:
    lines = ["*Related*"]
    for hit in related:
        p = hit.passage
        title = f"{p.title}: {p.section}" if p.section else p.title
        line = f"• {link(p.url, title)}"
        if p.as_of:
            line += f" (as of {escape(format_date(p.as_of))})"
        lines.append(line)
    return "\n".join(lines)


def asked_line(question: str, user_id: str | None = None) -> Block:
    who = f"{mention(user_id)} asked" if user_id else "You asked"
    return context(f"{who}: {truncate_mrkdwn(escape(question), MAX_ASKED)}")


def answer_message(answer: Answer, question_id: int | None) -> Message:
    """A reply in a DM or thread."""
    return {"text": fallback(answer.text), "blocks": fit(answer_blocks(answer, question_id))}


def asked_message(answer: Answer, question_id: int | None) -> Message:
    """An answer that restates its question (an App Home example posted to the user's DM)."""
    blocks = [asked_line(answer.question)] + answer_blocks(answer, question_id)
    return {"text": fallback(answer.text), "blocks": fit(blocks)}


def slash_answer_message(answer: Answer, question_id: int | None) -> Message:
    """The ephemeral /mutuals answer: the question restated, and a Share in channel button."""
    ref = AnswerRef.of(answer, question_id)
    share = actions(ids.SHARE_BLOCK, [button("Share in channel", ids.SHARE, ref.to_value())])
    blocks = [asked_line(answer.question)] + answer_blocks(answer, question_id) + [share]
    return {"text": fallback(answer.text), "blocks": fit(blocks)}


def shortcut_answer_message(answer: Answer, question_id: int | None, thread_ts: str) -> Message:
    """The private answer to "Ask Mutuals Assistant" on a message, with *Share in thread*."""
    ref = AnswerRef.of(answer, question_id, thread_ts)
    share = actions(ids.SHARE_BLOCK, [button("Share in thread", ids.SHARE_IN_THREAD,
                                             ref.to_value())])  # fmt: skip
    blocks = [asked_line(answer.question)] + answer_blocks(answer, question_id) + [share]
    return {"text": fallback(answer.text), "blocks": fit(blocks)}


def cannot_share_message() -> Message:
    return simple(
        "I couldn't post in this channel's thread: invite me to the channel "
        "(`/invite @Mutuals Assistant`) and try again."
    )


def nothing_to_ask_message() -> Message:
    return simple("That message has no text I can look up. Try `/mutuals your question`.")


def shared_message(answer: Answer, question_id: int | None, user_id: str) -> Message:
    """A /mutuals answer someone chose to share publicly."""
    blocks = [asked_line(answer.question, user_id)] + answer_blocks(answer, question_id)
    return {"text": fallback(answer.text), "blocks": fit(blocks)}


def feedback_recorded(blocks: list[Block], helpful: bool) -> list[Block]:
    """The same message with its feedback buttons replaced by a note, so no second vote."""
    verdict = "helpful" if helpful else "not helpful"
    note = context(f"Feedback recorded: {verdict}. Thank you.")
    kept = [note if b.get("block_id") == ids.FEEDBACK_BLOCK else b for b in blocks]
    return fit(kept if note in kept else kept + [note])


def thanks_message(helpful: bool, first: bool, ref: AnswerRef | None = None) -> Message:
    """Thanks for a vote; after Not helpful, the offer to ask the mutuals team (given `ref`)."""
    if not first:
        text = "Feedback on this answer was already recorded. Thank you."
    elif helpful:
        text = "Thanks for the feedback: glad it helped."
    else:
        text = "Thanks for the feedback: the mutuals team reviews answers marked not helpful."
    blocks = [section(text)]
    if not helpful and ref is not None:
        blocks += [context(ASK_TEAM_NOTE), ask_team_actions(ref.question, not_helpful=True)]
    return {"text": text, "blocks": blocks}


# -- help -----------------------------------------------------------------

ABOUT = (
    "I answer questions about *public service mutuals*: employee-led spin-outs, the Mutual "
    "Pathfinder Programme, MyCSP, Rights to Provide, the Mutuals Taskforce, support "
    "programmes, legal forms, staff transfer and pensions, and procurement. Each answer gives "
    "its source and the date its facts date from."
)
WAYS_TO_ASK = (
    "*Ways to ask*\n"
    "• Send me a direct message.\n"
    "• Mention me in a channel: I reply in the thread, and answer follow-ups there.\n"
    "• On any message, choose *Ask Mutuals Assistant* from its menu: only you see the answer.\n"
    f"• Type `{ids.COMMAND} your question`: only you see the answer, and you can share it.\n"
    f"• `{ids.COMMAND} help` shows this message.\n"
    f"• `{ids.COMMAND} register` registers your interest in forming a mutual; "
    f"`{ids.COMMAND} status` shows it and `{ids.COMMAND} withdraw` deletes it."
)


def _examples_text() -> str:
    return "*Try asking*\n" + "\n".join(f"• {escape(q)}" for q in EXAMPLE_QUESTIONS)


PANE_GREETING = (
    "Hello! Ask me about *public service mutuals*: spinning out, the Mutual Pathfinder "
    "Programme, MyCSP, Rights to Provide, staff transfer and pensions, or procurement. "
    "Each answer gives its source and the date its facts date from."
)


def pane_greeting() -> Message:
    """The first message of a new assistant pane thread (suggested prompts follow it)."""
    return simple(PANE_GREETING)


def help_message() -> Message:
    """What the assistant does, how to ask, and example questions."""
    blocks = [section(ABOUT), section(WAYS_TO_ASK), section(_examples_text())]
    return {"text": fallback("I answer questions about public service mutuals."), "blocks": blocks}
