"""Message shortcuts "Transcribe" and "Translate to English": that message's audio, into its thread."""

from __future__ import annotations

from typing import Any, Literal

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.actions.transcription import audio_files
from bot.jobs.payloads import JobPayload, Notice, Transcribe
from bot.listeners.fields import clicked
from bot.listeners.runtime_context import runtime_of

TRANSCRIBE_ID = "transcribe"
TRANSLATE_ID = "translate"


async def _handle(
    ack: AsyncAck,
    shortcut: dict[str, Any],
    context: AsyncBoltContext,
    task: Literal["transcribe", "translate"],
) -> None:
    at = clicked(shortcut, context)
    files = audio_files(at.message.get("files"))
    payload: JobPayload = (
        Transcribe(where=at.where, task=task, files=files)
        if files
        else Notice(where=at.where, text=f":warning: That message has no audio to {task}.")
    )
    await runtime_of(context).record(payload.job(at.dedup_key), task)
    await ack()


async def transcribe(ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext) -> None:
    await _handle(ack, shortcut, context, "transcribe")


async def translate(ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext) -> None:
    await _handle(ack, shortcut, context, "translate")
