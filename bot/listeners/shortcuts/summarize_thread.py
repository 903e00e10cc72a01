"""Message shortcut "Summarize thread": summarize the thread the message is in, posted in it."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.jobs.payloads import SummarizeThread
from bot.listeners.fields import clicked
from bot.listeners.runtime_context import runtime_of

CALLBACK_ID = "summarize_thread"


async def handle(ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext) -> None:
    at = clicked(shortcut, context)
    payload = SummarizeThread(where=at.where, bot_user_id=context.bot_user_id)
    await runtime_of(context).record(payload.job(at.dedup_key), "summarize_thread")
    await ack()
