"""Telling the person a job is for: privately where they are, or in the thread for everyone.

`tell` is ephemeral in the channel (or thread); where the bot cannot post there, a slash command's
response URL, else a direct message. `notice` posts in the job's thread and never raises (for
"something went wrong" notices, when the job itself cannot say more).
"""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery.where import Where

log = logging.getLogger(__name__)

# Slack's answers meaning "the bot (or the person) is not in that conversation".
NOT_THERE = frozenset(
    {"user_not_in_channel", "channel_not_found", "not_in_channel", "is_archived", "restricted_action"}
)


def error_of(exc: SlackApiError) -> str:
    return str(exc.response.get("error", "")) if exc.response is not None else ""


async def tell(client: AsyncWebClient, where: Where, text: str) -> None:
    try:
        await client.chat_postEphemeral(
            channel=where.channel, user=where.user, text=text, thread_ts=where.thread_ts
        )
        return
    except SlackApiError as exc:
        if error_of(exc) not in NOT_THERE:
            raise
    if where.response_url:
        async with aiohttp.ClientSession() as session:
            async with session.post(
                where.response_url, json={"response_type": "ephemeral", "text": text}
            ) as response:
                if response.status == 200:
                    return
    await client.chat_postMessage(channel=where.user, text=text)


async def notice(client: AsyncWebClient, where: Where, text: str) -> None:
    """Post `text` in the job's thread (or channel); log, never raise, when Slack refuses."""
    if not where.channel:
        return
    try:
        await client.chat_postMessage(channel=where.channel, thread_ts=where.thread_ts, text=text)
    except SlackApiError as exc:
        log.warning("could not post a notice: %s", error_of(exc))
