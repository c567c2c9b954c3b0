"""Messages about a registration of interest: confirmation, status, withdrawal, admin notice
and summary. Pure functions; every stored value shown in mrkdwn goes through `bot.escape`."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from bot.answer import format_as_of
from bot.blocks import Block, actions, button, context, fit, header, register_button, section
from bot.data.registrations import STAGE_LABELS, Registration, RegistrationSummary
from bot.escape import escape, truncate_mrkdwn
from bot.registration_views import (
    COMMAND,
    MAX_FIELD,
    MAX_NEWEST,
    REGISTER_BLOCK,
    RETENTION,
    WITHDRAW_BLOCK,
    WITHDRAW_CONFIRM,
    plain,
)

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")


# -- messages about a registration ------------------------------------------------------------


def _date(moment: datetime) -> str:
    return format_as_of(moment.astimezone(UTC).date().isoformat())


def _field(label: str, value: str) -> dict[str, str]:
    text = truncate_mrkdwn(f"*{label}*\n{escape(value)}", MAX_FIELD)
    return {"type": "mrkdwn", "text": text}


def _details(reg: Registration) -> list[Block]:
    fields = [
        _field("Organisation", reg.organisation),
        _field("Service or team", reg.service),
        _field("Staff", f"{reg.staff_count:,}"),
        _field("Region or nation", reg.region),
        _field("Stage", reg.stage_label),
        _field("Contact email", reg.email),
    ]
    blocks: list[Block] = [{"type": "section", "fields": fields}]
    if reg.description:
        blocks.append(section(f"*Description*\n{escape(reg.description)}"))
    return blocks


def _kept_line(reg: Registration) -> str:
    return (
        f"Registered {_date(reg.created_at)}, last updated {_date(reg.updated_at)}. "
        f"We keep it {RETENTION}."
    )


_SELF_SERVICE = f"`{COMMAND} status` shows it, `{COMMAND} withdraw` deletes it."


def confirmation_text(reg: Registration, escape: Callable[[str], str] = escape) -> str:
    """The confirmation DM's fallback text (mrkdwn, escaped)."""
    text = (
        f"Thank you: your registration of interest for {escape(reg.organisation)} "
        f"({escape(reg.service)}) is stored. {_SELF_SERVICE}"
    )
    return truncate_mrkdwn(text, 3000)


def confirmation_blocks(reg: Registration) -> list[Block]:
    """The confirmation DM: what was stored, how long it is kept, how to check or withdraw it."""
    blocks = [
        header("Registration of interest stored"),
        section("Thank you. The mutuals team will be in touch. This is what we stored:"),
        *_details(reg),
        context(f"{_kept_line(reg)} {_SELF_SERVICE}"),
    ]
    return fit(blocks)


def status_text(reg: Registration | None) -> str:
    """The fallback text of `/mutuals status`."""
    if reg is None:
        return f"You have no registration of interest. `{COMMAND} register` opens the form."
    return truncate_mrkdwn(f"Your registration of interest: {escape(reg.organisation)}.", 3000)


def status_blocks(reg: Registration | None) -> list[Block]:
    """`/mutuals status`: this person's registration, or that there is none."""
    if reg is None:
        return [
            section(status_text(None)),
            actions(REGISTER_BLOCK, [register_button()]),
        ]
    blocks = [
        header("Your registration of interest"),
        *_details(reg),
        context(_kept_line(reg)),
        section(f"`{COMMAND} register` updates it; `{COMMAND} withdraw` deletes it."),
        actions(REGISTER_BLOCK, [register_button("Update registration")]),
    ]
    return fit(blocks)


