"""Slack event ids already handled, so a retried or redelivered event is answered only once."""

from __future__ import annotations

from datetime import datetime

from bot.data.db import Data, as_database, iso, write_one

_CLAIM = "INSERT OR IGNORE INTO processed_events (event_id, claimed_at) VALUES (?, ?)"


def claim_event(data: Data, event_id: str, now: datetime) -> bool:
    """Claim an event id: True the first time (handle it), False if anyone claimed it before."""
    if not event_id:
        raise ValueError("event_id is required")
    db = as_database(data)
    # One INSERT under the write lock: SQLite's primary key decides the winner across threads
    # and processes alike.
    inserted = write_one(db, _CLAIM, [event_id, iso(now)]).rowcount
    return inserted == 1
