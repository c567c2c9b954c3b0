"""The app under test for benchmarks/http_load.py: `mutuals serve --http` in its own process,
with its memory and CPU sampled from outside."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil
from _slack import ROOT

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
SIGNING_SECRET = "benchmark-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-0000000000-benchmark"


def app_settings(workdir: Path, api_url: str) -> dict[str, str]:
    """The app's settings for a benchmark: files in `workdir`, the fake Web API at `api_url`."""
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": "",
        "SLACK_API_URL": api_url,
        "MUTUALS_KNOWLEDGE_DIR": str(ROOT / "knowledge"),
        "MUTUALS_INDEX_PATH": str(workdir / "index.sqlite3"),
        "MUTUALS_DATA_PATH": str(workdir / "data.sqlite3"),
        "MUTUALS_ADMIN_USERS": "",
        "MUTUALS_ADMIN_CHANNEL": "",
        "MUTUALS_OPEN_CHANNELS": "",
        "LOG_LEVEL": "INFO",
    }


class AppProcess:
    """`mutuals serve --http` (or `command`) in its own process group, its log in `workdir`."""

    def __init__(self, workdir: Path, api_url: str, command: str = "") -> None:
        self.workdir = workdir
        self.port = _free_port()
        self.command = (
            shlex.split(command.format(port=self.port))
            if command
            else [*_mutuals_command(), "serve", "--http", "--port", str(self.port)]
        )
        self.log_path = workdir / "server.log"
        self.api_url = api_url
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120.0) -> int:
        """Start the app and wait for /healthz; its pid."""
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command,
                env=self._env(),
                cwd=self.workdir,  # no stray .env is read from the caller's directory
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches us; we stop the app in order
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the app exited with {self.process.returncode}:\n{self.tail()}")
            if _healthy(f"http://127.0.0.1:{self.port}{HEALTH_PATH}"):
                return self.process.pid
            time.sleep(0.1)
        raise RuntimeError(f"the app was not healthy within {timeout:.0f} s:\n{self.tail()}")

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MUTUALS_"))}
        env.update(app_settings(self.workdir, self.api_url))
        env.update(PORT=str(self.port), PYTHONUNBUFFERED="1")
        return env

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_lines(self) -> list[str]:
        if not self.log_path.exists():
            return []
        return self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_lines()[-lines:])


def _mutuals_command() -> list[str]:
    script = Path(sys.executable).parent / "mutuals"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from bot.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


class MemorySampler:
    """Samples a process's RSS every `interval` seconds; the peak since the last `reset`."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.process = psutil.Process(pid)
        # With --app-command the app may be a process tree (gunicorn workers, a profiler).
        self.processes = [self.process, *self.process.children(recursive=True)]
        self.interval = interval
        self._peak = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss", daemon=True)

    def start(self) -> MemorySampler:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                rss = self.rss()
            except psutil.Error:
                return
            with self._lock:
                self._peak = max(self._peak, rss)

    def rss(self) -> int:
        return sum(p.memory_info().rss for p in self.processes)

    def reset(self) -> None:
        with self._lock:
            self._peak = self.rss()

    def peak(self) -> int:
        with self._lock:
            return self._peak

    def cpu_seconds(self) -> float:
        return sum(float(t.user + t.system) for t in (p.cpu_times() for p in self.processes))

    def stop(self) -> None:
        self._stop.set()


def vm_hwm(memory: MemorySampler) -> str:
    """The app's lifetime peak RSS as the kernel counts it (VmHWM)."""
    try:
        status = Path(f"/proc/{memory.process.pid}/status").read_text()
    except OSError:
        return "n/a"
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return f"{int(line.split()[1]) / 1024:,.1f} MiB"
    return "n/a"
