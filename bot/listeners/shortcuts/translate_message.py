"""Message shortcut "Translate": the message's text in the clicking person's language, privately."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.jobs.payloads import JobPayload, Notice, TranslateMessage
from bot.listeners.fields import clicked
from bot.listeners.runtime_context import runtime_of
from bot.slack import text as slack_text

CALLBACK_ID = "translate_message"
NOTHING_TO_TRANSLATE = (
    ":warning: That message has no text to translate. For a recording or a voice clip, use "
    "*Translate to English*."
)


async def handle(ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext) -> None:
    at = clicked(shortcut, context)
    text = slack_text.unescape(str(at.message.get("text") or "")).strip()
    payload: JobPayload = (
        TranslateMessage(where=at.where, text=text)
        if text
        else Notice(where=at.where, text=NOTHING_TO_TRANSLATE)
    )
    await runtime_of(context).record(payload.job(at.dedup_key), CALLBACK_ID)
    await ack()
