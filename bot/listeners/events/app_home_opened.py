"""`app_home_opened`: the Home tab shows how to use the bot; the Messages tab suggests prompts."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.delivery.where import Where
from bot.jobs.payloads import JobPayload, PublishHome, SuggestPrompts
from bot.listeners.fields import team_of, text_field
from bot.listeners.runtime_context import runtime_of


async def handle(
    ack: AsyncAck, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
) -> None:
    where = Where(
        team_id=team_of(body, context),
        channel=text_field(event, "channel", required=event.get("tab") != "home"),
        user=text_field(event, "user"),
    )
    payload: JobPayload = (
        PublishHome(where=where) if event.get("tab") == "home" else SuggestPrompts(where=where)
    )
    await runtime_of(context).record(payload.job(f"event:{body.get('event_id')}"), "app_home_opened")
    await ack()
