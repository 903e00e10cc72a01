"""The /image and /speech modals submitted: field errors shown in place, or the job recorded."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.blocks import image_modal, speech_modal
from bot.jobs.create_image import image_job, image_request
from bot.jobs.create_speech import speech_job, speech_request
from bot.listeners.runtime_context import runtime_of
from bot.listeners.submissions.submission import field_error, origin


async def image_submitted(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    options, errors = image_modal.read(view["state"]["values"])
    where = origin(body, view, context)
    rt = runtime_of(context)
    if not errors:
        try:
            image_request(rt, where.team_id, where.user, options)
        except ValidationError as exc:
            errors = field_error(exc, "prompt")
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await rt.record(
        image_job(
            dedup_key=where.dedup_key,
            team_id=where.team_id,
            channel=where.channel,
            user=where.user,
            options=options,
        ),
        "/image modal",
    )
    await ack()


async def speech_submitted(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    options, errors = speech_modal.read(view["state"]["values"])
    where = origin(body, view, context)
    rt = runtime_of(context)
    if not errors:
        try:
            speech_request(rt, options)
        except ValidationError as exc:
            errors = field_error(exc, "voice")
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await rt.record(
        speech_job(
            dedup_key=where.dedup_key,
            team_id=where.team_id,
            channel=where.channel,
            user=where.user,
            options=options,
        ),
        "/speech modal",
    )
    await ack()
