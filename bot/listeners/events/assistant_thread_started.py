"""`assistant_thread_started`: someone opened a new chat with the bot → suggested prompts."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.jobs import welcome
from bot.listeners.runtime_context import runtime_of
from storage import NewJob


async def handle(
    ack: AsyncAck, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
) -> None:
    thread = event.get("assistant_thread") or {}
    if thread.get("channel_id"):
        job = NewJob(
            kind=welcome.PROMPTS,
            dedup_key=f"event:{body.get('event_id')}",
            payload={"channel": thread["channel_id"], "thread_ts": thread.get("thread_ts")},
        )
        await runtime_of(context).record(job, "assistant_thread_started")
    await ack()
