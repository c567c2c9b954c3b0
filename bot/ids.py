"""Slack ids shared by the block builders and the listeners, so a typo cannot split them."""

from __future__ import annotations

import re

COMMAND = "/mutuals"

# Answer messages
FEEDBACK_BLOCK = "feedback"
HELPFUL = "feedback_helpful"
NOT_HELPFUL = "feedback_not_helpful"
SHARE_BLOCK = "share"
SHARE = "share_in_channel"

# App Home: one action id per example button (ids must be unique within a block).
EXAMPLES_BLOCK = "examples"
EXAMPLE_PREFIX = "example_question_"
EXAMPLE_PATTERN = re.compile(rf"^{EXAMPLE_PREFIX}\d+$")


def example_action(position: int) -> str:
    """The action id of the example question button at `position`."""
    return f"{EXAMPLE_PREFIX}{position}"
