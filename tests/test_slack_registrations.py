"""Registrations of interest end to end through Bolt: the modal, status, withdraw, admin export."""

from __future__ import annotations

import csv
import io
import json
import logging
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
from data_fixtures import file_bytes, valid_input
from fakeslack import DM_CHANNEL, FILE_ID, RESPONSE, UPLOAD, USER_EMAIL, FakeSlack
from registration_payloads import GOOD_FORM
from slack_harness import Slack, slack_settings
from slack_requests import API_APP_ID, ASKER, FORM, TEAM_ID, action_body, command_body

from bot.answers import blocks
from bot.answers.service import ask
from bot.app import build_app
from bot.data.db import DataStore
from bot.home.blocks import home_view
from bot.home.service import home_info
from bot.registrations.messages import refused_text
from bot.registrations.store import Registration, get_registration, save_registration
from bot.registrations.views import BUSY_ERROR, CONSENT_VALUE, FORM_IDS
from bot.registrations.views import block_id as form_block
from bot.services import Services
from bot.slack import ids
from bot.slack.ids import REGISTRATION_CALLBACK, WITHDRAW_CONFIRM
from indexer.search import SearchIndex

pytest_plugins = ["slack_fixtures"]

ADMIN = "U0ADMIN01"
ADMIN_CHANNEL = "C0ADMINS1"
T0 = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
FORM_FIELDS: dict[str, Any] = dict(GOOD_FORM)


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
    """The Slack harness with an admin, an admin channel and a clock the test can move."""
    admins = frozenset({ADMIN})
    settings = slack_settings(
        fake_slack, tmp_path, slack_index_path, admin_users=admins, admin_channel=ADMIN_CHANNEL
    )
    services = Services(settings, slack_index, DataStore(settings.data_path), clock=clock)
    harness = Slack(fake_slack, settings, services, build_app(settings, services))
    yield harness
    services.data.close()


# -- requests as Slack sends them ---------------------------------------------------------------


def state_values(**overrides: Any) -> dict[str, Any]:
    """`view.state.values` of a filled-in modal, as Slack sends it."""
    form = {**FORM_FIELDS, **overrides}

    def text(kind: str, value: Any) -> dict[str, Any]:
        return {"type": kind, "value": value}

    def chosen(kind: str, value: str) -> dict[str, Any]:
        option = {"text": {"type": "plain_text", "text": value}, "value": value} if value else None
        return {"type": kind, "selected_option": option}

    elements = {
        "organisation": text("plain_text_input", form["organisation"]),
        "service": text("plain_text_input", form["service"]),
        "staff_count": text("plain_text_input", form["staff_count"]),
        "region": chosen("static_select", form["region"]),
        "stage": chosen("radio_buttons", form["stage"]),
        "description": text("plain_text_input", form["description"] or None),
        "email": text("email_text_input", form["email"]),
        "consent": {
            "type": "checkboxes",
            "selected_options": [
                {"text": {"type": "plain_text", "text": "I agree"}, "value": CONSENT_VALUE}
            ]
            if form["consent"]
            else [],
        },  # fmt: skip
    }
    return {FORM_IDS[name][0]: {FORM_IDS[name][1]: element} for name, element in elements.items()}


def submission_body(view_state: dict[str, Any] | None, user: str = ASKER) -> str:
    """A form-encoded `payload=` view_submission of the registration modal."""
    view: dict[str, Any] = {
        "id": "V0MODAL01", "team_id": TEAM_ID, "type": "modal", "blocks": [],
        "private_metadata": "", "callback_id": REGISTRATION_CALLBACK, "hash": "h1",
        "app_id": API_APP_ID, "bot_id": "BBOT0001",
    }  # fmt: skip
    if view_state is not None:
        view["state"] = view_state
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": user, "username": "asker", "team_id": TEAM_ID},
        "api_app_id": API_APP_ID,
        "token": "legacy-verification-token",
        "trigger_id": "1337.44.abcd",
        "view": view,
        "response_urls": [],
    }
    return urlencode({"payload": json.dumps(payload)})


def submit(slack: Slack, user: str = ASKER, **overrides: Any) -> dict[str, Any]:
    """Submit the modal; the JSON body of the HTTP response ({} when it just closes)."""
    response = slack.dispatch(submission_body({"values": state_values(**overrides)}, user), FORM)
    assert response.status == 200
    return json.loads(response.body) if response.body else {}


def command(slack: Slack, text: str, user: str = ASKER) -> None:
    body = command_body(text, slack.fake.response_url("cmd"), user=user)
    assert slack.dispatch(body, content_type=FORM).status == 200


