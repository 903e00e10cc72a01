"""The /assistant create modal submitted: limits shown on their fields, or the assistant created."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.jobs.assistant_admin import assistant_job
from bot.listeners.commands.assistant import validated
from bot.listeners.runtime_context import runtime_of
from bot.views import assistant_modal


async def handle(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    values, errors = assistant_modal.read(view["state"]["values"])
    fields: dict[str, Any] = {}
    if not errors:
        try:
            fields = validated(values, creating=True)
        except ValidationError as exc:
            error = exc.errors()[0]
            block = str(error["loc"][0]) if error["loc"] else "name"
            errors[block] = str(error["msg"]).removeprefix("Value error, ").replace("`", "")[:150]
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    metadata = json.loads(view.get("private_metadata") or "{}")
    team_id = metadata.get("team_id") or context.team_id or ""
    user = body["user"]["id"]
    job = assistant_job(
        dedup_key=f"view:{team_id}:{view['id']}:{view.get('hash', '')}",
        action="create",
        team_id=team_id,
        channel=metadata.get("channel_id") or user,
        user=user,
        fields=fields,
    )
    await runtime_of(context).record(job, "/assistant modal")
    await ack()
