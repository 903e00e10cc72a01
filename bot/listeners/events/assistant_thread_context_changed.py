"""`assistant_thread_context_changed`: the person switched channels beside the chat; the bot's
answers do not depend on it, so it is acknowledged (unhandled events would be retried by Slack)."""

from __future__ import annotations

from slack_bolt.context.ack.async_ack import AsyncAck


async def handle(ack: AsyncAck) -> None:
    await ack()
