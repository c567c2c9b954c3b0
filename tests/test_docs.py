"""README documents every command: each `mutuals` CLI command (and subcommand) and each
`/mutuals` subcommand, as sqlite-utils' tests/test_docs.py does for its CLI."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from bot.app import router
from bot.cli import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _paths(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _paths(command, (*prefix, name))


CLI_COMMANDS = [" ".join(path) for path in _paths(main)]


@pytest.mark.parametrize("command", CLI_COMMANDS)
def test_every_cli_command_is_in_readme(command: str) -> None:
    *group, name = command.split()
    # `mutuals registrations list`, or one of `mutuals registrations list|export|forget`
    words = r"\s".join(["mutuals", *map(re.escape, group)])
    pattern = rf"`{words}\s(?:[\w-]+\\?\|)*{re.escape(name)}\b"
    assert re.search(pattern, README), f"README does not document `mutuals {command}`"


@pytest.mark.parametrize("name", sorted(router().subcommands))
def test_every_slash_subcommand_is_in_readme(name: str) -> None:
    assert f"`/mutuals {name}" in README, f"README does not document `/mutuals {name}`"


def test_the_lists_are_not_empty() -> None:
    assert {"ask", "index", "registrations list", "report gaps"} <= set(CLI_COMMANDS)
    assert len(router().subcommands) >= 9
