"""`mutuals serve`: run the Slack app."""

from __future__ import annotations

import click

from bot.cli.common import settings
from bot.data.db import DataFileError
from bot.settings import SettingsError
from indexer.knowledge import KnowledgeError
from indexer.search import IndexUnavailable


@click.command()
@click.option(
    "--http",
    "http",
    is_flag=True,
    help="HTTP mode (waitress, /slack/events) even if SLACK_APP_TOKEN is set.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="HTTP port (health port in Socket Mode) [default: $PORT or 3000].")  # fmt: skip
def serve(http: bool, port: int | None) -> None:
    """Run the Slack app: Socket Mode when SLACK_APP_TOKEN is set, else HTTP (/slack/events)."""
    # Imported here so the other commands (mutuals ask above all) do not pay for loading Bolt.
    from bot.server import StartupError, configure_logging
    from bot.server import serve as run

    current = settings()
    configure_logging(current.log_level)
    try:
        run(current, http=http, port=port)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    except KnowledgeError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("the knowledge has problems; fix them and try again") from exc
    except DataFileError as exc:
        raise click.ClickException(f"data file {current.data_path}: {exc}") from exc
    except IndexUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    except StartupError as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"could not start: {type(exc).__name__}: {exc}") from exc


COMMANDS = [serve]
