"""The `mutuals` command line: one click group, one module per area."""

from __future__ import annotations

import click

from bot.cli import admin as _admin
from bot.cli import enquiries as _enquiries
from bot.cli import knowledge as _knowledge
from bot.cli import registrations as _registrations
from bot.cli import serve as _serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Mutuals Assistant: answers about public service mutuals, in Slack and here."""


for _module in (_knowledge, _admin, _registrations, _enquiries, _serve):
    for _command in _module.COMMANDS:
        main.add_command(_command)
