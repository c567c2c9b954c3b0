"""Run the real `mutuals serve` in a child process with settings from its environment only."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.settings import documented_settings

_MAIN = "from bot.cli import main; main(prog_name='mutuals')"


def serve_env(**settings: str) -> dict[str, str]:
    """The environment for a child: every documented setting set (empty = default), so
    neither the caller's environment nor a developer's `.env` leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MUTUALS_"))}
    env.update({name: "" for name, _ in documented_settings()})
    env.update(settings)
    return env


def run_mutuals(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    """`mutuals ARGS...` run to completion."""
    return subprocess.run(
        [sys.executable, "-c", _MAIN, *args], env=env, cwd=cwd, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def status(url: str) -> int | None:
    """The HTTP status of a GET, or None if nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


@contextmanager
def serving(
    args: list[str], env: dict[str, str], cwd: Path, port: int, timeout: float = 20
) -> Iterator[subprocess.Popen[str]]:
    """`mutuals serve ARGS...` running until /healthz answers; killed on exit."""
    child = subprocess.Popen(
        [sys.executable, "-c", _MAIN, "serve", *args], env=env, cwd=cwd,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + timeout
        while status(f"http://127.0.0.1:{port}/healthz") is None:
            if child.poll() is not None:
                _, err = child.communicate()
                raise AssertionError(f"serve exited {child.returncode}: {err[-2000:]}")
            assert time.monotonic() < deadline, "serve did not answer /healthz in time"
            time.sleep(0.1)
        yield child
    finally:
        if child.poll() is None:
            child.terminate()
        child.communicate(timeout=10)
