"""`assistant_thread_started`: someone opened a new chat with the bot → suggested prompts."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.delivery.where import Where
from bot.jobs.payloads import SuggestPrompts
from bot.listeners.fields import object_field, team_of, text_field
from bot.listeners.runtime_context import runtime_of


async def handle(
    ack: AsyncAck, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
) -> None:
    thread = object_field(event, "assistant_thread")
    if thread.get("channel_id"):
        where = Where(
            team_id=team_of(body, context),
            channel=text_field(thread, "channel_id"),
            user=text_field(thread, "user_id", required=False),
            thread_ts=text_field(thread, "thread_ts", required=False) or None,
        )
        job = SuggestPrompts(where=where).job(f"event:{body.get('event_id')}")
        await runtime_of(context).record(job, "assistant_thread_started")
    await ack()
