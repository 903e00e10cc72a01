"""The /ask modal submitted: errors shown on their fields, or the question recorded and asked."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.blocks import ask_modal, forms
from bot.jobs.payloads import Ask
from bot.listeners.fields import view_origin
from bot.listeners.runtime_context import runtime_of


async def handle(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    options, prompt, errors = ask_modal.read(forms.state_of(view))
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    origin = view_origin(body, view, context)
    job = Ask(where=origin.where, text=prompt, options=options).job(origin.dedup_key)
    await runtime_of(context).record(job, "/ask modal")
    await ack()
