"""`app_home_opened`: the Home tab shows how to use the bot; the Messages tab suggests prompts."""

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
    key = f"event:{body.get('event_id')}"
    if event.get("tab") == "home":
        job = NewJob(kind=welcome.HOME, dedup_key=key, payload={"user": event["user"]})
    else:
        job = NewJob(
            kind=welcome.PROMPTS, dedup_key=key, payload={"channel": event["channel"], "thread_ts": None}
        )
    await runtime_of(context).record(job, "app_home_opened")
    await ack()
