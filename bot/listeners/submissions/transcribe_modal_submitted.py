"""The transcription modal (from the Home tab) submitted: fields checked in place, or the job recorded."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.actions.transcription import audio_request
from bot.blocks import transcribe_modal
from bot.delivery.validation_messages import field_problem
from bot.jobs.payloads import Transcribe
from bot.listeners.fields import view_origin
from bot.listeners.runtime_context import runtime_of
from bot.slack.files import file_ids_in
from bot.slack.links import file_stubs


async def handle(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    task, link, options, errors = transcribe_modal.read(view["state"]["values"])
    ids = file_ids_in(link)
    if link and not ids:
        errors["link"] = "That is not a link to a Slack file: on the file, choose Copy link to file."
    rt = runtime_of(context)
    if not errors:
        try:
            audio_request(rt.settings, "translate" if task == "translate" else "transcribe", options)
        except ValidationError as exc:
            errors = field_problem(exc, "link")
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    origin = view_origin(body, view, context)
    payload = Transcribe(
        where=origin.where,
        task="translate" if task == "translate" else "transcribe",
        files=file_stubs(ids),
        options=options,
        announce=True,
    )
    await rt.record(payload.job(origin.dedup_key), f"{task} modal")
    await ack()
