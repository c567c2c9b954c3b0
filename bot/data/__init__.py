"""The data file: registrations, feedback, question log and processed Slack event ids."""

from bot.data.db import DataBusy, DataStore, open_data

__all__ = ["DataBusy", "DataStore", "open_data"]
