"""Message shortcut "Summarize thread": summarize the thread the message is in, posted in it."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.jobs import summarize_thread
from bot.listeners.runtime_context import runtime_of
from bot.listeners.shortcuts.message_shortcut import clicked
from storage import NewJob

CALLBACK_ID = "summarize_thread"


async def handle(ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext) -> None:
    at = clicked(shortcut, context)
    job = NewJob(
        kind=summarize_thread.KIND,
        dedup_key=at.dedup_key,
        serial_key=f"thread:{at.team_id}:{at.channel}:{at.thread_ts}",
        payload={
            "team_id": at.team_id,
            "channel": at.channel,
            "thread_ts": at.thread_ts,
            "user": at.user,
            "bot_user_id": context.bot_user_id,
        },
    )
    await runtime_of(context).record(job, "summarize_thread")
    await ack()
