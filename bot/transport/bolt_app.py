"""The Bolt app: one AsyncApp, the same listeners behind HTTP and Socket Mode."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

from bot import listeners
from storage.db import unreachable

if TYPE_CHECKING:
    from bot.process.runtime import Runtime

log = logging.getLogger(__name__)


def single_flight_authorize(client: AsyncWebClient) -> Callable[..., Awaitable[AuthorizeResult]]:
    """Bolt's single-workspace mode calls auth.test until one answer is cached, so a burst of
    events at start-up makes a burst of auth.test calls in the ack path. This asks once."""
    cached: list[AuthorizeResult] = []
    lock = asyncio.Lock()

    async def authorize(
        enterprise_id: str | None, team_id: str | None, user_id: str | None
    ) -> AuthorizeResult:
        if not cached:
            async with lock:
                if not cached:
                    response = await client.auth_test()
                    cached.append(
                        AuthorizeResult.from_auth_test_response(
                            auth_test_response=response, bot_token=client.token
                        )
                    )
        return cached[0]

    return authorize


def build_app(runtime: Runtime, *, http_mode: bool) -> AsyncApp:
    settings = runtime.settings
    signing_secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    )
    app = AsyncApp(
        client=runtime.slack,
        authorize=single_flight_authorize(runtime.slack),
        signing_secret=signing_secret if http_mode else "unused-in-socket-mode",
        # Listeners only record a job and ack; recording must happen before the ack (see listeners).
        process_before_response=True,
        request_verification_enabled=http_mode,
        ignoring_self_events_enabled=True,
        logger=logging.getLogger("slack_bolt"),
    )

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        # Bolt answers 500 here (in Socket Mode: no ack), so Slack delivers it again: nothing is lost.
        if unreachable(error):
            # One line per delivery while the database is away, not a traceback each.
            log.warning(
                "could not record a Slack request (%s): the database cannot be reached; "
                "Slack delivers it again",
                body.get("type"),
            )
            return
        log.error("could not route a Slack request (%s)", body.get("type"), exc_info=error)

    listeners.register(app, runtime)
    return app
