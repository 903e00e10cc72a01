"""Message shortcut "Read aloud": that message's text spoken into its thread."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.jobs.create_speech import speech_job
from bot.jobs.notice import notice_job
from bot.listeners.runtime_context import runtime_of
from bot.listeners.shortcuts.message_shortcut import clicked
from bot.slack import text as slack_text

CALLBACK_ID = "read_aloud"
NOTHING_TO_READ = ":warning: That message has no text to read aloud."


async def handle(ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext) -> None:
    at = clicked(shortcut, context)
    text = slack_text.unescape(at.message.get("text") or "").strip()
    if text:
        job = speech_job(
            dedup_key=at.dedup_key,
            team_id=at.team_id,
            channel=at.channel,
            user=at.user,
            options={"input": text},
            thread_ts=at.thread_ts,
            source="read_aloud",
        )
    else:
        job = notice_job(
            dedup_key=at.dedup_key,
            channel=at.channel,
            user=at.user,
            text=NOTHING_TO_READ,
            thread_ts=at.thread_ts,
        )
    await runtime_of(context).record(job, "read_aloud")
    await ack()
