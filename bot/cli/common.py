"""Helpers shared by the command modules: settings and paths as click options."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from sqlite_utils import Database

from bot.data.db import DataBusy, open_data
from bot.settings import Settings, SettingsError, load_settings


def settings() -> Settings:
    """Load settings, turning a bad one into a clean CLI error."""
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


def knowledge_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--knowledge", "knowledge_dir", type=click.Path(path_type=Path, file_okay=False),
        help="Knowledge directory [default: $MUTUALS_KNOWLEDGE_DIR or the bundled one].",
    )(f)  # fmt: skip


def index_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--index", "index_path", type=click.Path(path_type=Path, dir_okay=False),
        help="Index file [default: $MUTUALS_INDEX_PATH or var/index.sqlite3].",
    )(f)  # fmt: skip


def paths(knowledge_dir: Path | None, index_path: Path | None) -> tuple[Path, Path]:
    """The knowledge directory and index file: options first, then settings."""
    s = settings()
    return knowledge_dir or s.knowledge_dir, index_path or s.index_path


# A command line waits this long for a running app's write lock before giving up cleanly.
CLI_BUSY_TIMEOUT_MS = 5_000


def data_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """The --data option, overriding MUTUALS_DATA_PATH."""
    return click.option(
        "--data", "data_path", type=click.Path(path_type=Path, dir_okay=False),
        help="Data file [default: $MUTUALS_DATA_PATH or var/data.sqlite3].",
    )(f)  # fmt: skip


def existing_data_file(data_path: Path | None) -> Path:
    path = data_path or settings().data_path
    if not path.is_file():
        raise click.ClickException(f"no data file at {path} (the app creates it on first run)")
    return path


@contextmanager
def clean_errors(what: str) -> Iterator[None]:
    """Turn a locked database or a bad path into a one-line error and exit status 1."""
    try:
        yield
    except DataBusy as exc:
        raise click.ClickException(
            f"{what}: the data file is locked by another writer; try again in a moment"
        ) from exc
    except (sqlite3.Error, OSError, RuntimeError) as exc:
        raise click.ClickException(f"{what}: {exc}") from exc


@contextmanager
def open_data_file(data_path: Path | None) -> Iterator[Database]:
    """The data file for one command; a locked or bad file is a one-line error, exit 1."""
    path = existing_data_file(data_path)
    with clean_errors(str(path)):
        db = open_data(path, CLI_BUSY_TIMEOUT_MS)
        try:
            yield db
        finally:
            db.close()


_USER_ID = re.compile(r"^[A-Z0-9]{2,32}$")


def forget_person(
    data_path: Path | None,
    user_id: str,
    yes: bool,
    forget: Callable[[Database, str], int],
    names: tuple[str, str, str],
) -> None:
    """Delete, for real, everything `forget` finds of a Slack user, after confirmation.
    `names`: the thing, as one, as counted and as many ("enquiry", "enquiry(ies)", "enquiries")."""
    one, counted, many = names
    user_id = user_id.strip()
    if not _USER_ID.match(user_id):
        raise click.BadParameter(
            f"{user_id!r} is not a Slack user id (like U0123456789)", param_hint="USER_ID"
        )
    if not yes:
        # Asked before opening the data file: click's Abort must not pass through its guard.
        click.confirm(f"Delete every {one} of {user_id}? This cannot be undone.", abort=True)
    with open_data_file(data_path) as db:
        deleted = forget(db, user_id)
    if deleted:
        click.echo(f"deleted {deleted} {counted} of {user_id}")
    else:
        click.echo(f"no {many} of {user_id}; nothing deleted")
