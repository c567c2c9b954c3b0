"""Admin commands over the data file: knowledge-gap and usage reports, retention purge, backup."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from sqlite_utils import Database

from bot.admin import reports
from bot.cli.common import (
    CLI_BUSY_TIMEOUT_MS,
    clean_errors,
    data_option,
    existing_data_file,
    open_data_file,
    settings,
)
from bot.data import retention


def utcnow() -> datetime:
    """The current time; the one place these commands read the clock (tests replace it)."""
    return datetime.now(UTC)


def days_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--days", default=reports.DEFAULT_DAYS, show_default=True,
        type=click.IntRange(1, 3650), help="Look back this many days.",
    )(f)  # fmt: skip


@click.group()
def report() -> None:
    """Reports over the question log: knowledge gaps and usage statistics."""


@report.command()
@days_option
@click.option(
    "--csv", "csv_path", type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the groups to this CSV file.",
)  # fmt: skip
@data_option
def gaps(days: int, csv_path: Path | None, data_path: Path | None) -> None:
    """Questions declined or marked Not helpful, grouped by wording, most frequent first."""
    with open_data_file(data_path) as db:
        groups = reports.knowledge_gaps(db, utcnow(), days)
    click.echo(reports.format_gaps(groups, days), nl=False)
    if csv_path is not None:
        with clean_errors(f"cannot write {csv_path}"):
            csv_path.write_text(reports.gaps_csv(groups), encoding="utf-8", newline="")
        click.echo(f"wrote {len(groups)} groups to {csv_path}", err=True)


@report.command()
@days_option
@data_option
def stats(days: int, data_path: Path | None) -> None:
    """Questions asked, share answered, feedback, answer times and registrations."""
    with open_data_file(data_path) as db:
        figures = reports.usage_stats(db, utcnow(), days)
    click.echo(reports.format_stats(figures), nl=False)


@click.command()
@click.option("--force", is_flag=True, help="Purge even if it looks like a wrong clock.")
@data_option
def purge(force: bool, data_path: Path | None) -> None:
    """Delete question-log and feedback rows past retention, enquiries answered or closed longer
    ago than that, event ids older than a day, and registrations not updated for 12 months.

    Refuses, deleting nothing, when the clock is behind the newest row or when more than half of
    ten or more registrations would go at once (a wrong clock), unless --force.
    """
    days = settings().log_retention_days
    with open_data_file(data_path) as db:
        try:
            removed = retention.purge(db, utcnow(), days, force=force)
        except retention.PurgeRefused as refused:
            raise click.ClickException(
                f"purge refused, nothing deleted: {refused}; check the clock, or --force"
            ) from refused
    click.echo(
        f"purged rows older than {days} days (MUTUALS_LOG_RETENTION_DAYS) from the question log, "
        "feedback and resolved enquiries, event ids older than 1 day, and registrations not "
        "updated for 12 months:"
    )
    for table, count in removed.items():
        click.echo(f"  {table}: {count}")


@click.command()
@click.argument("dest_text", metavar="DEST", type=click.Path())
@data_option
def backup(dest_text: str, data_path: Path | None) -> None:
    """Write a consistent copy of the data file to DEST (safe while the app runs); a DEST that
    is a directory (or ends with /) gets a timestamped file inside it. The copy is one file,
    readable by its owner only."""
    source = existing_data_file(data_path)
    dest = Path(dest_text)
    if dest_text.endswith(("/", os.sep)) and not dest.is_dir():
        raise click.ClickException(f"no directory {dest_text} to write the backup in")
    if dest.is_dir():
        dest = dest / f"data-{utcnow():%Y%m%dT%H%M%SZ}.sqlite3"
    if not dest.parent.is_dir():
        raise click.ClickException(f"no directory {dest.parent} to write the backup in")
    if dest.resolve() == source.resolve():
        raise click.ClickException(f"{dest} is the data file itself; choose another path")
    with clean_errors("backup failed"):
        written = retention.backup(source, dest, CLI_BUSY_TIMEOUT_MS)
        counts = row_counts(written)
    click.echo(f"backup written to {written}")
    for table, count in counts.items():
        click.echo(f"  {table}: {count} rows")


def row_counts(path: Path) -> dict[str, int]:
    """Rows in each table of an SQLite file, opened read-only."""
    db = Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True))
    try:
        return {t: db.table(t).count for t in db.table_names() if not t.startswith("sqlite_")}
    finally:
        db.close()


COMMANDS = [report, purge, backup]
