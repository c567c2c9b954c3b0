"""Messages about a registration of interest: confirmation, status, withdrawal, admin notice
and summary, drawn from the declared fields. Pure functions; every stored value shown in
mrkdwn goes through `bot.slack.escape`."""

from __future__ import annotations

from bot.dates import format_day
from bot.registrations.fields import FIELDS, TITLE_FIELDS, Kind, field
from bot.registrations.store import Registration, RegistrationSummary
from bot.registrations.views import RETENTION
from bot.slack import ids
from bot.slack.blocks import Block, actions, button, context, fit, header, plain, section
from bot.slack.escape import escape, mention, truncate_mrkdwn

COMMAND = ids.COMMAND
MAX_FIELD = 2000  # a section field's text
MAX_NEWEST = 10
_SELF_SERVICE = f"`{COMMAND} status` shows it, `{COMMAND} withdraw` deletes it."


def register_button(text: str = "Register interest") -> Block:
    """The button that opens the registration modal (answers, App Home, status)."""
    return button(text, ids.OPEN_REGISTRATION, "register", style="primary")


def register_actions(text: str = "Register interest") -> Block:
    return actions(ids.REGISTER_BLOCK, [register_button(text)])


# -- what a registration holds ----------------------------------------------------------------


def _name(reg: Registration) -> str:
    """The registration's first title field, escaped ("Department for Work and Pensions")."""
    return escape(reg.shown(TITLE_FIELDS[0]))


def _title(reg: Registration, bold: bool = False) -> str:
    """The title fields, escaped: "*Organisation*: service", or "Organisation (service)"."""
    first, *rest = (escape(reg.shown(name)) for name in TITLE_FIELDS)
    if bold:
        return ": ".join([f"*{first}*", *rest])
    return f"{first} ({', '.join(rest)})" if rest else first


def _brief(reg: Registration) -> list[str]:
    """The other values admins see, each short ("1,200 staff", "North East")."""
    return [
        escape(f.brief(reg.values[f.name]))
        for f in FIELDS
        if f.for_admins and f.name not in TITLE_FIELDS
    ]


def _field(label: str, value: str) -> dict[str, str]:
    text = truncate_mrkdwn(f"*{escape(label)}*\n{escape(value)}", MAX_FIELD)
    return {"type": "mrkdwn", "text": text}


def _details(reg: Registration) -> list[Block]:
    """Every value: short ones as section fields, long text as sections of their own."""
    short = [f for f in FIELDS if f.kind is not Kind.LONG_TEXT]
    blocks: list[Block] = []
    for start in range(0, len(short), 10):  # a section holds at most ten fields
        fields = [_field(f.title, reg.shown(f.name)) for f in short[start : start + 10]]
        blocks.append({"type": "section", "fields": fields})
    for f in FIELDS:
        if f.kind is Kind.LONG_TEXT and reg.values[f.name]:
            blocks.append(section(f"*{escape(f.title)}*\n{escape(reg.shown(f.name))}"))
    return blocks


def _kept_line(reg: Registration) -> str:
    return (
        f"Registered {format_day(reg.created_at)}, last updated {format_day(reg.updated_at)}. "
        f"We keep it {RETENTION}."
    )


# -- to the person who registered ---------------------------------------------------------------


def confirmation_text(reg: Registration) -> str:
    """The confirmation DM's fallback text (mrkdwn, escaped)."""
    text = f"Thank you: your registration of interest for {_title(reg)} is stored. {_SELF_SERVICE}"
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
    return truncate_mrkdwn(f"Your registration of interest: {_name(reg)}.", 3000)


def status_blocks(reg: Registration | None) -> list[Block]:
    """`/mutuals status`: this person's registration, or that there is none."""
    if reg is None:
        return [section(status_text(None)), register_actions()]
    blocks = [
        header("Your registration of interest"),
        *_details(reg),
        context(_kept_line(reg)),
        section(f"`{COMMAND} register` updates it; `{COMMAND} withdraw` deletes it."),
        register_actions("Update registration"),
    ]
    return fit(blocks)


def withdraw_confirm_blocks() -> list[Block]:
    """`/mutuals withdraw`: a delete button behind a confirmation dialog."""
    withdraw = button("Withdraw my registration", ids.WITHDRAW_CONFIRM, "withdraw", style="danger")
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
        actions(ids.WITHDRAW_BLOCK, [withdraw]),
    ]


def withdrawn_text(deleted: bool = True) -> str:
    """What to say once the withdraw button was pressed."""
    if not deleted:
        return "You have no registration of interest, so there was nothing to delete."
    return (
        "Your registration of interest is deleted; nothing of it is kept. "
        f"`{COMMAND} register` starts a new one at any time."
    )


# -- to the admins ------------------------------------------------------------------------------


def admin_notice_text(reg: Registration, created: bool) -> str:
    """The admin channel notice's fallback text."""
    what = "New registration of interest" if created else "Registration of interest updated"
    return truncate_mrkdwn(f"{what}: {_name(reg)}", 3000)


def admin_notice_blocks(reg: Registration, created: bool) -> list[Block]:
    """A short notice for the admin channel: who, and the values admins see."""
    # Only fields marked for_admins: the channel may have more members than the admins.
    what = "New registration of interest" if created else "Registration of interest updated"
    who = f"*{what}* from {mention(reg.user_id)}"
    lines = [who, _title(reg, bold=True), " · ".join(_brief(reg))]
    return [
        section("\n".join(lines)),
        context(f"Details: `{COMMAND} registrations` or `mutuals registrations list --emails`."),
    ]


def summary_text(summary: RegistrationSummary) -> str:
    """The fallback text of `/mutuals registrations`."""
    return f"Registrations of interest: {summary.total:,}."


def summary_blocks(summary: RegistrationSummary) -> list[Block]:
    """`/mutuals registrations`: the total, counts per counted field, the ten newest."""
    blocks = [header("Registrations of interest"), section(f"*Total:* {summary.total:,}")]
    if not summary.total:
        return blocks
    for name, counts in summary.counts.items():
        f = field(name)
        lines = "\n".join(f"• {escape(f.shown(k))}: {n:,}" for k, n in counts.items())
        blocks.append(section(f"*By {escape(f.title.lower())}*\n{lines}"))
    blocks.append({"type": "divider"})
    blocks.append(section(f"*Newest {min(len(summary.newest), MAX_NEWEST)}*"))
    blocks.extend(section(_newest_line(reg)) for reg in summary.newest[:MAX_NEWEST])
    return fit(blocks)


def _newest_line(reg: Registration) -> str:
    details = " · ".join([*_brief(reg), f"registered {format_day(reg.created_at)}"])
    return f"{_title(reg, bold=True)}\n{details}"


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
