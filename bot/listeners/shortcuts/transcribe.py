"""Message shortcuts "Transcribe" and "Translate to English": that message's audio, into its thread."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.jobs.notice import notice_job
from bot.jobs.transcribe import audio_files, audio_job
from bot.listeners.runtime_context import runtime_of

TRANSCRIBE_ID = "transcribe"
TRANSLATE_ID = "translate"


async def _handle(ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext, task: str) -> None:
    message = shortcut.get("message") or {}
    team_id = (shortcut.get("team") or {}).get("id") or context.team_id or ""
    channel = (shortcut.get("channel") or {}).get("id", "")
    user = (shortcut.get("user") or {}).get("id", "")
    thread_ts = message.get("thread_ts") or message.get("ts")
    key = f"shortcut:{team_id}:{shortcut.get('trigger_id')}"
    files = audio_files(message.get("files"))
    if files:
        job = audio_job(
            dedup_key=key,
            team_id=team_id,
            channel=channel,
            user=user,
            task=task,
            files=files,
            thread_ts=thread_ts,
        )
    else:
        verb = "translate" if task == "translate" else "transcribe"
        text = f":warning: That message has no audio to {verb}."
        job = notice_job(dedup_key=key, channel=channel, user=user, text=text, thread_ts=thread_ts)
    await runtime_of(context).record(job, task)
    await ack()


async def transcribe(ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext) -> None:
    await _handle(ack, shortcut, context, "transcribe")


async def translate(ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext) -> None:
    await _handle(ack, shortcut, context, "translate")