def click(slack: Slack, action_id: str, user: str = ASKER, reply: bool = True,
          **kwargs: Any) -> None:  # fmt: skip
    body = action_body(action_id, "x", slack.fake.response_url("act"), user=user, **kwargs)
    if not reply:  # App Home buttons come without a response_url
        payload = json.loads(parse_qs(body)["payload"][0])
        del payload["response_url"]
        body = urlencode({"payload": json.dumps(payload)})
    assert slack.dispatch(body, content_type=FORM).status == 200


def stored(slack: Slack, user: str = ASKER) -> Registration | None:
    return get_registration(slack.services.data, TEAM_ID, user)


def row_count(slack: Slack) -> int:
    return int(slack.services.data.db.table("registrations").count)


def email_input(view: dict[str, Any]) -> dict[str, Any]:
    block = next(b for b in view["blocks"] if b.get("block_id") == form_block("email"))
    return dict(block["element"])


def methods(slack: Slack) -> list[str]:
    return [c.method for c in slack.fake.settle()]


# -- opening the modal --------------------------------------------------------------------------


def test_command_opens_the_modal_with_the_profile_email(slack: Slack) -> None:
    command(slack, "register")
    (opened,) = slack.fake.wait_for("views.open")
    assert opened.params["trigger_id"] == "1337.42.abcd"
    view = opened.params["view"]
    assert view["callback_id"] == REGISTRATION_CALLBACK
    assert email_input(view)["initial_value"] == USER_EMAIL
    (info,) = slack.fake.of("users.info")
    assert info.params["user"] == ASKER


@pytest.mark.parametrize("where", ["answer", "home"])
def test_register_buttons_open_the_modal(slack: Slack, where: str) -> None:
    if where == "answer":
        asked = ask(slack.services, "Who owns MyCSP?", "dm")
        message = {"type": "message", "ts": "1700000700.000100",
                   **blocks.answer_message(asked.answer, asked.question_id)}  # fmt: skip
        assert ids.OPEN_REGISTRATION in json.dumps(message["blocks"])
        click(slack, ids.OPEN_REGISTRATION, message=message)
    else:
        home = home_view(home_info(slack.services, ASKER))
        assert ids.OPEN_REGISTRATION in json.dumps(home)
        click(slack, ids.OPEN_REGISTRATION, reply=False, view={"id": "V0HOME", "type": "home"})
    (opened,) = slack.fake.wait_for("views.open")
    assert opened.params["trigger_id"] == "1337.43.abcd"
    assert email_input(opened.params["view"])["initial_value"] == USER_EMAIL


def test_registering_again_prefills_the_stored_registration(slack: Slack) -> None:
    save_registration(slack.services.data, TEAM_ID, ASKER,
                      valid_input(email="kept@example.gov.uk", organisation="Kent County Council"),
                      T0)  # fmt: skip
    command(slack, "register")
    (opened,) = slack.fake.wait_for("views.open")
    view = opened.params["view"]
    assert view["title"]["text"] == "Update registration"
    assert email_input(view)["initial_value"] == "kept@example.gov.uk"
    assert "Kent County Council" in json.dumps(view)
    assert slack.fake.of("users.info") == []  # the stored email wins: no profile lookup


@pytest.mark.parametrize("trouble", ["slow", "error", "no email"])
def test_the_modal_opens_promptly_without_an_email(slack: Slack, trouble: str) -> None:
    if trouble == "slow":
        slack.fake.delays["users.info"] = 3.0
    elif trouble == "error":
        slack.fake.fail_next("500", methods=("users.info",))
    else:
        slack.fake.user_email = None
    started = time.monotonic()
    command(slack, "register")
    (opened,) = slack.fake.wait_for("views.open")
    assert time.monotonic() - started < 2.0  # the trigger_id is valid for 3 s
    assert "initial_value" not in email_input(opened.params["view"])


# -- submitting it ------------------------------------------------------------------------------


def test_valid_submission_is_stored_then_closes_then_confirms(slack: Slack) -> None:
    reply = submit(slack)
    assert reply == {}  # an empty ack closes the modal ...
    reg = stored(slack)  # ... and the row was committed before it
    assert reg is not None and reg.staff_count == 1200 and reg.stage == "business_case"
    assert reg.created_at == reg.updated_at == T0
    dm, notice = slack.fake.wait_for("chat.postMessage", count=2)
    assert slack.fake.of("conversations.open")[0].params["users"] == ASKER
    assert dm.params["channel"] == DM_CHANNEL
    assert "Department for Work and Pensions" in dm.params["text"]
    assert "alex@example.gov.uk" in json.dumps(dm.params["blocks"])
    assert notice.params["channel"] == ADMIN_CHANNEL
    assert "New registration of interest" in notice.params["text"]
    assert "alex@example.gov.uk" not in json.dumps(notice.params)  # no email in a channel


