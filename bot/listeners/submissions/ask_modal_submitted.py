"""The /ask modal submitted: errors shown on their fields, or the question recorded and asked."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.blocks import ask_modal
from bot.jobs.ask import ask_job
from bot.listeners.runtime_context import runtime_of
from bot.listeners.submissions.submission import origin


async def handle(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    options, prompt, errors = ask_modal.read(view["state"]["values"])
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    where = origin(body, view, context)
    job = ask_job(
        dedup_key=where.dedup_key,
        team_id=where.team_id,
        channel=where.channel,
        user=where.user,
        text=prompt,
        options=options,
        response_url=None,
    )
    await runtime_of(context).record(job, "/ask modal")
    await ack()
