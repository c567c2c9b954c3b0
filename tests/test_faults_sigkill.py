"""SIGKILL in the middle of a burst of registrations: every registration confirmed before the
kill is in the data file after it, and the file passes `PRAGMA integrity_check`.

A child process saves registrations in a loop and prints each user id only after
save_registration returned (the moment the app would tell the person "stored"). The parent kills
it with SIGKILL at an arbitrary moment, reopens the file as a restarted server would, and checks.
(SIGKILL loses the process, not the OS page cache; power loss is what synchronous=FULL is for,
checked in test_data_db.py::test_every_connection_gets_the_safe_settings.)
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.data.db import open_data
from bot.registrations.store import list_registrations

# Two threads registering at once, as Bolt's listener threads would.
_BURST = """
import sys, threading
from datetime import UTC, datetime
from bot.data.db import DataStore
from bot.registrations.store import save_registration
from bot.registrations.form import validate_registration

store = DataStore(sys.argv[1])
round_ = sys.argv[2]
form, _ = validate_registration({
    "organisation": "Department for Work and Pensions", "service": "Occupational health",
    "staff_count": "120", "region": "North East", "stage": "just_exploring",
    "description": "A burst of registrations. " * 20, "email": "burst@example.gov.uk",
    "consent": True,
})
lock = threading.Lock()

def burst(worker):
    for n in range(100_000):
        user = f"U{round_}W{worker}N{n:06d}"
        save_registration(store, "T1", user, form, datetime.now(UTC))
        with lock:
            print(user, flush=True)  # confirmed: save_registration has returned

threads = [threading.Thread(target=burst, args=(w,)) for w in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
"""


def _kill_mid_burst(path: Path, round_: int, after: float) -> list[str]:
    """Run a burst, SIGKILL it `after` seconds into confirmations; the users it confirmed."""
    child = subprocess.Popen(
        [sys.executable, "-c", _BURST, str(path), str(round_)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    confirmed: list[str] = []
    stdout = child.stdout
    assert stdout is not None
    reader = threading.Thread(target=lambda: confirmed.extend(line.strip() for line in stdout))
    reader.start()
    deadline = time.monotonic() + 20
    while not confirmed:
        assert child.poll() is None, child.stderr.read() if child.stderr else ""
        assert time.monotonic() < deadline, "the burst never confirmed a registration"
        time.sleep(0.005)
    time.sleep(after)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    reader.join(timeout=10)  # whatever was printed before the kill was confirmed
    assert child.returncode == -signal.SIGKILL
    return [user for user in confirmed if user]


def test_every_confirmed_registration_survives_sigkill(tmp_path: Path) -> None:
    path = tmp_path / "data.sqlite3"
    rng = random.Random(7)
    confirmed: list[str] = []
    for round_ in range(3):  # each restart must also cope with the previous kill's WAL
        confirmed += _kill_mid_burst(path, round_, after=rng.uniform(0.1, 0.5))
    assert len(confirmed) > 20, "the burst was too short to mean anything"

    with open_data(path) as db:  # the restart: opening replays or discards the WAL
        assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {r.user_id for r in list_registrations(db)}
        assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    missing = [user for user in confirmed if user not in stored]
    assert missing == [], f"{len(missing)} confirmed registrations lost: {missing[:5]}"
    # At most one unconfirmed row per thread per round: saved, killed before it was printed.
    assert len(stored) - len(confirmed) <= 2 * 3


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_kill_during_the_first_write_leaves_a_usable_file(tmp_path: Path) -> None:
    path = tmp_path / "data.sqlite3"
    child = subprocess.Popen([sys.executable, "-c", _BURST, str(path), "9"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(0.3)  # somewhere in start-up, migration or the first saves
    child.kill()
    child.wait(timeout=10)
    with open_data(path) as db:
        assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert "registrations" in db.table_names()
