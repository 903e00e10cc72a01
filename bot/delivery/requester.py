"""Tell one person something, wherever they are: ephemeral where the bot is, else a DM."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

NOT_THERE = {"user_not_in_channel", "channel_not_found", "not_in_channel", "is_archived"}


async def tell(
    client: AsyncWebClient,
    *,
    channel: str,
    user: str,
    text: str,
    thread_ts: str | None = None,
    response_url: str | None = None,
) -> None:
    """Ephemeral in the channel (or thread); a slash command's response URL, or a DM, where the bot
    cannot post."""
    try:
        await client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)
        return
    except SlackApiError as exc:
        if exc.response.get("error") not in NOT_THERE:
            raise
    if response_url:
        async with aiohttp.ClientSession() as session:
            async with session.post(
                response_url, json={"response_type": "ephemeral", "text": text}
            ) as response:
                if response.status == 200:
                    return
    await client.chat_postMessage(channel=user, text=text)


async def tell_requester(client: AsyncWebClient, payload: dict[str, Any], text: str) -> None:
    """Tell the person a job is for (its payload names channel, user, thread and response URL)."""
    await tell(
        client,
        channel=payload["channel"],
        user=payload["user"],
        text=text,
        thread_ts=payload.get("thread_ts"),
        response_url=payload.get("response_url"),
    )
