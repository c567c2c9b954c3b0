"""Dates as people read them, in every message, table and answer: "30 April 2014"."""

from __future__ import annotations

import datetime as dt


def format_date(as_of: str) -> str:
    """'2014-04-30' -> '30 April 2014'; anything else unchanged."""
    try:
        day = dt.date.fromisoformat(as_of)
    except ValueError:
        return as_of
    return format_day(day)


def format_day(day: dt.date) -> str:
    """A date (or the UTC date of an aware datetime) as '30 April 2014'."""
    if isinstance(day, dt.datetime):
        day = day.astimezone(dt.UTC).date() if day.tzinfo else day.date()
    return f"{day.day} {day:%B %Y}"


def format_moment(moment: dt.datetime) -> str:
    """A moment as '30 April 2014, 13:05' (in the moment's own time zone)."""
    return f"{moment.day} {moment:%B %Y, %H:%M}"
