"""Slack event ids already handled, so a retried or redelivered event is answered only once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.data.db import Data, as_database, iso, write_one

_CLAIM = "INSERT OR IGNORE INTO processed_events (event_id, claimed_at) VALUES "


def claim_event(data: Data, event_id: str, now: datetime) -> bool:
    """Claim an event id: True the first time (handle it), False if anyone claimed it before."""
    return claim_events(data, [event_id], now)


def claim_events(data: Data, event_ids: Sequence[str], now: datetime) -> bool:
    """Claim several ids at once: True if none was claimed before (handle it). Each id not yet
    claimed is claimed either way, so any later delivery naming one of them is refused."""
    if not all(event_ids):
        raise ValueError("event_id is required")
    event_ids = list(dict.fromkeys(event_ids))  # an id named twice is claimed once
    if not event_ids:
        return True
    db = as_database(data)
    # One INSERT under the write lock (one transaction, one sync to disk): SQLite's primary
    # key decides the winner across threads and processes alike.
    at = iso(now)
    params = [value for event_id in event_ids for value in (event_id, at)]
    sql = _CLAIM + ", ".join(["(?, ?)"] * len(event_ids))
    inserted = write_one(db, sql, params).rowcount
    return inserted == len(event_ids)
