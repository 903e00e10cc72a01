"""Opening a modal from a listener: within the trigger id's 3 seconds, and never in silence.

The call is counted in the workspace's rate budget like every other (the request's client is a
BudgetedWebClient, see bot/transport/request_client.py) but waits for its turn, or for a 429's
pause, only while the trigger id is still good. A modal that cannot open is explained to the
person, ephemerally, where they asked.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.rate_limits.budget import OverBudget, within

log = logging.getLogger(__name__)

# Slack honours a trigger id for 3 seconds from the click; some of that went to the ack.
TRIGGER_SECONDS = 2.0

BUSY = ":hourglass: Slack is busy right now, so the form could not open. Please try again in a few seconds."
EXPIRED = ":warning: The form took too long to open (Slack allows 3 seconds). Please try again."
FAILED = ":warning: The form could not open (Slack answered `{error}`). Please try again."


def problem(exc: Exception) -> str:
    """What the person reads when their modal did not open."""
    if isinstance(exc, OverBudget):
        return BUSY
    error = str(exc.response.get("error") or "") if isinstance(exc, SlackApiError) else ""
    if error in ("ratelimited", "rate_limited"):
        return BUSY
    if error == "expired_trigger_id":
        return EXPIRED
    return FAILED.format(error=error or "an error")


async def open_view(
    client: AsyncWebClient,
    trigger_id: str,
    view: dict[str, Any],
    *,
    channel: str | None = None,
    user: str | None = None,
) -> None:
    """Open `view`; if it cannot open, the person is told why (when there is a channel to tell
    them in: a modal asked for from App Home has none, and is only logged)."""
    try:
        with within(TRIGGER_SECONDS):
            await client.views_open(trigger_id=trigger_id, view=view)
    except (OverBudget, SlackApiError) as exc:
        log.warning("a modal could not open: %s", exc)
        if channel and user:
            with contextlib.suppress(OverBudget, SlackApiError):
                await client.chat_postEphemeral(channel=channel, user=user, text=problem(exc))


async def open_command_view(client: AsyncWebClient, command: dict[str, Any], view: dict[str, Any]) -> None:
    """A slash command's modal, opened with its trigger id; a failure is told in its channel."""
    await open_view(
        client,
        str(command.get("trigger_id") or ""),
        view,
        channel=command.get("channel_id"),
        user=command.get("user_id"),
    )
