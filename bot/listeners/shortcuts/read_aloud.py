"""Message shortcut "Read aloud": that message's text spoken into its thread."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.jobs.payloads import CreateSpeech, JobPayload, Notice
from bot.listeners.fields import clicked
from bot.listeners.runtime_context import runtime_of
from bot.slack import text as slack_text

CALLBACK_ID = "read_aloud"
NOTHING_TO_READ = ":warning: That message has no text to read aloud."


async def handle(ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext) -> None:
    at = clicked(shortcut, context)
    text = slack_text.unescape(str(at.message.get("text") or "")).strip()
    payload: JobPayload = (
        CreateSpeech(where=at.where, options={"input": text}, source="read_aloud")
        if text
        else Notice(where=at.where, text=NOTHING_TO_READ)
    )
    await runtime_of(context).record(payload.job(at.dedup_key), "read_aloud")
    await ack()
