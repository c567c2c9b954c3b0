"""Registration Block Kit: the modal, parsing its submission, inline errors, escaped messages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from data_fixtures import NOW, valid_fields

from bot.registrations.fields import FIELDS, REGIONS, STAGES, Values
from bot.registrations.form import validate_registration
from bot.registrations.messages import (
    admin_notice_blocks,
    admin_notice_text,
    confirmation_blocks,
    confirmation_text,
    status_blocks,
    status_text,
    summary_blocks,
    summary_text,
    withdraw_confirm_blocks,
    withdrawn_text,
)
from bot.registrations.store import Registration, RegistrationSummary
from bot.registrations.views import (
    CONSENT_VALUE,
    FORM_IDS,
    RETENTION,
    errors_response,
    parse_submission,
    registration_modal,
)
from bot.registrations.views import (
    block_id as form_block,
)
from bot.slack.escape import slack_length
from bot.slack.ids import REGISTRATION_CALLBACK, WITHDRAW_CONFIRM

README = Path(__file__).resolve().parent.parent / "README.md"


def registration(**overrides: Any) -> Registration:
    """A stored registration; any field may be replaced, even with values validation refuses."""
    values: dict[str, Any] = {
        "team_id": "T1",
        "user_id": "U123ABC",
        "organisation": "Department for Work and Pensions",
        "service": "Occupational health",
        "staff_count": 1200,
        "region": "North East",
        "stage": "business_case",
        "description": "We run occupational health for the region.",
        "email": "alex@example.gov.uk",
        "consented_at": NOW,
        "created_at": NOW - timedelta(days=30),
        "updated_at": NOW,
    }
    values.update(overrides)
    return Registration(
        values.pop("team_id"), values.pop("user_id"),
        Values({f.name: values.pop(f.name) for f in FIELDS}), **values,
    )  # fmt: skip


def submission(fields: dict[str, object]) -> dict[str, Any]:
    """A view_submission `view` as Slack sends it, for fields named as validation names them."""
    values: dict[str, Any] = {}
    for field, value in fields.items():
        block_id, action_id = FORM_IDS[field]
        if field in ("region", "stage"):
            state: dict[str, Any] = {
                "type": "static_select" if field == "region" else "radio_buttons",
                "selected_option": None if value is None else {"value": value},
            }
        elif field == "consent":
            chosen = [{"value": CONSENT_VALUE}] if value else []
            state = {"type": "checkboxes", "selected_options": chosen}
        else:
            state = {"type": "plain_text_input", "value": value}
        values[block_id] = {action_id: state}
    return {"callback_id": REGISTRATION_CALLBACK, "state": {"values": values}}


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


# -- the modal --------------------------------------------------------------------------------


def test_modal_has_every_field_with_its_ids_and_limits() -> None:
    view = registration_modal(None, None, "meta")
    assert view["type"] == "modal"
    assert view["callback_id"] == REGISTRATION_CALLBACK
    assert view["private_metadata"] == "meta"
    for key in ("title", "submit", "close"):
        assert view[key]["type"] == "plain_text" and 0 < len(view[key]["text"]) <= 24
    blocks = inputs(view)
    assert set(blocks) == {block_id for block_id, _ in FORM_IDS.values()}
    for field, (block_id, action_id) in FORM_IDS.items():
        assert blocks[block_id]["element"]["action_id"] == action_id, field
        assert blocks[block_id]["optional"] is (field == "description")
    types = {block_id: block["element"]["type"] for block_id, block in blocks.items()}
    assert types == {
        form_block("organisation"): "plain_text_input",
        form_block("service"): "plain_text_input",
        form_block("staff_count"): "plain_text_input",
        form_block("region"): "static_select",
        form_block("stage"): "radio_buttons",
        form_block("description"): "plain_text_input",
        form_block("email"): "email_text_input",
        form_block("consent"): "checkboxes",
    }
    assert blocks[form_block("organisation")]["element"]["max_length"] == 200
    assert blocks[form_block("service")]["element"]["max_length"] == 200
    description = blocks[form_block("description")]["element"]
    assert description["multiline"] is True and description["max_length"] == 1000


def test_modal_choices_are_the_regions_and_stages() -> None:
    blocks = inputs(registration_modal(None, None, ""))
    regions = blocks[form_block("region")]["element"]["options"]
    assert [o["value"] for o in regions] == list(REGIONS)
    stages = blocks[form_block("stage")]["element"]["options"]
    assert [(o["value"], o["text"]["text"]) for o in stages] == list(STAGES)
    for option in regions + stages:
        assert len(option["text"]["text"]) <= 75 and len(option["value"]) <= 75


def test_consent_says_who_contacts_and_how_long_it_is_kept() -> None:
    consent = inputs(registration_modal(None, None, ""))[form_block("consent")]
    (option,) = consent["element"]["options"]
    assert option["value"] == CONSENT_VALUE and len(option["text"]["text"]) <= 75
    assert "mutuals team" in option["text"]["text"]
    hint = consent["hint"]["text"]
    assert RETENTION in hint and "12 months" in hint
    assert "/mutuals status" in hint and "/mutuals withdraw" in hint
    assert "initial_options" not in consent["element"]  # never ticked in advance


def test_new_modal_is_empty_except_the_profile_email() -> None:
    view = registration_modal(None, "alex@example.gov.uk", "")
    blocks = inputs(view)
    assert blocks[form_block("email")]["element"]["initial_value"] == "alex@example.gov.uk"
    for block_id, block in blocks.items():
        if block_id != form_block("email"):
            assert "initial_value" not in block["element"]
            assert "initial_option" not in block["element"]
    assert view["title"]["text"] == "Register interest"


@pytest.mark.parametrize("profile", [None, "", "not an email", "a@b@c", "x" * 300 + "@a.uk"])
def test_an_unusable_profile_email_is_not_prefilled(profile: str | None) -> None:
    email = inputs(registration_modal(None, profile, ""))[form_block("email")]
    assert "initial_value" not in email["element"]


def test_re_registering_prefills_everything_from_the_registration() -> None:
    existing = registration(description="Line one\nLine two", region="Wales", stage="ready")
    view = registration_modal(existing, "profile@example.gov.uk", "")
    blocks = inputs(view)

    def initial(block_id: str) -> Any:
        element = blocks[block_id]["element"]
        return element.get("initial_value") or element["initial_option"]

    assert initial(form_block("organisation")) == existing.organisation
    assert initial(form_block("service")) == existing.service
    assert initial(form_block("staff_count")) == "1,200"
    assert initial(form_block("description")) == "Line one\nLine two"
    assert initial(form_block("email")) == existing.email  # what they chose beats the profile
    assert initial(form_block("region")) in blocks[form_block("region")]["element"]["options"]
    assert initial(form_block("region"))["value"] == "Wales"
    assert initial(form_block("stage")) in blocks[form_block("stage")]["element"]["options"]
    assert initial(form_block("stage"))["value"] == "ready"
    assert view["title"]["text"] == "Update registration"


def test_prefilled_modal_submits_back_the_same_registration() -> None:
    existing = registration()
    view = registration_modal(existing, None, "")
    values: dict[str, object] = {"consent": True}
    for field, (block_id, _) in FORM_IDS.items():
        element = inputs(view)[block_id]["element"]
        if "initial_value" in element:
            values[field] = element["initial_value"]
        elif "initial_option" in element:
            values[field] = element["initial_option"]["value"]
    data, errors = validate_registration(parse_submission(submission(values)))
    assert errors == {} and data is not None
    assert (data.organisation, data.staff_count, data.stage) == (
        existing.organisation, existing.staff_count, existing.stage,
    )  # fmt: skip


def test_stored_values_out_of_the_choices_or_too_long_still_make_a_valid_modal() -> None:
    existing = registration(region="Mars", stage="unknown", organisation="🙂" * 200)
    blocks = inputs(registration_modal(existing, None, ""))
    assert "initial_option" not in blocks[form_block("region")]["element"]
    assert "initial_option" not in blocks[form_block("stage")]["element"]
    organisation = blocks[form_block("organisation")]["element"]
    assert slack_length(organisation["initial_value"]) <= organisation["max_length"]


def test_private_metadata_over_slacks_limit_is_refused() -> None:
    registration_modal(None, None, "x" * 3000)
    with pytest.raises(ValueError):
        registration_modal(None, None, "x" * 3001)


# -- parsing the submission -------------------------------------------------------------------


def test_a_good_submission_parses_and_validates() -> None:
    fields = valid_fields(staff_count="1,200")
    parsed = parse_submission(submission(fields))
    assert parsed == {**fields, "consent": True}
    data, errors = validate_registration(parsed)
    assert errors == {} and data is not None and data.staff_count == 1200


EMPTY = {
    "organisation": "",
    "service": "",
    "staff_count": "",
    "region": "",
    "stage": "",
    "description": "",
    "email": "",
    "consent": False,
}


@pytest.mark.parametrize(
    "view",
    [
        {},
        {"state": None},
        {"state": {"values": None}},
        {"state": {"values": []}},
        {"state": {"values": {"reg_organisation": None, "reg_region": "North East"}}},
        {"state": {"values": {b: {"wrong_action": {"value": "x"}} for b, _ in FORM_IDS.values()}}},
        {"state": "values"},
        [],
        None,
        "view",
    ],
)
def test_missing_or_malformed_state_is_empty_not_a_crash(view: Any) -> None:
    assert parse_submission(view) == EMPTY


@pytest.mark.parametrize(
    "state",
    [
        {"value": 42},
        {"value": None},
        {"value": ["a"]},
        {"selected_option": None},
        {"selected_option": "North East"},
        {"selected_option": {"value": 7}},
        {"selected_options": None},
        {"selected_options": {"value": CONSENT_VALUE}},
        {"selected_options": [None, 3, "consent_given"]},
        "not a mapping",
        None,
    ],
)
def test_wrong_typed_element_state_is_empty(state: Any) -> None:
    view = {"state": {"values": {b: {a: state} for b, a in FORM_IDS.values()}}}
    assert parse_submission(view) == EMPTY


def test_extra_blocks_and_unknown_fields_are_ignored() -> None:
    view = submission(valid_fields())
    view["state"]["values"]["injected"] = {"x": {"value": "<!channel>"}}
    view["state"]["values"][form_block("organisation")]["extra"] = {"value": "other"}
    parsed = parse_submission(view)
    assert set(parsed) == set(FORM_IDS)
    assert parsed["organisation"] == valid_fields()["organisation"]


def test_unticked_or_other_consent_value_is_no_consent() -> None:
    view = submission(valid_fields())
    consent_block, consent_action = FORM_IDS["consent"]
    view["state"]["values"][consent_block][consent_action] = {"selected_options": [{"value": "x"}]}
    assert parse_submission(view)["consent"] is False


# -- inline errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "block_id"),
    [
        ("organisation", "", form_block("organisation")),
        ("organisation", "   ", form_block("organisation")),
        ("service", "", form_block("service")),
        ("staff_count", "", form_block("staff_count")),
        ("staff_count", "12.5", form_block("staff_count")),
        ("staff_count", "about 50", form_block("staff_count")),
        ("staff_count", "0", form_block("staff_count")),
        ("staff_count", "1000001", form_block("staff_count")),
        ("region", None, form_block("region")),
        ("stage", None, form_block("stage")),
        ("description", "x" * 1001, form_block("description")),
        ("email", "", form_block("email")),
        ("email", "not-an-email", form_block("email")),
        ("email", "<!channel>@x.gov.uk", form_block("email")),
        ("consent", False, form_block("consent")),
    ],
)
def test_each_bad_field_gets_its_error_under_its_own_block(
    field: str, value: object, block_id: str
) -> None:
    parsed = parse_submission(submission(valid_fields(**{field: value})))
    data, errors = validate_registration(parsed)
    assert data is None
    reply = errors_response(errors)
    assert reply["response_action"] == "errors"
    assert set(reply["errors"]) == {block_id}
    assert reply["errors"][block_id] == errors[field]


def test_an_empty_submission_flags_every_required_field() -> None:
    _, errors = validate_registration(parse_submission({}))
    reply = errors_response(errors)
    required = {block_id for field, (block_id, _) in FORM_IDS.items() if field != "description"}
    assert set(reply["errors"]) == required
    assert all(reply["errors"].values())


def test_an_error_for_an_unknown_field_still_keeps_the_modal_open() -> None:
    reply = errors_response({"nonsense": "bad"})
    assert reply["response_action"] == "errors" and list(reply["errors"]) == [
        form_block("organisation")
    ]


# -- messages: escaped and within Block Kit limits ---------------------------------------------

NASTY = [
    "<!channel>",
    "<!here> & <!everyone>",
    "<@U1>",
    "<https://evil.example|click here>",
    "<" * 1000,
    "&" * 1000,
    "x" * 1000,
    "🙂👩‍👩‍👧‍👦" * 150,
    "مرحبا بالعالم \u202e שלום",
    "*bold* _it_ ~s~ `code` > quote",
    "line\nbreak\r\nand\ttab\x00\x07",
]
_OUR_MENTION = re.compile(r"<@U123ABC>")


def nasty_registration(text: str) -> Registration:
    return registration(
        organisation=text, service=text, description=text, email=text, region=text, stage=text
    )


def mrkdwn_texts(blocks: list[dict[str, Any]]) -> Iterator[str]:
    """Every mrkdwn text in a block list (sections, fields, contexts)."""
    for block in blocks:
        texts = [block.get("text")] + block.get("fields", []) + block.get("elements", [])
        for text in texts:
            if isinstance(text, dict) and text.get("type") == "mrkdwn":
                yield text["text"]


def assert_within_limits(blocks: list[dict[str, Any]]) -> None:
    assert 0 < len(blocks) <= 50
    for block in blocks:
        if block["type"] == "section":
            if "text" in block:
                assert 0 < slack_length(block["text"]["text"]) <= 3000
            assert len(block.get("fields", [])) <= 10
            for field in block.get("fields", []):
                assert 0 < slack_length(field["text"]) <= 2000
        elif block["type"] == "header":
            assert 0 < slack_length(block["text"]["text"]) <= 150
        elif block["type"] == "context":
            assert 0 < len(block["elements"]) <= 10
            for element in block["elements"]:
                assert slack_length(element["text"]) <= 3000
        elif block["type"] == "actions":
            for element in block["elements"]:
                assert slack_length(element["text"]["text"]) <= 75


def assert_escaped(text: str) -> None:
    """No control sequence from the input survives: the only `<` left is our own mention."""
    rest = _OUR_MENTION.sub("", text)
    assert "<" not in rest and ">" not in rest, text[:200]
    assert not re.search(r"&(?!amp;|lt;|gt;)", rest), text[:200]
    assert "\x00" not in rest and "\x07" not in rest


def all_messages(reg: Registration) -> list[tuple[list[dict[str, Any]], str]]:
    summary = RegistrationSummary(
        12,
        {"region": {reg.region: 12, **{r: 0 for r in REGIONS}}, "stage": {reg.stage: 12}},
        [reg] * 12,
    )
    return [
        (confirmation_blocks(reg), confirmation_text(reg)),
        (status_blocks(reg), status_text(reg)),
        (admin_notice_blocks(reg, True), admin_notice_text(reg, True)),
        (admin_notice_blocks(reg, False), admin_notice_text(reg, False)),
        (summary_blocks(summary), summary_text(summary)),
    ]


@pytest.mark.parametrize("text", NASTY)
def test_nasty_input_is_escaped_in_every_message_and_within_limits(text: str) -> None:
    for blocks, fallback in all_messages(nasty_registration(text)):
        assert_within_limits(blocks)
        for mrkdwn in [*mrkdwn_texts(blocks), fallback]:
            assert_escaped(mrkdwn)
        assert slack_length(fallback) <= 3000


def test_a_mention_in_a_field_is_shown_literally() -> None:
    reg = registration(organisation="<!channel> Council", service="<@U1> team")
    for blocks, fallback in all_messages(reg):
        shown = "\n".join([*mrkdwn_texts(blocks), fallback])
        assert "&lt;!channel&gt; Council" in shown
        assert "<!channel>" not in shown and "<@U1>" not in shown


def test_a_long_description_is_cut_to_fit_not_dropped() -> None:
    blocks = confirmation_blocks(registration(description="<" * 1000))
    description = next(t for t in mrkdwn_texts(blocks) if t.startswith("*Description*"))
    assert description.endswith("…") and slack_length(description) <= 3000


def test_confirmation_summarises_what_was_stored() -> None:
    reg = registration()
    shown = "\n".join(mrkdwn_texts(confirmation_blocks(reg)))
    expected = [
        *(reg.organisation, reg.service, "1,200", reg.region, "Building a business case"),
        *(reg.email, reg.description, RETENTION, "/mutuals status", "/mutuals withdraw"),
    ]
    for value in expected:
        assert value in shown
    assert reg.organisation in confirmation_text(reg)


def test_status_without_a_registration_says_so() -> None:
    blocks = status_blocks(None)
    assert "no registration" in next(mrkdwn_texts(blocks))
    assert "no registration" in status_text(None)
    assert_within_limits(blocks)


def test_status_shows_the_registration_and_when_it_was_updated() -> None:
    shown = "\n".join(mrkdwn_texts(status_blocks(registration())))
    assert "Department for Work and Pensions" in shown and "1 March 2025" in shown


def test_withdraw_asks_for_confirmation_with_a_dialog() -> None:
    blocks = withdraw_confirm_blocks()
    assert_within_limits(blocks)
    (button,) = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == WITHDRAW_CONFIRM and button["style"] == "danger"
    dialog = button["confirm"]
    assert len(dialog["title"]["text"]) <= 100 and len(dialog["text"]["text"]) <= 300
    assert len(dialog["confirm"]["text"]) <= 30 and len(dialog["deny"]["text"]) <= 30
    assert "deleted" in withdrawn_text() and "nothing to delete" in withdrawn_text(False)


def test_admin_notice_is_short_and_leaves_out_email_and_description() -> None:
    reg = registration()
    blocks = admin_notice_blocks(reg, created=True)
    shown = "\n".join(mrkdwn_texts(blocks))
    assert "New registration" in shown and "<@U123ABC>" in shown
    assert reg.email not in shown and reg.description not in shown
    assert "updated" in "\n".join(mrkdwn_texts(admin_notice_blocks(reg, created=False)))


def test_admin_notice_never_builds_a_mention_from_a_strange_user_id() -> None:
    blocks = admin_notice_blocks(registration(user_id="<!channel>"), created=True)
    assert "&lt;!channel&gt;" in next(mrkdwn_texts(blocks))


def test_summary_shows_total_counts_and_the_ten_newest() -> None:
    newest = [registration(organisation=f"Org {i}") for i in range(15)]
    summary = RegistrationSummary(
        15,
        {"region": dict.fromkeys(REGIONS, 0) | {"London": 15},
         "stage": {value: 0 for value, _ in STAGES} | {"ready": 15}},
        newest,
    )  # fmt: skip
    blocks = summary_blocks(summary)
    assert_within_limits(blocks)
    shown = "\n".join(mrkdwn_texts(blocks))
    assert "*Total:* 15" in shown
    assert "• Ready to spin out: 15" in shown and "• London: 15" in shown
    assert "Org 9" in shown and "Org 10" not in shown
    assert summary_text(summary) == "Registrations of interest: 15."


def test_summary_of_nothing() -> None:
    summary = RegistrationSummary(0, {}, [])
    shown = "\n".join(mrkdwn_texts(summary_blocks(summary)))
    assert "*Total:* 0" in shown


def test_readme_privacy_section_states_the_retention() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Privacy: registrations", 1)[1].split("\n## ", 1)[0]
    assert RETENTION in " ".join(section.split())
