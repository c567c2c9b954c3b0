"""Setting up the Slack app: settings, `mutuals serve` start-up errors, docs and manifest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import main
from bot.settings import Settings, SettingsError, documented_settings, load_settings, require_slack
from bot.slack import ids

ROOT = Path(__file__).resolve().parent.parent


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end != -1 else None]


def test_every_setting_is_documented_in_readme() -> None:
    settings = _section((ROOT / "README.md").read_text(encoding="utf-8"), "## Settings")
    for env, help_text in documented_settings():
        row = next((line for line in settings.splitlines() if line.startswith(f"| `{env}` |")), "")
        assert row, f"{env} is not in README's Settings table"
        assert help_text in row, f"README's help for {env} differs from the Settings dataclass"


def test_env_example_lists_every_setting() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    names = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, flags=re.M))
    assert names == {env for env, _ in documented_settings()}


@pytest.mark.parametrize(
    "environ, named",
    [
        ({"SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN"),
        ({"SLACK_API_URL": "ftp://slack"}, "SLACK_API_URL"),
        ({"MUTUALS_OPEN_CHANNELS": "C0123456789, #general"}, "MUTUALS_OPEN_CHANNELS"),
        ({"MUTUALS_ADMIN_USERS": "alice"}, "MUTUALS_ADMIN_USERS"),
        ({"MUTUALS_ADMIN_CHANNEL": "general"}, "MUTUALS_ADMIN_CHANNEL"),
        ({"MUTUALS_TEAM_CHANNEL": "#mutuals-team"}, "MUTUALS_TEAM_CHANNEL"),
        ({"MUTUALS_TEAM_USERS": "U0123456789, bob"}, "MUTUALS_TEAM_USERS"),
        ({"MUTUALS_LOG_RETENTION_DAYS": "ninety"}, "MUTUALS_LOG_RETENTION_DAYS"),
        ({"PORT": "70000"}, "PORT"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ],
)
def test_malformed_setting_is_named(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings(environ)


def test_open_channels_parsed() -> None:
    settings = load_settings({"MUTUALS_OPEN_CHANNELS": "C0123456789, C0987654321"})
    assert settings.open_channels == {"C0123456789", "C0987654321"}


@pytest.mark.parametrize(
    "settings, named",
    [
        (Settings(), "SLACK_BOT_TOKEN"),
        (Settings(bot_token="xoxb-1"), "SLACK_SIGNING_SECRET"),
    ],
)
def test_missing_slack_setting_is_named(settings: Settings, named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        require_slack(settings)


@pytest.mark.parametrize(
    "env, args, named",
    [
        ({}, [], "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, ["--http"],
         "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "PORT": "port"}, [], "PORT"),
    ],
)  # fmt: skip
def test_serve_stops_with_the_setting_named(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], args: list[str],
    named: str,
) -> None:  # fmt: skip
    monkeypatch.setattr("bot.settings.load_dotenv", lambda **kwargs: False)  # ignore any .env
    for name, _ in documented_settings():
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["serve", *args])
    assert result.exit_code == 1
    assert named in result.output
    assert "Traceback" not in result.output


def test_procfile() -> None:
    lines = (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    assert "web: mutuals serve --http" in lines
    assert "worker: mutuals serve" in lines


def test_manifest_has_the_least_scopes_and_every_surface() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "app_mentions:read", "assistant:write", "channels:history", "chat:write", "commands",
        "im:history", "im:write", "users:read", "users:read.email", "files:write",
    }  # fmt: skip
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_home_opened", "app_mention", "assistant_thread_started",
        "assistant_thread_context_changed", "message.channels", "message.im",
    }  # fmt: skip
    assert manifest["features"]["assistant_view"]["assistant_description"]
    (shortcut,) = manifest["features"]["shortcuts"]
    assert shortcut["type"] == "message" and shortcut["callback_id"] == ids.ASK_SHORTCUT
    assert settings["interactivity"]["is_enabled"] and settings["socket_mode_enabled"]
    assert manifest["features"]["app_home"]["home_tab_enabled"]
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/mutuals"]


def test_enquiries_go_to_the_team_channel_else_the_admin_channel() -> None:
    both = load_settings({"MUTUALS_TEAM_CHANNEL": "C0TEAM001", "MUTUALS_ADMIN_CHANNEL": "C0ADM001"})
    assert both.enquiries_channel == "C0TEAM001"
    assert load_settings({"MUTUALS_ADMIN_CHANNEL": "C0ADM001"}).enquiries_channel == "C0ADM001"
    team = load_settings({"MUTUALS_ADMIN_USERS": "U0ADMIN01", "MUTUALS_TEAM_USERS": "U0TEAM001"})
    assert team.is_team("U0ADMIN01") and team.is_team("U0TEAM001")
    assert not team.is_admin("U0TEAM001") and not team.is_team("U0OTHER01")
