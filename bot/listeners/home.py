"""App Home: publish the home view whenever someone opens the tab."""

from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import admin_blocks, admin_service, blocks
from bot.listeners.common import ids_of, log, safely
from bot.services import Services, home_info


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def on_home_opened(ack: Ack, body: dict, event: dict, client: WebClient) -> None:
        ack()
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        publish_home(services, client, body, event["user"])


def publish_home(services: Services, client: WebClient, body: dict, user_id: str) -> None:
    """Draw this user's App Home; admins also see the admin panel."""
    info = home_info(services, user_id)
    view = blocks.home_view(info)
    if info.is_admin:
        view = admin_blocks.with_admin_panel(view, admin_service.index_status(services))
    if safely("views.publish", body, lambda: client.views_publish(user_id=user_id, view=view)):
        log.info("home published (%s)", ids_of(body))
