"""Escaping and Block Kit limits: any question or knowledge text renders, and pings nobody."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.answers import blocks
from bot.answers.compose import Answer
from bot.home.blocks import home_view
from bot.home.service import HomeInfo
from bot.slack import ids
from bot.slack.blocks import MAX_BLOCKS, fit, section
from bot.slack.escape import escape, link, slack_length, truncate_mrkdwn, truncate_plain, unescape
from indexer.knowledge import Source
from indexer.search import Hit, IndexedPassage

NASTY = [
    "<!channel> is MyCSP a mutual?",
    "<!here> <!everyone> <!subteam^S123|@team>",
    "<@U123> and <@W999|someone> and <#C123|general>",
    "<https://evil.example|click> me",
    "&amp; &lt; &gt; & < > &",
    "x" * 40_000,
    "&" * 5_000,
    "<" * 5_000,
    "😀🏴󠁧󠁢󠁳󠁣󠁴󠁿👩‍👩‍👧‍👦" * 2_000,
    "מה זה מיוטואל? ما هو التعاون؟",
    "bell\x07 null\x00 escape\x1b[31m tab\t newline\n del\x7f end",
    "",
    "*bold* _it_ ~strike~ `code` ```block``` > quote",
]
# Slack special syntax that must never appear unescaped in what we send.
_RAW_SPECIAL = re.compile(r"<[!@#]|<https?://evil")


def _passage(n: int, text: str, title: str = "Title", url: str = "https://example.org/p") -> Any:
    return IndexedPassage(
        id=f"doc#{n}", doc_id="doc", title=title, section=f"Section {text[:50]}", text=text,
        url=url, as_of="2014-04-30", sources=(Source(title, url),),
    )  # fmt: skip


def _answer(text: str, answered: bool = True) -> Answer:
    hits = tuple(
        Hit(_passage(i, text, title=f"{text} {i}", url=f"https://example.org/{i}"), 5.0, 1.0)
        for i in range(3)
    )
    sources = (Source(text, "https://example.org/s"), Source(text, "javascript:alert(1)"))
    return Answer(text, answered, text or "an answer", "2014-04-30", sources, hits, 1.0)


def _texts(node: Any) -> list[tuple[str, str]]:
    """Every (type, text) text object in a block structure."""
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
            found.append((node["type"], node["text"]))
        for value in node.values():
            found += _texts(value)
    elif isinstance(node, list):
        for item in node:
            found += _texts(item)
    return found


def assert_within_limits(message: dict[str, Any]) -> None:
    block_list = message["blocks"]
    assert 0 < len(block_list) <= MAX_BLOCKS
    for block in block_list:
        if block["type"] == "section":
            assert 0 < slack_length(block["text"]["text"]) <= 3000
        if block["type"] == "header":
            assert slack_length(block["text"]["text"]) <= 150
        if block["type"] == "context":
            assert len(block["elements"]) <= 10
        if block["type"] == "actions":
            assert len(block["elements"]) <= 25
            for element in block["elements"]:
                assert slack_length(element["text"]["text"]) <= 75
                assert slack_length(element["value"]) <= 2000
                assert len(element["action_id"]) <= 255
    for kind, text in _texts(block_list):
        assert slack_length(text) <= 3000
        if kind == "mrkdwn":
            # The one mention we make on purpose: who shared an answer (a checked user id).
            text = text.replace("<@U0ASKER1> asked", "")
            assert not _RAW_SPECIAL.search(text), text[:200]
            assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text)
            assert not re.search(r"&(?!amp;|lt;|gt;)", text), "a bare or broken entity"
    if "text" in message:
        assert 0 < slack_length(message["text"]) <= 3000
        assert not _RAW_SPECIAL.search(message["text"])


@pytest.mark.parametrize("text", NASTY)
@pytest.mark.parametrize("answered", [True, False])
def test_answer_messages_escape_and_fit(text: str, answered: bool) -> None:
    answer = _answer(text, answered)
    for message in (
        blocks.answer_message(answer, 7),
        blocks.asked_message(answer, 7),
        blocks.slash_answer_message(answer, 7),
        blocks.shared_message(answer, 7, "U0ASKER1"),
    ):
        assert_within_limits(dict(message))


@pytest.mark.parametrize("text", NASTY)
def test_button_values_round_trip_within_2000(text: str) -> None:
    ref = blocks.AnswerRef.of(_answer(text), 42)
    value = ref.to_value()
    assert slack_length(value) <= 2000
    back = blocks.AnswerRef.from_value(value)
    assert back is not None
    assert back.question_id == 42 and back.passage_ids == ref.passage_ids
    assert text.startswith(back.question)


@pytest.mark.parametrize(
    "value", ["", "nope", "[]", '{"q": "1", "p": [], "t": ""}', '{"q": 1, "p": [1], "t": ""}',
              '{"q": -1, "p": [], "t": "x"}', '{"q": 1, "p": []}', '{"q": true, "p": [], "t": ""}'],
)  # fmt: skip
def test_foreign_button_values_are_refused(value: str) -> None:
    assert blocks.AnswerRef.from_value(value) is None


def test_answer_message_content() -> None:
    answer = _answer("MyCSP is a mutual.")
    message = blocks.answer_message(answer, 3)
    kinds = [b["type"] for b in message["blocks"]]
    assert kinds == ["section", "context", "section", "context_actions", "actions"]
    sources = message["blocks"][1]["elements"][0]["text"]
    assert "as of 30 April 2014" in sources
    assert "<https://example.org/s|MyCSP is a mutual.>" in sources
    assert "javascript" not in sources  # a non-http source is shown as its title only
    related = message["blocks"][2]["text"]["text"]
    assert related.count("•") == 2
    feedback = message["blocks"][3]  # Slack's own feedback buttons
    assert feedback["block_id"] == ids.FEEDBACK_BLOCK
    (thumbs,) = feedback["elements"]
    assert thumbs["type"] == "feedback_buttons" and thumbs["action_id"] == ids.FEEDBACK
    helpful, unhelpful = thumbs["positive_button"]["value"], thumbs["negative_button"]["value"]
    assert json.loads(helpful)["p"] == ["doc#0", "doc#1", "doc#2"]
    assert (blocks.verdict_of(helpful), blocks.verdict_of(unhelpful)) == (True, False)
    # Where a surface refuses them, the same message with plain buttons.
    plain = blocks.with_buttons(message)["blocks"][3]
    assert plain["type"] == "actions" and plain["block_id"] == ids.FEEDBACK_BLOCK
    assert [e["action_id"] for e in plain["elements"]] == [ids.HELPFUL, ids.NOT_HELPFUL]
    assert [e["value"] for e in plain["elements"]] == [helpful, unhelpful]
    register = message["blocks"][4]  # its own block: the feedback note that replaces the votes
    assert register["block_id"] == ids.REGISTER_BLOCK  # leaves Register interest in place
    assert [e["action_id"] for e in register["elements"]] == [ids.OPEN_REGISTRATION]


def test_declined_message_offers_the_closest_guidance_as_links_and_ask_the_team() -> None:
    message = blocks.answer_message(_answer("nothing", answered=False), 3)
    assert [b["type"] for b in message["blocks"]] == ["section", "context", "context", "actions"]
    closest = message["blocks"][1]["elements"][0]["text"]
    assert closest.startswith("Closest guidance I hold: <https://")
    assert closest.count("<https://") == 2  # the two nearest passages, as links only
    ask = message["blocks"][3]
    assert ask["block_id"] == ids.ASK_TEAM_BLOCK  # the only buttons: no votes on a decline
    assert [e["action_id"] for e in ask["elements"]] == [ids.ASK_TEAM]
    assert json.loads(ask["elements"][0]["value"])["t"] == "nothing"


def test_slash_answer_restates_and_offers_share() -> None:
    message = blocks.slash_answer_message(_answer("<!channel> What is MyCSP?"), 5)
    first = message["blocks"][0]["elements"][0]["text"]
    assert first == "You asked: &lt;!channel&gt; What is MyCSP?"
    assert message["blocks"][-1]["elements"][0]["action_id"] == ids.SHARE


def test_shared_message_names_only_a_real_user_id() -> None:
    answer = _answer("q")
    assert "<@U0ASKER1> asked" in json.dumps(blocks.shared_message(answer, 1, "U0ASKER1"))
    assert "<!channel" not in json.dumps(blocks.shared_message(answer, 1, "<!channel>"))


def test_feedback_recorded_replaces_the_buttons() -> None:
    before = blocks.answer_message(_answer("q"), 1)["blocks"]
    after = blocks.feedback_recorded(before, helpful=False)
    assert len(after) == len(before)
    assert [b.get("block_id") for b in after if b["type"] == "actions"] == [ids.REGISTER_BLOCK]
    note = next(b for b in after if b["type"] == "context" and "Feedback" in json.dumps(b))
    assert "not helpful" in note["elements"][0]["text"]


def test_home_view() -> None:
    view = home_view(HomeInfo("2025-11-29T12:00:00+00:00", 21, 180))
    assert view["type"] == "home"
    assert_within_limits(view)
    text = json.dumps(view)
    assert "29 November 2025" in text and "21 documents" in text
    examples = next(b for b in view["blocks"] if b.get("block_id") == ids.EXAMPLES_BLOCK)
    assert [e["value"] for e in examples["elements"]] == list(blocks.EXAMPLE_QUESTIONS)
    assert all(ids.EXAMPLE_PATTERN.match(e["action_id"]) for e in examples["elements"])


def test_help_and_notices_within_limits() -> None:
    assert_within_limits(dict(blocks.help_message()))
    assert_within_limits(dict(blocks.thanks_message(True, True)))


def test_fit_caps_blocks() -> None:
    many = [section(str(i)) for i in range(80)]
    assert len(fit(many)) == 50


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("a & b", "a &amp; b"),
        ("&amp;", "&amp;amp;"),
        ("<https://evil|click>", "&lt;https://evil|click&gt;"),
        ("bell\x07\r\n", "bell\n"),
    ],
)
def test_escape(raw: str, shown: str) -> None:
    assert escape(raw) == shown


def test_unescape_undoes_slack_escaping() -> None:
    assert unescape("&lt;!channel&gt; &amp;lt;") == "<!channel> &lt;"


@pytest.mark.parametrize(
    "url, title, expected",
    [
        ("https://example.org/a?b=1&c=2", "A & B", "<https://example.org/a?b=1&amp;c=2|A &amp; B>"),
        ("https://evil|x", "t", "t"),
        ("javascript:alert(1)", "<!here>", "&lt;!here&gt;"),
        ("https://example.org/>x", "t", "t"),
        ("https://example.org", "", "<https://example.org|https://example.org>"),
    ],
)
def test_link(url: str, title: str, expected: str) -> None:
    assert link(url, title) == expected


def test_truncate_never_cuts_an_entity_or_link() -> None:
    text = escape("a" * 2995 + "&<>")
    cut = truncate_mrkdwn(text, 3000)
    assert slack_length(cut) <= 3000 and cut.endswith("…")
    assert not re.search(r"&[a-z]*…$", cut)
    linked = "x" * 2990 + link("https://example.org/long", "title")
    assert truncate_mrkdwn(linked, 3000) == "x" * 2990 + "…"


@given(st.text())
@example("lone \ud800 surrogate, emoji 😀, accents é")
def test_slack_length_counts_utf16_code_units(text: str) -> None:
    # Characters beyond the Basic Multilingual Plane are two UTF-16 units (a surrogate pair).
    assert slack_length(text) == sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def test_truncate_counts_emoji_as_slack_does() -> None:
    cut = truncate_plain("😀" * 100, 75)
    assert slack_length(cut) <= 75
