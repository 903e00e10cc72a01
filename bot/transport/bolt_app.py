"""The Bolt app: one AsyncApp, the same listeners behind HTTP and Socket Mode."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot import listeners
from bot.process.runtime import Runtime
from bot.transport.clean_text import clean_request_text
from bot.transport.oauth import build_oauth_flow
from bot.transport.request_client import budgeted_request_client
from storage.db import is_database_error, unreachable

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
    # Many workspaces (issue 14): Bolt's OAuth flow and our installation store authorize each
    # request with its workspace's token; with one workspace, SLACK_BOT_TOKEN as before.
    oauth_flow = build_oauth_flow(runtime)
    app = AsyncApp(
        client=runtime.slack,
        authorize=single_flight_authorize(runtime.slack) if oauth_flow is None else None,
        oauth_flow=oauth_flow,
        signing_secret=signing_secret if http_mode else "unused-in-socket-mode",
        # Listeners only record a job and ack; recording must happen before the ack (see listeners).
        process_before_response=True,
        # /slack/events checks the signature over the raw bytes before Bolt sees a request
        # (bot/transport/http_server.py): Bolt's own second check would only cost time per event.
        request_verification_enabled=False,
        ignoring_self_events_enabled=True,
        logger=logging.getLogger("slack_bolt"),
    )

    @app.error
    async def on_error(error: Exception, body: Any) -> BoltResponse | None:
        kind = request_kind(body)
        if unreachable(error):
            # The job could not be recorded: Bolt answers 500 (in Socket Mode: no ack), Slack delivers
            # it again, nothing is lost. One line per delivery while the database is away.
            log.warning("could not record a Slack request (%s): the database cannot be reached", kind)
            return None
        if is_database_error(error):
            log.error("could not record a Slack request (%s)", kind, exc_info=error)
            return None
        # Anything else comes from the request itself (a field missing or of the wrong type):
        # Slack's retry would fail the same way, so it is received and dropped.
        log.warning("ignored a Slack request that could not be read (%s): %s", kind, describe(error))
        return BoltResponse(status=200, body="")

    app.use(clean_request_text)
    app.use(budgeted_request_client(runtime))
    if oauth_flow is not None:  # app_uninstalled, tokens_revoked: the installation is deleted
        app.enable_token_revocation_listeners()
    listeners.register(app, runtime)
    return app


def request_kind(body: Any) -> str:
    """What the request was, for a log line: its type, the event's type, or the slash command."""
    if not isinstance(body, dict):
        return "no body"
    if isinstance(body.get("command"), str):
        return f"command {body['command']}"[:80]
    kind = str(body.get("type") or "no type")
    event = body.get("event")
    if isinstance(event, dict) and event.get("type"):
        kind += f"/{event['type']}"
    return kind[:80]


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:300]
