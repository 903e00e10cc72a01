"""The /ask modal submitted: errors shown on their fields, or the question recorded and asked."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.jobs.ask import ask_job
from bot.listeners.runtime_context import runtime_of
from bot.views import ask_modal


async def handle(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    options, prompt, errors = ask_modal.read(view["state"]["values"])
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    metadata = json.loads(view.get("private_metadata") or "{}")
    team_id = metadata.get("team_id") or context.team_id or ""
    user = body["user"]["id"]
    job = ask_job(
        dedup_key=f"view:{team_id}:{view['id']}:{view.get('hash', '')}",
        team_id=team_id,
        channel=metadata.get("channel_id") or user,
        user=user,
        text=prompt,
        options=options,
        response_url=None,
    )
    await runtime_of(context).record(job, "/ask modal")
    await ack()
