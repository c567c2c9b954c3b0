"""The `mutuals` command line: one click group, one module per area."""

from __future__ import annotations

import click

from bot.cli import knowledge as _knowledge


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Mutuals Assistant: answers about public service mutuals, in Slack and here."""


for _module in (_knowledge,):
    for _command in _module.COMMANDS:
        main.add_command(_command)
