"""App Home: publish the home view whenever someone opens the tab."""

from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.home.blocks import home_view
from bot.home.service import home_info
from bot.services import Services
from bot.slack.calls import ids_of, log, safely


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def on_home_opened(ack: Ack, body: dict, event: dict, client: WebClient) -> None:
        ack()
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        publish_home(services, client, body, event["user"])


def publish_home(services: Services, client: WebClient, body: dict, user_id: str) -> None:
    """Draw this user's App Home; admins also see the admin panel."""
    view = home_view(home_info(services, user_id))
    if safely("views.publish", body, lambda: client.views_publish(user_id=user_id, view=view)):
        log.info("home published (%s)", ids_of(body))
