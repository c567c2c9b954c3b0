"""What App Home shows a person, as a plain function over `Services` (no Slack here)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.admin.service import IndexStatus, index_status
from bot.data.db import DataBusy
from bot.enquiries.store import count_open
from bot.services import Services


@dataclass(frozen=True)
class HomeInfo:
    """What App Home shows about the knowledge; the index status for admins only."""

    built_at: str
    documents: int
    passages: int
    admin: IndexStatus | None = None  # set when the viewer is an admin
    open_enquiries: int | None = 0  # for admins: enquiries waiting for the team (None: unknown)

    @property
    def is_admin(self) -> bool:
        return self.admin is not None


def home_info(services: Services, user_id: str) -> HomeInfo:
    """What App Home shows this user."""
    info = services.index.info
    if not services.settings.is_admin(user_id):
        return HomeInfo(info.built_at, info.documents, info.passages)
    try:
        waiting: int | None = count_open(services.data)
    except DataBusy:  # the home tab still opens; the count is said to be unknown
        waiting = None
    return HomeInfo(info.built_at, info.documents, info.passages, index_status(services), waiting)
