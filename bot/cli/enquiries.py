"""Admin commands over Ask the mutuals team: open enquiries, erasing a person's enquiries, and
the team answers the assistant serves (list, export as a knowledge page, retire)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from bot.cli.common import data_option, forget_person, open_data_file
from bot.enquiries.messages import age
from bot.enquiries.store import forget_asker, open_enquiries
from bot.enquiries.team_answers import (
    knowledge_page,
    list_team_answers,
    problems_of,
    retire_team_answer,
)
from bot.slack.escape import clean

MAX_CELL = 60


def utcnow() -> datetime:
    """The current time; the one place these commands read the clock (tests replace it)."""
    return datetime.now(UTC)


def _cell(text: str) -> str:
    flat = " ".join(clean(text).split())  # stored text cannot drive the terminal
    return flat if len(flat) <= MAX_CELL else flat[: MAX_CELL - 1] + "…"


@click.group()
def enquiries() -> None:
    """Ask the mutuals team enquiries (personal data: who asked, and their words)."""


@enquiries.command("list")
@data_option
def list_enquiries(data_path: Path | None) -> None:
    """Show the open enquiries, oldest first, with their age."""
    with open_data_file(data_path) as db:
        found = open_enquiries(db)
    if not found:
        click.echo("No open enquiries.")
        return
    now = utcnow()
    for enquiry in found:
        click.echo(f"{enquiry.id:>5}  {age(enquiry.created_at, now):>12}  {enquiry.user_id:<12}  "
                   f"{_cell(enquiry.question)}")  # fmt: skip
    click.echo(f"\n{len(found):,} open enquiry(ies).")


@enquiries.command("forget")
@data_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.argument("user_id")
def forget_command(data_path: Path | None, yes: bool, user_id: str) -> None:
    """Delete, for real, every enquiry made by USER_ID (a Slack user id). Team answers that
    came from them stay: they hold nothing of the asker."""
    forget_person(data_path, user_id, yes, forget_asker, ("enquiry", "enquiry(ies)", "enquiries"))


@click.group()
def answers() -> None:
    """Team answers: what the mutuals team answered in Slack, served by the assistant."""


@answers.command("list")
@data_option
@click.option("--retired", is_flag=True, help="Include retired team answers.")
def list_answers(data_path: Path | None, retired: bool) -> None:
    """Show the team answers the assistant serves (a broken one is marked: not served)."""
    with open_data_file(data_path) as db:
        found = list_team_answers(db, retired=retired)
    if not found:
        click.echo("No team answers.")
        return
    for answer in found:
        state = "retired" if answer.retired_at else ("BROKEN" if problems_of(answer) else "served")
        click.echo(f"{answer.id:>5}  {answer.as_of}  {state:<7}  {_cell(answer.question)}")
        for reason in problems_of(answer) if not answer.retired_at else []:
            click.echo(f"       not served: {reason}")
    click.echo(f"\n{len(found):,} team answer(s).")


@answers.command("export")
@data_option
@click.option(
    "--output", "output", type=click.Path(path_type=Path, dir_okay=False),
    help="Write the page here (for example knowledge/guidance/team-answers.md); default stdout.",
)  # fmt: skip
def export_answers(data_path: Path | None, output: Path | None) -> None:
    """Write the served team answers as a knowledge page (knowledge/guidance format) to curate:
    give each a published source, then retire the team answers it replaces."""
    with open_data_file(data_path) as db:
        found = [a for a in list_team_answers(db) if not problems_of(a)]
    page = knowledge_page(found, utcnow().date())
    if output is None:
        click.echo(page, nl=False)
        return
    try:
        output.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from exc
    click.echo(f"exported {len(found)} team answer(s) to {output}", err=True)


@answers.command("retire")
@data_option
@click.argument("answer_id", type=click.IntRange(1))
def retire_answer(data_path: Path | None, answer_id: int) -> None:
    """Stop serving team answer ANSWER_ID (kept, marked retired) from the next index build."""
    with open_data_file(data_path) as db:
        retired = retire_team_answer(db, answer_id, utcnow())
    if not retired:
        raise click.ClickException(f"team answer {answer_id} is not being served")
    click.echo(f"retired team answer {answer_id}; `mutuals index` (or /mutuals reindex) drops it")


COMMANDS = [enquiries, answers]
