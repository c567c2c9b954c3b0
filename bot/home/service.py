"""What App Home shows a person, as a plain function over `Services` (no Slack here)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.admin.service import IndexStatus, index_status
from bot.services import Services


@dataclass(frozen=True)
class HomeInfo:
    """What App Home shows about the knowledge; the index status for admins only."""

    built_at: str
    documents: int
    passages: int
    admin: IndexStatus | None = None  # set when the viewer is an admin

    @property
    def is_admin(self) -> bool:
        return self.admin is not None


def home_info(services: Services, user_id: str) -> HomeInfo:
    """What App Home shows this user."""
    info = services.index.info
    admin = index_status(services) if services.settings.is_admin(user_id) else None
    return HomeInfo(info.built_at, info.documents, info.passages, admin)
