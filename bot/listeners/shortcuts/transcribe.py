"""Message shortcuts "Transcribe" and "Translate to English": that message's audio, into its thread."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.jobs.notice import notice_job
from bot.jobs.transcribe import audio_files, audio_job
from bot.listeners.runtime_context import runtime_of
from bot.listeners.shortcuts.message_shortcut import clicked

TRANSCRIBE_ID = "transcribe"
TRANSLATE_ID = "translate"


async def _handle(ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext, task: str) -> None:
    at = clicked(shortcut, context)
    files = audio_files(at.message.get("files"))
    if files:
        job = audio_job(
            dedup_key=at.dedup_key,
            team_id=at.team_id,
            channel=at.channel,
            user=at.user,
            task=task,
            files=files,
            thread_ts=at.thread_ts,
        )
    else:
        verb = "translate" if task == "translate" else "transcribe"
        text = f":warning: That message has no audio to {verb}."
        job = notice_job(
            dedup_key=at.dedup_key, channel=at.channel, user=at.user, text=text, thread_ts=at.thread_ts
        )
    await runtime_of(context).record(job, task)
    await ack()


async def transcribe(ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext) -> None:
    await _handle(ack, shortcut, context, "transcribe")


async def translate(ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext) -> None:
    await _handle(ack, shortcut, context, "translate")
