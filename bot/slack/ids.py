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
