"""The two modals of Ask the mutuals team, and reading them back: pure functions.

The asker's modal shows exactly what the team will see (the question, who is asking, and the
optional detail they add) and sends nothing until confirmed. The team's Answer modal takes the
answer, an optional source, and whether to add it to the assistant's answers (ticked).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.enquiries.service import DECLINED, MAX_DETAIL, MAX_QUESTION, REASONS, AnswerForm
from bot.enquiries.team_answers import MAX_ANSWER, MAX_SOURCE_TITLE
from bot.enquiries.team_answers import MAX_QUESTION as MAX_TEAM_QUESTION
from bot.slack import ids
from bot.slack.blocks import Block, context, plain, section
from bot.slack.escape import escape, mention, slack_length, truncate_plain

MAX_PRIVATE_METADATA = 3000
MAX_ERROR = 300
RETENTION_NOTE = (
    "Your enquiry is kept in the assistant's data file and seen by the mutuals team. It is "
    "deleted {days} days after it is answered or closed, or at once if you ask an admin to "
    "erase it. The answer comes to you in a direct message."
)
_FIELD_BLOCKS = {
    "question": ids.ANSWER_QUESTION[0],
    "answer": ids.ANSWER_TEXT[0],
    "source_title": ids.ANSWER_SOURCE_TITLE[0],
    "source_url": ids.ANSWER_SOURCE_URL[0],
}


def quoted(text: str) -> str:
    """User text as an escaped mrkdwn quote, every line marked."""
    return "\n".join(f"> {line}" for line in escape(text).splitlines() or [""])


# -- the asker's modal ----------------------------------------------------------------------


@dataclass(frozen=True)
class Asking:
    """What the asker's modal carries to its submission: the question and why it was asked."""

    question: str
    reason: str = DECLINED

    def to_metadata(self, limit: int = MAX_PRIVATE_METADATA) -> str:
        """JSON within `limit` (a modal's metadata; 2,000 for a button's value)."""
        question = self.question[:MAX_QUESTION]
        while True:
            text = json.dumps({"t": question, "r": self.reason}, ensure_ascii=False)
            if slack_length(text) <= limit:
                return text
            question = question[: max(0, len(question) - 50)]

    @classmethod
    def from_metadata(cls, text: object) -> Asking | None:
        try:
            data = json.loads(text) if isinstance(text, str) else None
        except ValueError:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("t"), str):
            return None
        reason = data.get("r") if data.get("r") in REASONS else DECLINED
        return cls(data["t"], str(reason))


def enquiry_modal(asking: Asking, user_id: str, retention_days: int) -> dict[str, Any]:
    """The confirm modal: exactly what will be shared, an optional detail, then Send."""
    detail: Block = {
        "type": "input",
        "block_id": ids.ENQUIRY_DETAIL_BLOCK,
        "optional": True,
        "label": plain("Anything to add? (optional)"),
        "hint": plain("Leave out anything you would not want the team to keep."),
        "element": {
            "type": "plain_text_input",
            "action_id": ids.ENQUIRY_DETAIL,
            "multiline": True,
            "max_length": MAX_DETAIL,
        },  # fmt: skip
    }
    return {
        "type": "modal",
        "callback_id": ids.ENQUIRY_CALLBACK,
        "title": plain("Ask the mutuals team"),
        "submit": plain("Send to the team"),
        "close": plain("Cancel"),
        "private_metadata": asking.to_metadata(),
        "blocks": [
            section(
                "The mutuals team will see exactly this, and nothing is sent until you "
                "choose *Send to the team*."
            ),  # fmt: skip
            section(f"*Your question*\n{quoted(asking.question[:MAX_QUESTION])}"),
            section(f"*Who is asking*: {mention(user_id)}"),
            detail,
            context(RETENTION_NOTE.format(days=retention_days)),
        ],
    }


def sent_view(text: str) -> dict[str, Any]:
    """The modal once sent (or found already sent): what happened, and a Close button."""
    return {
        "type": "modal",
        "title": plain("Ask the mutuals team"),
        "close": plain("Close"),
        "blocks": [section(text)],
    }


def enquiry_detail(view: object) -> str:
    return _input_value(view, (ids.ENQUIRY_DETAIL_BLOCK, ids.ENQUIRY_DETAIL))


# -- the team's Answer modal ----------------------------------------------------------------