def test_nasty_text_is_escaped_in_the_dm_and_the_notice(slack: Slack) -> None:
    submit(slack, organisation="<!channel> Council & Co", service="<@U999> <https://evil|x>")
    dm, notice = slack.fake.wait_for("chat.postMessage", count=2)
    for call in (dm, notice):
        shown = call.params["text"] + json.dumps(call.params["blocks"])
        assert "<!channel>" not in shown and "<@U999>" not in shown and "<https://evil" not in shown
        assert "&lt;!channel&gt; Council &amp; Co" in shown
    assert "&lt;@U999&gt;" in json.dumps(notice.params["blocks"])
    reg = stored(slack)
    assert reg is not None and reg.organisation == "<!channel> Council & Co"  # stored as typed


@pytest.mark.parametrize(
    "overrides, block",
    [
        ({"organisation": "   "}, form_block("organisation")),
        ({"email": "alex.example.gov.uk"}, form_block("email")),
        ({"email": "alex@localhost"}, form_block("email")),
        ({"staff_count": "12.5"}, form_block("staff_count")),
        ({"staff_count": "about 40"}, form_block("staff_count")),
        ({"staff_count": "0"}, form_block("staff_count")),
        ({"staff_count": "1000001"}, form_block("staff_count")),
        ({"description": "x" * 1001}, form_block("description")),
        ({"consent": False}, form_block("consent")),
    ],
)
def test_each_bad_field_gets_its_inline_error(
    slack: Slack, overrides: dict[str, Any], block: str
) -> None:
    reply = submit(slack, **overrides)
    assert reply["response_action"] == "errors"
    assert set(reply["errors"]) == {block}
    assert row_count(slack) == 0
    assert methods(slack) == ["auth.test"]  # no DM, no notice


def _with(values: dict[str, Any], block: str, action: str, element: Any) -> dict[str, Any]:
    values = json.loads(json.dumps(values))
    values[block][action] = element
    return values


GOOD = state_values()
MALFORMED: dict[str, dict[str, Any] | None] = {
    "no state": None,
    "no values": {},
    "values not an object": {"values": ["reg_organisation"]},
    "empty values": {"values": {}},
    "extra block": {"values": {**GOOD, "reg_admin": {"is_admin": {"value": "yes"}}}},
    "extra input": {"values": _with(GOOD, form_block("organisation"), "other", {"value": "x"})},
    "block not an object": {"values": {**GOOD, form_block("organisation"): "Council"}},
    "number not text": {"values": _with(GOOD, "reg_staff_count", "staff_count", {"value": 120})},
    "option a string": {"values": _with(GOOD, "reg_region", "region",
                                        {"selected_option": "North East"})},
    "options not a list": {"values": _with(GOOD, form_block("consent"), "consent",
                                           {"selected_options": {"value": CONSENT_VALUE}})},
    "element a list": {"values": _with(GOOD, "reg_email", "email", ["alex@example.gov.uk"])},
}  # fmt: skip


