"""Slack ids shared by the block builders and the listeners, so a typo cannot split them."""

from __future__ import annotations

import re

COMMAND = "/mutuals"

# Answer messages
FEEDBACK_BLOCK = "feedback"
FEEDBACK = "feedback_buttons"  # Slack's feedback buttons: which one is in the value
HELPFUL = "feedback_helpful"
NOT_HELPFUL = "feedback_not_helpful"
SHARE_BLOCK = "share"
SHARE = "share_in_channel"
SHARE_IN_THREAD = "share_in_thread"  # under a message shortcut's private answer
ASK_SHORTCUT = "ask_about_message"  # the message shortcut "Ask Mutuals Assistant"

# App Home: one action id per example button (ids must be unique within a block).
EXAMPLES_BLOCK = "examples"
EXAMPLE_PREFIX = "example_question_"
EXAMPLE_PATTERN = re.compile(rf"^{EXAMPLE_PREFIX}\d+$")


def example_action(position: int) -> str:
    """The action id of the example question button at `position`."""
    return f"{EXAMPLE_PREFIX}{position}"


# Registrations of interest (the modal's input ids derive from the fields: registrations/views.py)
OPEN_REGISTRATION = "registration_open"  # Register interest / Update registration buttons
REGISTER_BLOCK = "registration_register"
REGISTRATION_CALLBACK = "registration_submit"
WITHDRAW_BLOCK = "registration_withdraw"
WITHDRAW_CONFIRM = "registration_withdraw_confirm"
# Admin-only buttons (an admin panel may show them); the service checks the clicker is an admin.
ADMIN_REGISTRATIONS = "admin_registrations_summary"
ADMIN_EXPORT = "admin_registrations_export"
# App Home admin panel (bot/admin/blocks.py); every handler checks the clicker is an admin.
ADMIN_BLOCK = "admin_panel"
ADMIN_REINDEX = "admin_reindex"
ADMIN_GAPS = "admin_gaps"
ADMIN_STATS = "admin_stats"
ADMIN_ENQUIRIES = "admin_enquiries"
ADMIN_ANSWERS = "admin_team_answers"

# Ask the mutuals team (bot/enquiries): the asker's button and modal; the team's buttons and modal.
ASK_TEAM_BLOCK = "ask_team"  # under a declined answer
ASK_TEAM_UNHELPFUL_BLOCK = "ask_team_not_helpful"  # after Not helpful
ASK_TEAM = "enquiry_ask_team"  # value: JSON of the question and why it is asked (views.Asking)
ENQUIRY_CALLBACK = "enquiry_submit"
ENQUIRY_DETAIL_BLOCK = "enquiry_detail"
ENQUIRY_DETAIL = "detail"
ENQUIRY_BLOCK = "enquiry_actions"
ENQUIRY_ANSWER = "enquiry_answer"  # value: the enquiry id
ENQUIRY_CLOSE = "enquiry_close"  # value: the enquiry id
ANSWER_CALLBACK = "enquiry_answer_submit"
TEAM_ANSWER_EDIT = "team_answer_edit"  # value: the team answer id
TEAM_ANSWER_RETIRE = "team_answer_retire"  # value: the team answer id
TEAM_ANSWER_CALLBACK = "team_answer_edit_submit"
# The Answer modal's inputs: (block id, action id)
ANSWER_QUESTION = ("answer_question", "question")
ANSWER_TEXT = ("answer_text", "text")
ANSWER_SOURCE_TITLE = ("answer_source_title", "source_title")
ANSWER_SOURCE_URL = ("answer_source_url", "source_url")
ANSWER_ADD = ("answer_add", "add")
ANSWER_ADD_VALUE = "add_to_answers"
