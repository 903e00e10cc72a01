"""`app_mention`: someone mentions the bot in a channel → answer in the message's thread."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.listeners.events.message import MessageEvent, message_job
from bot.listeners.fields import team_of
from bot.listeners.runtime_context import runtime_of


async def handle(
    ack: AsyncAck, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
) -> None:
    message = MessageEvent.read(event)
    if message.from_a_person(context.bot_user_id):
        job = message_job(message, team_of(body, context), context.bot_user_id)
        await runtime_of(context).record(job, "app_mention")
    await ack()
