"""The /assistant create modal submitted: limits shown on their fields, or the assistant created."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.actions import mcp_secrets
from bot.blocks import assistant_modal, forms
from bot.delivery.validation_messages import field_problem
from bot.jobs.payloads import AssistantCommand
from bot.listeners.fields import view_origin
from bot.listeners.runtime_context import runtime_of
from handlers.create_assistant import validated_fields


async def handle(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    values, errors = assistant_modal.read(forms.state_of(view))
    fields: dict[str, Any] = {}
    if not errors:
        try:
            fields = mcp_secrets.seal(runtime_of(context).settings, validated_fields(values, creating=True))
        except ValidationError as exc:
            errors = field_problem(exc, "name")
        except ValueError as exc:
            errors = {"tools": str(exc)}
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    origin = view_origin(body, view, context)
    job = AssistantCommand(where=origin.where, action="create", fields=fields).job(origin.dedup_key)
    await runtime_of(context).record(job, "/assistant modal")
    await ack()
