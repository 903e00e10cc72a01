"""The /assistant create modal submitted: limits shown on their fields, or the assistant created."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.blocks import assistant_modal
from bot.jobs.assistant_admin import assistant_job
from bot.listeners.commands.assistant import validated
from bot.listeners.runtime_context import runtime_of
from bot.listeners.submissions.submission import field_error, origin


async def handle(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    values, errors = assistant_modal.read(view["state"]["values"])
    fields: dict[str, Any] = {}
    if not errors:
        try:
            fields = validated(values, creating=True)
        except ValidationError as exc:
            errors = field_error(exc, "name")
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    where = origin(body, view, context)
    job = assistant_job(
        dedup_key=where.dedup_key,
        action="create",
        team_id=where.team_id,
        channel=where.channel,
        user=where.user,
        fields=fields,
    )
    await runtime_of(context).record(job, "/assistant modal")
    await ack()
