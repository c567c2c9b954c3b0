"""Another process holding the data file's write lock (`BEGIN IMMEDIATE`), as a second server,
`mutuals purge` or a backup script might.

    with hold_write_lock(path, seconds=2.0):  # returns once the lock is held
        ...  # writers in this process now wait for it
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
conn.close()
print("released", flush=True)
"""


@contextmanager
def hold_write_lock(path: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Hold the write lock of the SQLite file at `path` from a child process for `seconds`."""
    child = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline().strip()
        assert line == "locked", f"lock holder did not start: {line!r}"
        yield child
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=10)
