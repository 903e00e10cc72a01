"""Message shortcut "Read aloud": that message's text spoken into its thread."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot import slack_text
from bot.jobs.create_speech import speech_job
from bot.jobs.notice import notice_job
from bot.listeners.runtime_context import runtime_of

CALLBACK_ID = "read_aloud"
NOTHING_TO_READ = ":warning: That message has no text to read aloud."


async def handle(ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext) -> None:
    message = shortcut.get("message") or {}
    team_id = (shortcut.get("team") or {}).get("id") or context.team_id or ""
    channel = (shortcut.get("channel") or {}).get("id", "")
    user = (shortcut.get("user") or {}).get("id", "")
    thread_ts = message.get("thread_ts") or message.get("ts")
    key = f"shortcut:{team_id}:{shortcut.get('trigger_id')}"
    text = slack_text.unescape(message.get("text") or "").strip()
    if text:
        job = speech_job(
            dedup_key=key,
            team_id=team_id,
            channel=channel,
            user=user,
            options={"input": text},
            thread_ts=thread_ts,
            source="read_aloud",
        )
    else:
        job = notice_job(dedup_key=key, channel=channel, user=user, text=NOTHING_TO_READ, thread_ts=thread_ts)
    await runtime_of(context).record(job, "read_aloud")
    await ack()
