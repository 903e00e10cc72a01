"""Message shortcut "Summarize thread": summarize the thread the message is in, posted in it."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.jobs import summarize_thread
from bot.listeners.runtime_context import runtime_of
from storage import NewJob

CALLBACK_ID = "summarize_thread"


async def handle(ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext) -> None:
    message = shortcut.get("message") or {}
    team_id = (shortcut.get("team") or {}).get("id") or context.team_id or ""
    channel = (shortcut.get("channel") or {}).get("id", "")
    thread_ts = message.get("thread_ts") or message.get("ts") or shortcut.get("message_ts")
    job = NewJob(
        kind=summarize_thread.KIND,
        dedup_key=f"shortcut:{team_id}:{shortcut.get('trigger_id')}",
        serial_key=f"thread:{team_id}:{channel}:{thread_ts}",
        payload={
            "team_id": team_id,
            "channel": channel,
            "thread_ts": thread_ts,
            "user": (shortcut.get("user") or {}).get("id", ""),
            "bot_user_id": context.bot_user_id,
        },
    )
    await runtime_of(context).record(job, "summarize_thread")
    await ack()