def answer_modal(
    callback_id: str, private_metadata: str, question: str, intro: str = "",
    answer: str = "", source_title: str = "", source_url: str = "", offer_add: bool = True,
) -> dict[str, Any]:  # fmt: skip
    """The Answer modal (or the Edit modal of a team answer, `offer_add=False`)."""
    blocks: list[Block] = [section(intro)] if intro else []
    blocks += [
        _text_input(
            ids.ANSWER_QUESTION,
            "Question, as the assistant should recognise it",
            question,
            MAX_TEAM_QUESTION,
            hint="Kept without who asked: leave out anything personal.",
        ),  # fmt: skip
        _text_input(
            ids.ANSWER_TEXT,
            "Answer",
            answer,
            MAX_ANSWER,
            multiline=True,
            hint="Sent to the asker as you write it, from the mutuals team.",
        ),
        _text_input(
            ids.ANSWER_SOURCE_TITLE, "Source title", source_title, MAX_SOURCE_TITLE, optional=True
        ),  # fmt: skip
        _url_input(source_url),
    ]
    if offer_add:
        option = {"text": plain("Add this to the assistant's answers"),
                  "value": ids.ANSWER_ADD_VALUE}  # fmt: skip
        blocks.append({
            "type": "input", "block_id": ids.ANSWER_ADD[0], "optional": True,
            "label": plain("Teach the assistant"),
            "hint": plain("The next person who asks this gets your answer at once."),
            "element": {"type": "checkboxes", "action_id": ids.ANSWER_ADD[1],
                        "options": [option], "initial_options": [option]},
        })  # fmt: skip
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain("Answer the enquiry" if offer_add else "Edit team answer"),
        "submit": plain("Send answer" if offer_add else "Save"),
        "close": plain("Cancel"),
        "private_metadata": private_metadata[:MAX_PRIVATE_METADATA],
        "blocks": blocks,
    }


def _text_input(
    ids_: tuple[str, str], label: str, initial: str, limit: int, multiline: bool = False,
    optional: bool = False, hint: str = "",
) -> Block:  # fmt: skip
    element: Block = {"type": "plain_text_input", "action_id": ids_[1], "max_length": limit,
                      "multiline": multiline}  # fmt: skip
    if initial:
        element["initial_value"] = _cut(initial, limit)
    block: Block = {"type": "input", "block_id": ids_[0], "label": plain(label),
                    "optional": optional, "element": element}  # fmt: skip
    if hint:
        block["hint"] = plain(hint)
    return block


def _url_input(initial: str) -> Block:
    element: Block = {"type": "url_text_input", "action_id": ids.ANSWER_SOURCE_URL[1]}
    if initial:
        element["initial_value"] = initial
    return {"type": "input", "block_id": ids.ANSWER_SOURCE_URL[0], "optional": True,
            "label": plain("Source web address"), "element": element}  # fmt: skip


def _cut(text: str, units: int) -> str:
    text = text[:units]
    while slack_length(text) > units:
        text = text[:-1]
    return text


def parse_answer(view: object) -> AnswerForm:
    """The Answer modal as submitted; anything missing or odd reads as empty (add: unticked)."""
    add = _mapping(_values(view).get(ids.ANSWER_ADD[0])).get(ids.ANSWER_ADD[1])
    chosen = _mapping(add).get("selected_options")
    ticked = isinstance(chosen, list) and any(
        _mapping(o).get("value") == ids.ANSWER_ADD_VALUE for o in chosen
    )
    return AnswerForm(
        question=_input_value(view, ids.ANSWER_QUESTION),
        answer=_input_value(view, ids.ANSWER_TEXT),
        source_title=_input_value(view, ids.ANSWER_SOURCE_TITLE),
        source_url=_input_value(view, ids.ANSWER_SOURCE_URL),
        add=ticked,
    )


def errors_response(errors: Mapping[str, str]) -> dict[str, Any]:
    """Each field's error under its input; an error of no field goes under the answer."""
    shown: dict[str, str] = {}
    for name, text in errors.items():
        block = _FIELD_BLOCKS.get(name, ids.ANSWER_TEXT[0])
        shown.setdefault(block, truncate_plain(text, MAX_ERROR))
    return {"response_action": "errors", "errors": shown}


def detail_errors(text: str) -> dict[str, Any]:
    return {"response_action": "errors",
            "errors": {ids.ENQUIRY_DETAIL_BLOCK: truncate_plain(text, MAX_ERROR)}}  # fmt: skip


def metadata_id(view: object) -> int | None:
    """The record id a modal's private_metadata carries, or None if it is not one."""
    text = _mapping(view).get("private_metadata")
    if isinstance(text, str) and text.isascii() and text.isdigit() and 0 < len(text) < 19:
        return int(text)
    return None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _values(view: object) -> Mapping[str, Any]:
    return _mapping(_mapping(_mapping(view).get("state")).get("values"))


def _input_value(view: object, ids_: tuple[str, str]) -> str:
    value = _mapping(_mapping(_values(view).get(ids_[0])).get(ids_[1])).get("value")
    return value if isinstance(value, str) else ""
