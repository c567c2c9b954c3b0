"""Admin commands over registrations of interest: list, export as CSV, forget a person."""

from __future__ import annotations

import os
from pathlib import Path

import click

from bot.cli.common import data_option, forget_person, open_data_file
from bot.registrations.fields import FIELDS, Field, Kind
from bot.registrations.form import clean_text
from bot.registrations.store import (
    Registration,
    forget_user,
    list_registrations,
    registrations_csv,
)
from bot.registrations.views import RETENTION

MAX_CELL = 40  # wider text is cut in the table (export has it in full)


@click.group(help=f"Registrations of interest (admin). Each is kept {RETENTION}.")
def registrations() -> None:
    pass


@registrations.command("list")
@data_option
@click.option("--emails", is_flag=True, help="Include contact email addresses.")
def list_command(data_path: Path | None, emails: bool) -> None:
    """Show every registration, newest first (no emails unless --emails)."""
    with open_data_file(data_path) as db:
        found = list_registrations(db)
    if not found:
        click.echo("No registrations.")
        return
    click.echo(registrations_table(found, emails))
    click.echo(f"\n{len(found):,} registration(s). Each is kept {RETENTION}.")


def registrations_table(found: list[Registration], emails: bool = False) -> str:
    """A plain text table: created, then each field shown to admins (and email addresses)."""
    columns = [f for f in FIELDS if f.for_admins or (emails and f.kind is Kind.EMAIL)]
    head = ["created", *(f.heading for f in columns)]
    rows = [[reg.created_at.date().isoformat(), *(reg.shown(f.name) for f in columns)]
            for reg in found]  # fmt: skip
    cells = [head] + [[_cell(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(head))]
    right = {i + 1 for i, f in enumerate(columns) if _is_number(f)}
    lines = []
    for row in cells:
        padded = [
            value.rjust(widths[i]) if i in right else value.ljust(widths[i])
            for i, value in enumerate(row)
        ]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)


def _is_number(f: Field) -> bool:
    return f.kind is Kind.NUMBER


def _cell(value: str) -> str:
    # clean_text drops control characters, so stored text cannot drive the terminal.
    text = clean_text(value)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


@registrations.command("export")
@data_option
@click.option(
    "--csv", "csv_path", required=True, type=click.Path(dir_okay=False, allow_dash=True),
    help="CSV file to write (UTF-8, header row); - for standard output.",
)  # fmt: skip
def export_command(data_path: Path | None, csv_path: str) -> None:
    """Write every registration, with emails, as CSV (formula-like cells neutralised)."""
    with open_data_file(data_path) as db:
        found = list_registrations(db)
    payload = registrations_csv(found).encode("utf-8")
    if csv_path == "-":
        click.echo(payload, nl=False)  # bytes go to the binary stream as they are: UTF-8
        return
    try:
        _write_private(Path(csv_path), payload)
    except OSError as exc:
        raise click.ClickException(f"cannot write {csv_path}: {exc.strerror or exc}") from exc
    click.echo(f"exported {len(found):,} registration(s) to {csv_path}", err=True)


def _write_private(path: Path, payload: bytes) -> None:
    # Personal data: a new file is readable by its owner only.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(payload)


@registrations.command("forget")
@data_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.argument("user_id")
def forget_command(data_path: Path | None, yes: bool, user_id: str) -> None:
    """Delete, for real, every registration made by USER_ID (a Slack user id)."""
    forget_person(
        data_path, user_id, yes, forget_user, ("registration", "registration(s)", "registrations")
    )


COMMANDS = [registrations]