def withdraw_confirm_blocks() -> list[Block]:
    """`/mutuals withdraw`: a delete button behind a confirmation dialog."""
    withdraw = button("Withdraw my registration", WITHDRAW_CONFIRM, "withdraw", style="danger")
    withdraw["confirm"] = {
        "title": plain("Withdraw your registration?"),
        "text": plain("It is deleted for good. You can register again at any time."),
        "confirm": plain("Delete it"),
        "deny": plain("Keep it"),
        "style": "danger",
    }
    return [
        section(
            "Withdraw your registration of interest? It is deleted straight away, with no copy "
            "kept, and the mutuals team will no longer contact you about it."
        ),
        actions(WITHDRAW_BLOCK, [withdraw]),
    ]


def withdrawn_text(deleted: bool = True) -> str:
    """What to say once the withdraw button was pressed."""
    if not deleted:
        return "You have no registration of interest, so there was nothing to delete."
    return (
        "Your registration of interest is deleted; nothing of it is kept. "
        f"`{COMMAND} register` starts a new one at any time."
    )


def admin_notice_text(reg: Registration, created: bool) -> str:
    """The admin channel notice's fallback text."""
    what = "New registration of interest" if created else "Registration of interest updated"
    return truncate_mrkdwn(f"{what}: {escape(reg.organisation)}", 3000)


def admin_notice_blocks(reg: Registration, created: bool) -> list[Block]:
    """A short notice for the admin channel: who, which service, size, region and stage."""
    # No email or description here: the channel may have more members than the admins.
    who = f"<@{reg.user_id}>" if _USER_ID.match(reg.user_id) else escape(reg.user_id)
    what = "New registration of interest" if created else "Registration of interest updated"
    lines = [
        f"*{what}* from {who}",
        f"*{escape(reg.organisation)}*: {escape(reg.service)}",
        f"{reg.staff_count:,} staff · {escape(reg.region)} · {escape(reg.stage_label)}",
    ]
    return [
        section("\n".join(lines)),
        context(f"Details: `{COMMAND} registrations` or `mutuals registrations list --emails`."),
    ]


def summary_text(summary: RegistrationSummary) -> str:
    """The fallback text of `/mutuals registrations`."""
    return f"Registrations of interest: {summary['total']:,}."


def summary_blocks(summary: RegistrationSummary) -> list[Block]:
    """`/mutuals registrations`: the total, counts by stage and by region, the ten newest."""
    blocks = [header("Registrations of interest"), section(f"*Total:* {summary['total']:,}")]
    if not summary["total"]:
        return blocks
    blocks.append(section("*By stage*\n" + _counts(summary["by_stage"], STAGE_LABELS)))
    blocks.append(section("*By region or nation*\n" + _counts(summary["by_region"], {})))
    blocks.append({"type": "divider"})
    blocks.append(section(f"*Newest {min(len(summary['newest']), MAX_NEWEST)}*"))
    blocks.extend(section(_newest_line(reg)) for reg in summary["newest"][:MAX_NEWEST])
    return fit(blocks)


def _counts(counts: Mapping[str, int], labels: Mapping[str, str]) -> str:
    return "\n".join(f"• {escape(labels.get(k, k))}: {n:,}" for k, n in counts.items())


def _newest_line(reg: Registration) -> str:
    return (
        f"*{escape(reg.organisation)}*: {escape(reg.service)}\n"
        f"{reg.staff_count:,} staff · {escape(reg.region)} · {escape(reg.stage_label)} · "
        f"registered {_date(reg.created_at)}"
    )


# -- short replies ------------------------------------------------------------------------------


def refused_text() -> str:
    """What anyone but an admin hears when asking for registrations: nothing about them."""
    return "Sorry, only the mutuals team's admins can do that."


def busy_text() -> str:
    return "Sorry, I couldn't do that just now: please try again in a moment."


def nothing_to_withdraw_text() -> str:
    return "You have no registration of interest, so there is nothing to withdraw."


def export_sent_text(count: int) -> str:
    return (
        f"The CSV export of {count:,} registration(s) is in your direct messages with me. "
        "It holds personal data: keep it safe and delete it when you are done."
    )


def export_failed_text() -> str:
    return "Sorry, I couldn't send the export to your direct messages. Please try again."
