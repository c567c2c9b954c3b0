"""Helpers shared by the command modules: settings and paths as click options."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

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