@pytest.mark.parametrize("state", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_submissions_get_errors_not_a_crash(
    slack: Slack, state: dict[str, Any] | None
) -> None:
    response = slack.dispatch(submission_body(state), FORM)
    assert response.status == 200
    reply = json.loads(response.body)
    assert reply["response_action"] == "errors" and reply["errors"]
    assert set(reply["errors"]) <= {block for block, _ in FORM_IDS.values()}
    assert row_count(slack) == 0


def test_a_locked_data_file_asks_to_try_again_and_stores_nothing(slack: Slack) -> None:
    holder = sqlite3.connect(slack.settings.data_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        reply = submit(slack)
        took = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert took < 3.0  # Slack's limit for answering a view submission
    assert reply == {
        "response_action": "errors",
        "errors": {form_block("organisation"): BUSY_ERROR},
    }
    assert row_count(slack) == 0
    assert methods(slack) == ["auth.test"]
    assert submit(slack) == {}  # the lock gone, the same form goes through
    assert row_count(slack) == 1


def test_a_retried_submission_leaves_one_row_and_one_notice(slack: Slack) -> None:
    body = submission_body({"values": state_values()})
    for _ in range(2):
        assert slack.dispatch(body, FORM).status == 200
    slack.fake.wait_for("chat.postMessage", count=3)
    assert row_count(slack) == 1
    posts = slack.fake.settle()
    notices = [c for c in posts if c.params.get("channel") == ADMIN_CHANNEL]
    assert len(notices) == 1  # nothing changed the second time


def test_an_update_keeps_created_at_and_moves_updated_at(slack: Slack, clock: Clock) -> None:
    submit(slack)
    clock.now = T0 + timedelta(days=3)
    submit(slack, service="Payroll", staff_count="45")
    reg = stored(slack)
    assert reg is not None and row_count(slack) == 1
    assert (reg.service, reg.staff_count) == ("Payroll", 45)
    assert reg.created_at == T0 and reg.updated_at == T0 + timedelta(days=3)
    notices = [c for c in slack.fake.wait_for("chat.postMessage", count=4)
               if c.params["channel"] == ADMIN_CHANNEL]  # fmt: skip
    assert "updated" in notices[-1].params["text"]


# -- status and withdraw ------------------------------------------------------------------------


def test_status_without_a_registration(slack: Slack) -> None:
    command(slack, "status")
    (reply,) = slack.fake.wait_for(RESPONSE)
    assert reply.params["response_type"] == "ephemeral"
    assert "You have no registration of interest" in reply.params["text"]
    assert ids.OPEN_REGISTRATION in json.dumps(reply.params["blocks"])


def test_status_shows_my_registration_escaped(slack: Slack) -> None:
    submit(slack, organisation="Leeds <City> Council")
    slack.fake.wait_for("chat.postMessage", count=2)
    command(slack, "status")
    (reply,) = slack.fake.wait_for(RESPONSE)
    shown = json.dumps(reply.params["blocks"])
    assert "Leeds &lt;City&gt; Council" in shown and "alex@example.gov.uk" in shown
    assert reply.params["response_type"] == "ephemeral"


def test_withdraw_with_nothing_to_withdraw(slack: Slack) -> None:
    command(slack, "withdraw")
    (reply,) = slack.fake.wait_for(RESPONSE)
    assert "nothing to withdraw" in reply.params["text"]
    assert "actions" not in json.dumps(reply.params["blocks"])


def test_withdraw_confirms_then_deletes_every_byte(slack: Slack) -> None:
    marker_org, marker_email = "Zyxwvut Borough Council", "qqmarker77@example.gov.uk"
    submit(slack, organisation=marker_org, email=marker_email)
    slack.fake.wait_for("chat.postMessage", count=2)
    path = slack.settings.data_path
    assert marker_email.encode() in file_bytes(path)
    command(slack, "withdraw")
    (ask_first,) = slack.fake.wait_for(RESPONSE)
    button = ask_first.params["blocks"][-1]["elements"][0]
    assert button["action_id"] == WITHDRAW_CONFIRM and button["confirm"]
    assert stored(slack) is not None  # asking deletes nothing
    click(slack, WITHDRAW_CONFIRM)
    _, done = slack.fake.wait_for(RESPONSE, count=2)
    assert done.params["replace_original"] is True
    assert "is deleted" in done.params["text"]
    assert stored(slack) is None
    raw = file_bytes(path)
    assert marker_org.encode() not in raw and marker_email.encode() not in raw


def test_withdraw_clicked_twice_says_there_was_nothing(slack: Slack) -> None:
    click(slack, WITHDRAW_CONFIRM)
    (done,) = slack.fake.wait_for(RESPONSE)
    assert "nothing to delete" in done.params["text"]


# -- admin only ---------------------------------------------------------------------------------


def _refused(reply_text: str) -> None:
    assert reply_text == refused_text()
    assert not any(ch.isdigit() for ch in reply_text)  # not even a count


@pytest.mark.parametrize("name", ["registrations", "export"])
def test_non_admins_are_refused_and_shown_nothing(slack: Slack, name: str) -> None:
    save_registration(slack.services.data, TEAM_ID, ASKER,
                      valid_input(organisation="Secret Council"), T0)  # fmt: skip
    command(slack, name)
    (reply,) = slack.fake.wait_for(RESPONSE)
    _refused(reply.params["text"])
    assert "Secret Council" not in json.dumps(reply.params)
    assert methods(slack) == ["auth.test", RESPONSE]  # no DM opened, nothing uploaded


@pytest.mark.parametrize("action_id", [ids.ADMIN_EXPORT, ids.ADMIN_REGISTRATIONS])
@pytest.mark.parametrize("reply", [True, False], ids=["message", "home"])
def test_forged_admin_buttons_are_refused(slack: Slack, action_id: str, reply: bool) -> None:
    save_registration(slack.services.data, TEAM_ID, ASKER, valid_input(), T0)
    view = None if reply else {"id": "V0HOME", "type": "home"}
    click(slack, action_id, reply=reply, view=view)
    calls = methods(slack)
    # From a message: refused under it. From App Home (no message): refused in the DM, as the
    # admin panel's other buttons are; either way nothing is shown or uploaded.
    if reply:
        assert calls == ["auth.test", RESPONSE]
        _refused(slack.fake.of(RESPONSE)[0].params["text"])
    else:
        assert calls == ["auth.test", "conversations.open", "chat.postMessage"]
        _refused(slack.fake.of("chat.postMessage")[0].params["text"])


def test_admin_summary(slack: Slack) -> None:
    save_registration(slack.services.data, TEAM_ID, ASKER, valid_input(), T0)
    body = command_body("registrations", slack.fake.response_url("cmd"), user=ADMIN)
    slack.dispatch(body, content_type=FORM)
    (reply,) = slack.fake.wait_for(RESPONSE)
    assert reply.params["response_type"] == "ephemeral"
    assert reply.params["text"] == "Registrations of interest: 1."
    assert "Department for Work and Pensions" in json.dumps(reply.params["blocks"])


def test_admin_summary_from_app_home_goes_to_the_dm(slack: Slack) -> None:
    click(slack, ids.ADMIN_REGISTRATIONS, user=ADMIN, reply=False,
          view={"id": "V0HOME", "type": "home"})  # fmt: skip
    (post,) = slack.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == DM_CHANNEL
    assert post.params["text"] == "Registrations of interest: 0."


def test_admin_export_uploads_a_safe_csv_to_the_dm(slack: Slack) -> None:
    submit(slack, organisation='=HYPERLINK("https://evil")', service="Gwasanaeth — Cymru ✓")
    submit(slack, user="U0OTHER02", organisation="+Plus Trust", email="bo@example.gov.uk")
    slack.fake.wait_for("chat.postMessage", count=4)
    body = command_body("export", slack.fake.response_url("cmd"), user=ADMIN)
    slack.dispatch(body, content_type=FORM)
    (done,) = slack.fake.wait_for(RESPONSE)
    assert "is in your direct messages" in done.params["text"]
    (url,) = slack.fake.of("files.getUploadURLExternal")
    assert url.params["filename"] == "registrations-2026-03-01.csv"
    (upload,) = slack.fake.of(UPLOAD)
    (complete,) = slack.fake.of("files.completeUploadExternal")
    assert complete.params["channel_id"] == DM_CHANNEL
    assert complete.params["files"][0]["id"] == FILE_ID
    assert slack.fake.of("conversations.open")[-1].params["users"] == ADMIN
    rows = list(csv.reader(io.StringIO(upload.params["bytes"].decode("utf-8"))))
    assert rows[0][:4] == ["team_id", "user_id", "organisation", "service"]
    assert len(rows) == 3
    cells = {row[1]: row for row in rows[1:]}
    assert cells[ASKER][2] == '\'=HYPERLINK("https://evil")'
    assert cells[ASKER][3] == "Gwasanaeth — Cymru ✓"
    assert cells["U0OTHER02"][2] == "'+Plus Trust"
    assert int(url.params["length"]) == len(upload.params["bytes"])


def test_a_failed_upload_is_reported_not_crashed(slack: Slack) -> None:
    slack.fake.fail_next("500", times=5, methods=("files.getUploadURLExternal",))
    body = command_body("export", slack.fake.response_url("cmd"), user=ADMIN)
    slack.dispatch(body, content_type=FORM)
    (done,) = slack.fake.wait_for(RESPONSE, timeout=15)
    assert "couldn't send the export" in done.params["text"]


def test_logs_hold_ids_not_form_values(slack: Slack, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    submit(slack, organisation="Qqorganisation Marker", email="qqmarker@example.gov.uk")
    submit(slack, email="qq-bad-email")
    slack.fake.wait_for("chat.postMessage", count=2)
    command(slack, "withdraw")
    click(slack, WITHDRAW_CONFIRM)
    slack.fake.wait_for(RESPONSE, count=2)
    # Our loggers only: the app was built before DEBUG was switched on here, so the SDK's own
    # DEBUG lines (held at INFO when LOG_LEVEL is set before start-up) pass in this test.
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))
    assert "registration stored" in logged and ASKER in logged
    assert "Qqorganisation" not in logged and "qqmarker" not in logged and "qq-bad" not in logged
