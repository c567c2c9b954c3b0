"""Ask the mutuals team end to end through Bolt, with signed requests and the fake Web API:
the button, the confirm modal, the team's message, Answer and Close, and who may do them."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from conftest import write_knowledge
from fakeslack import DM_CHANNEL, RESPONSE, FakeSlack
from slack_harness import PAGES, Slack, slack_settings
from slack_requests import API_APP_ID, ASKER, FORM, TEAM_ID, action_body, command_body, message

from bot.answers import blocks
from bot.answers.compose import answer_question
from bot.answers.service import ask
from bot.app import build_app
from bot.data.db import DataStore
from bot.enquiries import store
from bot.enquiries.messages import UNDELIVERED
from bot.enquiries.team_answers import SOURCE, list_team_answers, team_passages
from bot.enquiries.views import Asking
from bot.services import Services
from bot.slack import ids
from indexer.live import LiveIndex
from indexer.search import SearchIndex

pytest_plugins = ["slack_fixtures"]

ADMIN = "U0ADMIN01"
TEAMER = "U0TEAMER1"
STRANGER = "U0STRANGR"
TEAM_CHANNEL = "C0TEAMCH1"
T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
UNKNOWN = "Can our mutual bid for Shared Prosperity Fund money?"
ANSWER = "Yes: a mutual can apply to its lead local authority, like other community groups."


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def slack(
    fake_slack: FakeSlack, tmp_path: Any, slack_index_path: Any, slack_index: SearchIndex,
    clock: Clock,
) -> Iterator[Slack]:  # fmt: skip
    settings = slack_settings(
        fake_slack, tmp_path, slack_index_path, admin_users=frozenset({ADMIN}),
        team_users=frozenset({TEAMER}), team_channel=TEAM_CHANNEL,
    )  # fmt: skip
    services = Services(settings, slack_index, DataStore(settings.data_path), clock=clock)
    harness = Slack(fake_slack, settings, services, build_app(settings, services))
    yield harness
    services.data.close()


# -- requests as Slack sends them -----------------------------------------------------------------


def click(slack: Slack, action_id: str, value: str, user: str = ASKER,
          block_id: str = "b") -> None:  # fmt: skip
    body = action_body(action_id, value, slack.fake.response_url("act"), user=user,
                       block_id=block_id)  # fmt: skip
    assert slack.dispatch(body, content_type=FORM).status == 200


def submit_view(
    slack: Slack, callback_id: str, metadata: str, values: dict[str, Any], user: str = ASKER
) -> dict[str, Any]:
    """A view_submission as Slack sends it; the JSON the app answered with ({} to close)."""
    view = {"id": "V0MODAL01", "team_id": TEAM_ID, "type": "modal", "blocks": [],
            "private_metadata": metadata, "callback_id": callback_id, "hash": "h1",
            "app_id": API_APP_ID, "state": {"values": values}}  # fmt: skip
    payload = {"type": "view_submission", "team": {"id": TEAM_ID, "domain": "test"},
               "user": {"id": user, "username": "someone", "team_id": TEAM_ID},
               "api_app_id": API_APP_ID, "token": "legacy", "trigger_id": "1337.45.abcd",
               "view": view, "response_urls": []}  # fmt: skip
    response = slack.dispatch(urlencode({"payload": json.dumps(payload)}), FORM)
    assert response.status == 200
    return json.loads(response.body) if response.body else {}


def send_enquiry(
    slack: Slack, question: str = UNKNOWN, detail: str | None = None, user: str = ASKER,
    reason: str = "declined",
) -> dict[str, Any]:  # fmt: skip
    values = {ids.ENQUIRY_DETAIL_BLOCK: {ids.ENQUIRY_DETAIL: {"type": "plain_text_input",
                                                               "value": detail}}}  # fmt: skip
    reply = submit_view(slack, ids.ENQUIRY_CALLBACK, Asking(question, reason).to_metadata(),
                        values, user)  # fmt: skip
    slack.fake.settle(quiet=0.15)  # the team post and the asker's DM follow the ack
    return reply


def answer_values(answer: str = ANSWER, question: str = UNKNOWN, add: bool = True,
                  title: str = "", url: str = "") -> dict[str, Any]:  # fmt: skip
    def text(value: str) -> dict[str, Any]:
        return {"type": "plain_text_input", "value": value or None}

    option = {"text": {"type": "plain_text", "text": "Add"}, "value": ids.ANSWER_ADD_VALUE}
    return {
        ids.ANSWER_QUESTION[0]: {ids.ANSWER_QUESTION[1]: text(question)},
        ids.ANSWER_TEXT[0]: {ids.ANSWER_TEXT[1]: text(answer)},
        ids.ANSWER_SOURCE_TITLE[0]: {ids.ANSWER_SOURCE_TITLE[1]: text(title)},
        ids.ANSWER_SOURCE_URL[0]: {ids.ANSWER_SOURCE_URL[1]: {"type": "url_text_input",
                                                              "value": url or None}},
        ids.ANSWER_ADD[0]: {ids.ANSWER_ADD[1]: {"type": "checkboxes",
                                                "selected_options": [option] if add else []}},
    }  # fmt: skip


def answer(slack: Slack, enquiry_id: int, user: str = TEAMER, **values: Any) -> dict[str, Any]:
    return submit_view(slack, ids.ANSWER_CALLBACK, str(enquiry_id), answer_values(**values), user)


def team_posts(slack: Slack) -> list[Any]:
    slack.fake.settle()
    return [c for c in slack.fake.of("chat.postMessage") if c.params["channel"] == TEAM_CHANNEL]


def dms_to(slack: Slack, user: str) -> int:
    return sum(c.params.get("users") == user for c in slack.fake.of("conversations.open"))


def only_enquiry(slack: Slack) -> store.Enquiry:
    (found,) = store.enquiries_since(slack.services.data, T0 - timedelta(days=1))
    return found


# -- asking -------------------------------------------------------------------------------------


def test_a_declined_answer_offers_the_team_and_the_modal_shows_what_is_shared(
    slack: Slack,
) -> None:
    slack.event(message(UNKNOWN))
    (reply,) = slack.fake.wait_for("chat.postMessage")
    ask_block = next(b for b in reply.params["blocks"] if b.get("block_id") == ids.ASK_TEAM_BLOCK)
    (button,) = ask_block["elements"]
    assert button["text"]["text"] == "Ask the mutuals team"
    click(slack, ids.ASK_TEAM, button["value"], block_id=ids.ASK_TEAM_BLOCK)
    (opened,) = slack.fake.wait_for("views.open")
    view = opened.params["view"]
    shown = json.dumps(view["blocks"])
    assert view["callback_id"] == ids.ENQUIRY_CALLBACK
    assert "Shared Prosperity Fund" in shown and f"<@{ASKER}>" in shown
    detail = next(b for b in view["blocks"] if b.get("block_id") == ids.ENQUIRY_DETAIL_BLOCK)
    assert detail["optional"] is True and detail["element"]["max_length"] == 1000
    assert store.enquiries_since(slack.services.data, T0 - timedelta(days=1)) == []  # not yet


def test_not_helpful_offers_the_team(slack: Slack) -> None:
    asked = ask(slack.services, "Who owns MyCSP?", "dm")
    sent = {"type": "message", "ts": "1.5", **blocks.answer_message(asked.answer, 1)}
    value = blocks.AnswerRef.of(asked.answer, asked.question_id).to_value()
    body = action_body(ids.NOT_HELPFUL, value, slack.fake.response_url("act"), message=sent)
    slack.dispatch(body, content_type=FORM)
    thanks = slack.fake.wait_for(RESPONSE, count=2)[0]
    offer = next(b for b in thanks.params["blocks"] if b.get("type") == "actions")
    assert offer["block_id"] == ids.ASK_TEAM_UNHELPFUL_BLOCK
    assert offer["elements"][0]["action_id"] == ids.ASK_TEAM


def test_sending_stores_posts_to_the_team_and_tells_the_asker(slack: Slack) -> None:
    reply = send_enquiry(slack, detail="We are a CIC in Leeds.")
    assert reply["response_action"] == "update"
    assert "Sent to the mutuals team" in json.dumps(reply["view"])
    (post,) = team_posts(slack)
    posted = json.dumps(post.params["blocks"])
    assert "Shared Prosperity Fund" in posted and "We are a CIC in Leeds." in posted
    buttons = next(b for b in post.params["blocks"] if b["type"] == "actions")["elements"]
    assert [b["action_id"] for b in buttons] == [ids.ENQUIRY_ANSWER, ids.ENQUIRY_CLOSE]
    enquiry = only_enquiry(slack)
    assert (enquiry.user_id, enquiry.team_id, enquiry.status) == (ASKER, TEAM_ID, "open")
    assert enquiry.channel == TEAM_CHANNEL and enquiry.message_ts
    assert dms_to(slack, ASKER) == 1  # the asker's record of what went


def test_one_enquiry_however_often_it_is_sent(slack: Slack) -> None:
    send_enquiry(slack)
    again = send_enquiry(slack)  # a double click on Send, or a second modal
    send_enquiry(slack, question=f"  {UNKNOWN.upper()} ")  # the same question, shouted
    slack.fake.settle()
    assert "already sent" in json.dumps(again["view"])
    assert len(team_posts(slack)) == 1
    assert only_enquiry(slack).question == UNKNOWN


def test_the_team_channel_the_app_is_not_in_keeps_the_enquiry_and_tells_the_admins(
    slack: Slack,
) -> None:
    slack.fake.refuse("chat.postMessage", "not_in_channel", channel=TEAM_CHANNEL)
    reply = send_enquiry(slack)
    assert "Sent to the mutuals team" in json.dumps(reply["view"])
    slack.fake.wait_for("conversations.open", count=2)
    assert dms_to(slack, ADMIN) == 1
    notice = next(c for c in slack.fake.of("chat.postMessage")
                  if "did not reach the team" in c.params["text"])  # fmt: skip
    text = json.dumps(notice.params["blocks"])
    assert "not a member" in text and "/invite" in text and "/mutuals enquiries" in text
    assert only_enquiry(slack).is_open and only_enquiry(slack).message_ts == ""


def test_mrkdwn_and_mentions_in_a_question_ping_nobody(slack: Slack) -> None:
    send_enquiry(slack, question="<!channel> <@U0BOSS01> *urgent* & <https://x.test|click>",
                 detail="<!here>")  # fmt: skip
    (post,) = team_posts(slack)
    sent = json.dumps([post.params["text"], post.params["blocks"]])
    assert "<!channel>" not in sent and "<!here>" not in sent and "<@U0BOSS01>" not in sent
    assert "&lt;!channel&gt;" in sent and "&amp;" in sent


@pytest.mark.parametrize(
    ("question", "detail", "error"),
    [("   ", None, "no question"), (UNKNOWN, "x" * 1001, "under 1,000")],
)
def test_empty_or_huge_text_is_refused_in_the_modal(
    slack: Slack, question: str, detail: str | None, error: str
) -> None:
    reply = send_enquiry(slack, question=question, detail=detail)
    assert reply["response_action"] == "errors"
    assert error in reply["errors"][ids.ENQUIRY_DETAIL_BLOCK]
    assert store.enquiries_since(slack.services.data, T0 - timedelta(days=1)) == []


def test_a_huge_question_is_cut_but_sent(slack: Slack) -> None:
    send_enquiry(slack, question="What about pensions? " * 400)
    assert len(only_enquiry(slack).question) <= 1500


# -- answering ----------------------------------------------------------------------------------


def test_answer_reaches_the_asker_once_attributed_and_dated(slack: Slack, clock: Clock) -> None:
    send_enquiry(slack)
    enquiry = only_enquiry(slack)
    click(slack, ids.ENQUIRY_ANSWER, str(enquiry.id), user=TEAMER)
    (opened,) = slack.fake.wait_for("views.open")
    modal = opened.params["view"]
    add = next(b for b in modal["blocks"] if b.get("block_id") == ids.ANSWER_ADD[0])
    assert add["element"]["initial_options"] == add["element"]["options"]  # ticked
    clock.now = T0 + timedelta(hours=5)
    before = dms_to(slack, ASKER)
    assert answer(slack, enquiry.id, title="GOV.UK", url="https://www.gov.uk/ukspf") == {}
    again = answer(slack, enquiry.id, user=ADMIN, answer="A second answer")  # double submit
    assert "already answered" in json.dumps(again)
    slack.fake.wait_for("chat.update")
    slack.fake.settle()
    assert dms_to(slack, ASKER) == before + 1
    dm = next(c for c in reversed(slack.fake.of("chat.postMessage"))
              if "answered" in c.params["text"])  # fmt: skip
    shown = json.dumps(dm.params["blocks"])
    assert ANSWER.split(":")[0] in shown and "From the mutuals team" in shown
    assert "2 March 2026" in shown and "<https://www.gov.uk/ukspf|GOV.UK>" in shown
    (update,) = slack.fake.of("chat.update")
    assert update.params["channel"] == TEAM_CHANNEL and update.params["ts"] == enquiry.message_ts
    updated = json.dumps(update.params["blocks"])
    assert f"Answered* by <@{TEAMER}>" in updated and "14:30" in updated
    assert "actions" not in [b["type"] for b in update.params["blocks"]]
    done = only_enquiry(slack)
    assert done.status == "answered" and done.told_at is not None
    (kept,) = list_team_answers(slack.services.data)
    assert (kept.question, kept.answered_by, kept.as_of) == (UNKNOWN, TEAMER, "2026-03-02")
    assert ASKER not in json.dumps(kept.__dict__, default=str)


def test_unticked_answer_is_not_kept_for_the_assistant(slack: Slack) -> None:
    send_enquiry(slack)
    assert answer(slack, only_enquiry(slack).id, add=False) == {}
    assert list_team_answers(slack.services.data) == []
    assert only_enquiry(slack).answer == ANSWER


@pytest.mark.parametrize(
    ("values", "block"),
    [
        ({"answer": ""}, ids.ANSWER_TEXT[0]),
        ({"answer": "x " * 1300}, ids.ANSWER_TEXT[0]),
        ({"question": ""}, ids.ANSWER_QUESTION[0]),
        ({"url": "javascript:alert(1)", "title": "x"}, ids.ANSWER_SOURCE_URL[0]),
    ],
)
def test_bad_answers_are_shown_under_their_field(
    slack: Slack, values: dict[str, str], block: str
) -> None:
    send_enquiry(slack)
    reply = answer(slack, only_enquiry(slack).id, **values)
    assert reply["response_action"] == "errors" and block in reply["errors"]
    assert only_enquiry(slack).is_open


def test_mentions_in_an_answer_ping_nobody(slack: Slack) -> None:
    send_enquiry(slack)
    answer(slack, only_enquiry(slack).id, answer="<!channel> ask <@U0BOSS01> & co")
    slack.fake.wait_for("chat.update")
    sent = json.dumps([c.params for c in slack.fake.of("chat.postMessage")]
                      + [c.params for c in slack.fake.of("chat.update")])  # fmt: skip
    assert "<!channel>" not in sent and "<@U0BOSS01>" not in sent


def test_a_forged_answer_from_a_non_member_is_refused(slack: Slack) -> None:
    send_enquiry(slack)
    enquiry = only_enquiry(slack)
    slack.fake.settle()
    before = len(slack.fake.calls)
    click(slack, ids.ENQUIRY_ANSWER, str(enquiry.id), user=STRANGER)
    refusal = slack.fake.wait_for(RESPONSE)[-1]
    assert "for the mutuals team only" in refusal.params["text"]
    reply = answer(slack, enquiry.id, user=STRANGER)
    assert reply["response_action"] == "errors"
    click(slack, ids.ENQUIRY_CLOSE, str(enquiry.id), user=STRANGER)
    calls = slack.fake.settle()[before:]
    assert {c.method for c in calls} == {RESPONSE}  # no modal, no DM, no update
    assert only_enquiry(slack).is_open and list_team_answers(slack.services.data) == []


def test_a_deleted_asker_loses_nothing(slack: Slack) -> None:
    send_enquiry(slack)
    slack.fake.refuse("conversations.open", "user_not_found", users=ASKER)
    assert answer(slack, only_enquiry(slack).id) == {}
    (update,) = slack.fake.wait_for("chat.update")
    assert UNDELIVERED.split(":")[0] in json.dumps(update.params["blocks"])
    done = only_enquiry(slack)
    assert done.status == "answered" and done.told_at is None
    assert len(list_team_answers(slack.services.data)) == 1


def test_close_tells_the_asker_politely(slack: Slack) -> None:
    send_enquiry(slack)
    enquiry = only_enquiry(slack)
    click(slack, ids.ENQUIRY_CLOSE, str(enquiry.id), user=ADMIN)
    slack.fake.wait_for("chat.update")
    note = next(c for c in slack.fake.of("chat.postMessage") if "closed" in c.params["text"])
    assert note.params["channel"] == DM_CHANNEL and "Thank you for asking" in json.dumps(
        note.params["blocks"]
    )
    assert only_enquiry(slack).status == "closed"
    click(slack, ids.ENQUIRY_CLOSE, str(enquiry.id), user=ADMIN)  # a second close: told so
    replies = sorted(r.params["text"] for r in slack.fake.wait_for(RESPONSE, count=2))
    assert "The asker has been told" in replies[0] and "already closed" in replies[1]


# -- the lists ----------------------------------------------------------------------------------


def test_enquiries_lists_open_ones_with_their_age(slack: Slack, clock: Clock) -> None:
    send_enquiry(slack)
    send_enquiry(slack, question="Who regulates a CIC?", user="U0OTHER01")
    clock.now = T0 + timedelta(days=3, hours=2)
    body = command_body("enquiries", slack.fake.response_url("cmd"), user=ADMIN)
    slack.dispatch(body, content_type=FORM)
    (reply,) = slack.fake.wait_for(RESPONSE)
    shown = json.dumps(reply.params["blocks"])
    assert "Open enquiries: 2" in shown and "3 days ago" in shown
    assert shown.index("Shared Prosperity") < shown.index("regulates")  # oldest first


def test_enquiries_and_answers_are_refused_to_others(slack: Slack) -> None:
    for text in ("enquiries", "answers"):
        slack.dispatch(command_body(text, slack.fake.response_url(text), user=STRANGER), FORM)
    replies = slack.fake.wait_for(RESPONSE, count=2)
    texts = sorted(r.params["text"] for r in replies)
    assert "/mutuals answers` is for admins only" in texts[0]
    assert "/mutuals enquiries` is for the mutuals team only" in texts[1]


def test_answers_lists_team_answers_and_retire_stops_serving(slack: Slack) -> None:
    send_enquiry(slack)
    answer(slack, only_enquiry(slack).id)
    slack.dispatch(command_body("answers", slack.fake.response_url("cmd"), user=ADMIN), FORM)
    (reply,) = slack.fake.wait_for(RESPONSE)
    shown = json.dumps(reply.params["blocks"])
    assert "Shared Prosperity" in shown and SOURCE in shown
    (kept,) = list_team_answers(slack.services.data)
    click(slack, ids.TEAM_ANSWER_RETIRE, str(kept.id), user=TEAMER)  # team, not admin
    assert "for admins only" in slack.fake.wait_for(RESPONSE, count=2)[-1].params["text"]
    click(slack, ids.TEAM_ANSWER_RETIRE, str(kept.id), user=ADMIN)
    assert "retired" in slack.fake.wait_for(RESPONSE, count=3)[-1].params["text"]
    assert list_team_answers(slack.services.data) == []


def test_an_admin_edits_a_team_answer_in_its_modal(slack: Slack) -> None:
    send_enquiry(slack)
    answer(slack, only_enquiry(slack).id)
    (kept,) = list_team_answers(slack.services.data)
    click(slack, ids.TEAM_ANSWER_EDIT, str(kept.id), user=ADMIN)
    (opened,) = slack.fake.wait_for("views.open")
    modal = opened.params["view"]
    assert modal["callback_id"] == ids.TEAM_ANSWER_CALLBACK and modal["private_metadata"] == str(
        kept.id
    )
    assert ids.ANSWER_ADD[0] not in json.dumps(modal["blocks"])  # already one of the answers
    text = next(b for b in modal["blocks"] if b.get("block_id") == ids.ANSWER_TEXT[0])
    assert text["element"]["initial_value"] == ANSWER
    edited = answer_values(answer="Yes, through the lead local authority.", add=False)
    forged = submit_view(slack, ids.TEAM_ANSWER_CALLBACK, str(kept.id), edited, user=TEAMER)
    assert forged["response_action"] == "errors"  # editing is for admins
    assert submit_view(slack, ids.TEAM_ANSWER_CALLBACK, str(kept.id), edited, user=ADMIN) == {}
    (now,) = list_team_answers(slack.services.data)
    assert now.answer == "Yes, through the lead local authority." and now.answered_by == ADMIN


def test_the_next_asker_gets_the_team_answer_from_a_live_server(
    fake_slack: FakeSlack, tmp_path: Any, clock: Clock
) -> None:
    knowledge = write_knowledge(tmp_path / "knowledge", pages=PAGES)
    settings = slack_settings(fake_slack, tmp_path, tmp_path / "index.sqlite3",
                              knowledge_dir=knowledge, team_users=frozenset({TEAMER}),
                              team_channel=TEAM_CHANNEL)  # fmt: skip
    data = DataStore(settings.data_path)
    live = LiveIndex.open(settings.index_path, knowledge, extra=lambda: team_passages(data))
    services = Services(settings, live, data, clock=clock)
    slack = Slack(fake_slack, settings, services, build_app(settings, services))
    try:
        send_enquiry(slack)
        assert answer(slack, only_enquiry(slack).id) == {}
        deadline = time.monotonic() + 20  # the reindex runs on its own thread
        while not answer_question(live.current(), UNKNOWN).answered:
            assert time.monotonic() < deadline, "the team answer was never served"
            time.sleep(0.05)
        before = len(fake_slack.of("chat.postMessage"))
        slack.event(message("can our mutual bid for shared prosperity fund money",
                            ts="1700000900.000100"))  # fmt: skip
        reply = fake_slack.wait_for("chat.postMessage", before + 1)[before]
        shown = json.dumps(reply.params["blocks"])
        assert "lead local authority" in shown and SOURCE in shown
        assert "as of 2 March 2026" in shown
    finally:
        data.close()


def test_small_talk_is_not_a_decline_and_offers_no_hand_off(slack: Slack) -> None:
    slack.event(message("thanks!"))
    (reply,) = slack.fake.wait_for("chat.postMessage")
    assert ids.ASK_TEAM not in json.dumps(reply.params["blocks"])
