"""The /image and /speech modals submitted: field errors shown in place, or the job recorded."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.jobs.create_image import image_job, image_request
from bot.jobs.create_speech import speech_job, speech_request
from bot.listeners.runtime_context import runtime_of
from bot.views import image_modal, speech_modal


def _where(
    body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> tuple[str, str, str, str]:
    metadata = json.loads(view.get("private_metadata") or "{}")
    user = body["user"]["id"]
    team_id = metadata.get("team_id") or context.team_id or ""
    key = f"view:{team_id}:{view['id']}:{view.get('hash', '')}"
    return team_id, metadata.get("channel_id") or user, user, key


def _field_error(exc: ValidationError, default_block: str) -> dict[str, str]:
    error = exc.errors()[0]
    block = str(error["loc"][0]) if error["loc"] else default_block
    return {block: str(error["msg"]).removeprefix("Value error, ").replace("`", "")[:150]}


async def image_submitted(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    options, errors = image_modal.read(view["state"]["values"])
    team_id, channel, user, key = _where(body, view, context)
    rt = runtime_of(context)
    if not errors:
        try:
            image_request(rt, team_id, user, options)
        except ValidationError as exc:
            errors = _field_error(exc, "prompt")
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await rt.record(
        image_job(dedup_key=key, team_id=team_id, channel=channel, user=user, options=options), "/image modal"
    )
    await ack()


async def speech_submitted(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    options, errors = speech_modal.read(view["state"]["values"])
    team_id, channel, user, key = _where(body, view, context)
    rt = runtime_of(context)
    if not errors:
        try:
            speech_request(rt, options)
        except ValidationError as exc:
            errors = _field_error(exc, "voice")
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await rt.record(
        speech_job(dedup_key=key, team_id=team_id, channel=channel, user=user, options=options),
        "/speech modal",
    )
    await ack()
