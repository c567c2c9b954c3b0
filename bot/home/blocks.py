"""The App Home tab: pure Block Kit over `HomeInfo`."""

from __future__ import annotations

from bot.admin.blocks import with_admin_panel
from bot.answers.blocks import ABOUT, EXAMPLE_QUESTIONS, WAYS_TO_ASK
from bot.dates import format_date
from bot.home.service import HomeInfo
from bot.registrations.messages import register_actions
from bot.slack import ids
from bot.slack.blocks import Block, actions, button, context, fit, header, section
from bot.slack.escape import escape


def home_view(home: HomeInfo) -> Block:
    """The App Home tab: what it does, example question buttons, when knowledge was indexed;
    the admin panel for admins."""
    examples = [button(q, ids.example_action(i), q) for i, q in enumerate(EXAMPLE_QUESTIONS)]
    indexed = format_date(home.built_at[:10]) if home.built_at else "unknown"
    blocks = [
        header("Mutuals Assistant"),
        section(ABOUT),
        section(WAYS_TO_ASK),
        section("*Try an example*: I answer it in a direct message."),
        actions(ids.EXAMPLES_BLOCK, examples),
        section(
            "*Thinking of spinning out a service?* Register your interest and the mutuals team "
            f"will be in touch. `{ids.COMMAND} status` shows what you registered."
        ),
        register_actions(),
        context(
            f"Knowledge last indexed {escape(indexed)}: {home.documents} documents, "
            f"{home.passages} passages."
        ),
    ]
    view = {"type": "home", "blocks": fit(blocks)}
    if home.admin is None:
        return view
    return with_admin_panel(view, home.admin, home.open_enquiries)
