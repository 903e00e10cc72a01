"""The Bolt app: one AsyncApp, the same listeners behind HTTP and Socket Mode."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from bot import listeners

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)


def build_app(runtime: Runtime, *, http_mode: bool) -> AsyncApp:
    settings = runtime.settings
    signing_secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    )
    app = AsyncApp(
        client=runtime.slack,
        signing_secret=signing_secret if http_mode else "unused-in-socket-mode",
        # Listeners only record a job and ack; recording must happen before the ack (see listeners).
        process_before_response=True,
        request_verification_enabled=http_mode,
        ignoring_self_events_enabled=True,
        logger=logging.getLogger("slack_bolt"),
    )

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        # Bolt answers 500 here, so Slack retries the delivery and nothing is lost.
        log.error("could not route a Slack request (%s)", body.get("type"), exc_info=error)

    listeners.register(app, runtime)
    return app
