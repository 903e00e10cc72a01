"""Find the reply an interrupted attempt may have started, so a resumed job edits it, not a twin."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)


async def find_earlier_reply(
    client: AsyncWebClient, *, channel: str, thread_ts: str, after_ts: str, bot_user_id: str | None
) -> str | None:
    """The first message of the bot's in the thread after `after_ts`, or None.

    Only for the rare job that died between Slack creating its reply and the job recording it:
    conversations.replies is rate limited hard for most apps, so it is never on the normal path.
    """
    try:
        response = await client.conversations_replies(
            channel=channel, ts=thread_ts, oldest=after_ts, limit=15
        )
    except SlackApiError as exc:
        log.warning("could not look for an earlier reply: %s", exc.response.get("error"))
        return None
    for message in response.get("messages") or []:
        by_bot = message.get("bot_id") or (bot_user_id and message.get("user") == bot_user_id)
        if by_bot and float(message.get("ts", 0)) > float(after_ts):
            return str(message["ts"])
    return None
