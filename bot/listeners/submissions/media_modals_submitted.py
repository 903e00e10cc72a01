"""The /image and /speech modals submitted: field errors shown in place, or the job recorded."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.actions.images import image_request
from bot.actions.speech import speech_request
from bot.blocks import forms, image_modal, speech_modal
from bot.delivery.validation_messages import field_problem
from bot.jobs.payloads import CreateImage, CreateSpeech
from bot.listeners.fields import view_origin
from bot.listeners.runtime_context import runtime_of


async def image_submitted(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    options, errors = image_modal.read(forms.state_of(view))
    origin = view_origin(body, view, context)
    rt = runtime_of(context)
    if not errors:
        try:
            image_request(rt.settings, origin.where.team_id, origin.where.user, options)
        except ValidationError as exc:
            errors = field_problem(exc, "prompt")
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await rt.record(CreateImage(where=origin.where, options=options).job(origin.dedup_key), "/image modal")
    await ack()


async def speech_submitted(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    options, errors = speech_modal.read(forms.state_of(view))
    origin = view_origin(body, view, context)
    rt = runtime_of(context)
    if not errors:
        try:
            speech_request(rt.settings, options)
        except ValidationError as exc:
            errors = field_problem(exc, "voice")
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await rt.record(CreateSpeech(where=origin.where, options=options).job(origin.dedup_key), "/speech modal")
    await ack()
