"""Message shortcut "Proofread": a modal opens at once ("Proofreading…"); the job fills it with the
corrected text, which the person may copy, re-tone, or post in the thread."""

from __future__ import annotations

import uuid
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import rewrite
from bot.jobs.payloads import JobPayload, Notice, Proofread
from bot.listeners.fields import clicked, text_field
from bot.listeners.runtime_context import runtime_of
from bot.listeners.views import open_view
from bot.slack import text as slack_text

CALLBACK_ID = "proofread"
NOTHING_TO_PROOFREAD = ":warning: That message has no text to proofread."
TOO_LONG = (
    f":warning: *Proofread* takes messages of up to {rewrite.FIELD_MAX:,} characters (what a Slack form "
    "field holds); this one is longer."
)


async def handle(
    ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    at = clicked(shortcut, context)
    rt = runtime_of(context)
    text = slack_text.unescape(str(at.message.get("text") or "")).strip()
    external_id = f"proofread-{uuid.uuid4().hex}"
    payload: JobPayload
    if not text:
        payload = Notice(where=at.where, text=NOTHING_TO_PROOFREAD)
    elif len(text) > rewrite.FIELD_MAX:
        payload = Notice(where=at.where, text=TOO_LONG)
    else:
        payload = Proofread(where=at.where, text=text, external_id=external_id)
    recorded = await rt.record(payload.job(at.dedup_key), CALLBACK_ID)
    await ack()
    if recorded and isinstance(payload, Proofread):
        # The trigger id lasts 3 seconds: the modal opens now, the job fills it in when done.
        trigger_id = text_field(shortcut, "trigger_id")
        view = rewrite.proofread_loading(external_id)
        rt.spawn(
            open_view(client, trigger_id, view, channel=at.where.channel, user=at.where.user),
            "open the Proofread modal",
        )
