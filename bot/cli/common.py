"""Helpers shared by the command modules: settings and paths as click options."""

from __future__ import annotations

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
