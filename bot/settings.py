"""Settings: one frozen dataclass, read from the environment (and `.env` via python-dotenv)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from dotenv import load_dotenv

DEFAULT_DATA = Path("var") / "data.sqlite3"  # relative to the directory the app runs in
SLACK_API_URL = "https://slack.com/api/"
_ID = re.compile(r"^[A-Z0-9]{2,32}$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def bundled_knowledge() -> Path:
    """The knowledge directory installed with the app (the repository's knowledge/ in an
    editable install)."""
    import mutuals_knowledge

    return Path(mutuals_knowledge.__file__).resolve().parent


def default_index(environ: Mapping[str, str] | None = None) -> Path:
    """Where the index is kept unless MUTUALS_INDEX_PATH says: a cache, as it is derived."""
    env = os.environ if environ is None else environ
    cache = env.get("XDG_CACHE_HOME", "").strip()
    root = Path(cache) if cache else Path.home() / ".cache"
    return root / "mutuals-assistant" / "index.sqlite3"


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it."""


def _setting(env: str, help: str, default: Any) -> Any:
    return field(default=default, metadata={"env": env, "help": help})


@dataclass(frozen=True)
class Settings:
    """Every setting the assistant reads, with the environment variable that sets it."""

    bot_token: str = _setting("SLACK_BOT_TOKEN", "Bot token (xoxb-...); needed by `serve`.", "")
    signing_secret: str = _setting(
        "SLACK_SIGNING_SECRET", "HTTP mode: verifies every request from Slack.", ""
    )
    app_token: str = _setting(
        "SLACK_APP_TOKEN",
        "Socket Mode app token (xapp-...); when set, `serve` uses Socket Mode.",
        "",
    )
    api_url: str = _setting(
        "SLACK_API_URL", "Slack Web API base URL (GovSlack uses another host).", SLACK_API_URL
    )
    knowledge_dir: Path = _setting(
        "MUTUALS_KNOWLEDGE_DIR", "Knowledge directory.", bundled_knowledge()
    )
    index_path: Path = _setting(
        "MUTUALS_INDEX_PATH", "Index file (derived, rebuildable).", default_index()
    )
    data_path: Path = _setting(
        "MUTUALS_DATA_PATH",
        "Data file (registrations, feedback, question log, events, enquiries, team answers); "
        "keep on a persistent disk.",
        DEFAULT_DATA,
    )
    admin_users: frozenset[str] = _setting(
        "MUTUALS_ADMIN_USERS", "Comma-separated Slack user ids allowed to run admin commands.",
        frozenset(),
    )  # fmt: skip
    admin_channel: str = _setting(
        "MUTUALS_ADMIN_CHANNEL", "Channel id that receives registration notices (optional).", ""
    )
    team_channel: str = _setting(
        "MUTUALS_TEAM_CHANNEL",
        "Channel id where Ask the mutuals team enquiries go (default: the admin channel).",
        "",
    )
    team_users: frozenset[str] = _setting(
        "MUTUALS_TEAM_USERS",
        "Comma-separated user ids who may answer enquiries, besides the admins (optional).",
        frozenset(),
    )
    open_channels: frozenset[str] = _setting(
        "MUTUALS_OPEN_CHANNELS", "Channel ids where the bot answers without a mention.", frozenset()
    )
    team_id: str = _setting(
        "MUTUALS_TEAM_ID",
        "The one Slack workspace (team id) the app serves; requests from any other are refused.",
        "",
    )
    log_retention_days: int = _setting(
        "MUTUALS_LOG_RETENTION_DAYS", "Days to keep the question log and feedback.", 90
    )
    log_level: str = _setting("LOG_LEVEL", "Logging level (DEBUG, INFO, WARNING, ERROR).", "INFO")
    port: int = _setting("PORT", "HTTP port for `serve --http`.", 3000)

    def is_admin(self, user_id: object) -> bool:
        """True when `user_id` may run admin commands (anything but a listed id is refused)."""
        return isinstance(user_id, str) and user_id in self.admin_users

    def is_team(self, user_id: object) -> bool:
        """True when `user_id` may answer or close enquiries: an admin or a team member."""
        return self.is_admin(user_id) or (isinstance(user_id, str) and user_id in self.team_users)

    @property
    def enquiries_channel(self) -> str:
        """Where enquiries go: the team channel, else the admin channel ("" if neither)."""
        return self.team_channel or self.admin_channel


def documented_settings() -> list[tuple[str, str]]:
    """(environment variable, help text) for every setting."""
    return [(f.metadata["env"], f.metadata["help"]) for f in fields(Settings)]


def load_settings(environ: Mapping[str, str] | None = None, dotenv: bool = True) -> Settings:
    """Settings from `environ` (default os.environ, after loading `.env`)."""
    if environ is None:
        if dotenv:
            load_dotenv(override=False)
        environ = os.environ
    values: dict[str, Any] = {}
    for f in fields(Settings):
        raw = environ.get(f.metadata["env"], "").strip()
        if raw:
            values[f.name] = _parse(f.name, f.metadata["env"], raw)
    values.setdefault("index_path", default_index(environ))
    return Settings(**values)


def _parse(name: str, env: str, raw: str) -> object:
    if name in ("knowledge_dir", "index_path", "data_path"):
        return Path(raw).expanduser()
    if name in ("admin_users", "open_channels", "team_users"):
        ids = frozenset(x.strip() for x in raw.split(",") if x.strip())
        bad = sorted(i for i in ids if not _ID.match(i))
        if bad:
            raise SettingsError(f"{env}: not Slack ids: {', '.join(bad)}")
        return ids
    if name == "team_id" and not _ID.match(raw):
        raise SettingsError(f"{env}: {raw!r} is not a Slack team id (like T0123456789)")
    if name in ("admin_channel", "team_channel") and not _ID.match(raw):
        raise SettingsError(f"{env}: {raw!r} is not a Slack channel id (like C0123456789)")
    if name in ("log_retention_days", "port"):
        return _positive_int(env, raw, upper=65535 if name == "port" else 3650)
    if name == "log_level":
        if raw.upper() not in _LOG_LEVELS:
            raise SettingsError(f"{env}: {raw!r} is not one of {', '.join(_LOG_LEVELS)}")
        return raw.upper()
    return _token(name, env, raw)


def _positive_int(env: str, raw: str, upper: int) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= upper:
        raise SettingsError(f"{env}: {raw!r} is not a whole number from 1 to {upper}")
    return int(raw)


_PREFIXES = {"bot_token": "xoxb-", "app_token": "xapp-"}


def _token(name: str, env: str, raw: str) -> str:
    prefix = _PREFIXES.get(name)
    if prefix and not raw.startswith(prefix):
        raise SettingsError(f"{env}: must start with {prefix}")
    if name == "api_url":
        if not re.match(r"^https?://[^\s/]+", raw):
            raise SettingsError(f"{env}: {raw!r} is not an http(s) URL")
        return raw if raw.endswith("/") else raw + "/"
    return raw


def require_slack(settings: Settings) -> None:
    """Stop start-up unless the settings needed to talk to Slack are there."""
    if not settings.bot_token:
        raise SettingsError("SLACK_BOT_TOKEN: missing (the bot token, xoxb-...)")
    if not settings.app_token and not settings.signing_secret:
        raise SettingsError(
            "SLACK_SIGNING_SECRET: missing (needed in HTTP mode; or set SLACK_APP_TOKEN "
            "for Socket Mode)"
        )
