"""`/transcribe [flags] <Slack file link>` and `/translate [flags] <Slack file link>`."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.jobs.transcribe import audio_job, audio_request
from bot.listeners.commands.flag_command import problem, read_or_refuse
from bot.listeners.runtime_context import runtime_of
from bot.slack.files import file_ids_in
from bot.slack.flags import TRANSCRIBE_FLAGS, TRANSLATE_FLAGS

HOW = (
    "Share the audio in Slack, choose *Copy link to file* and paste it after the command, e.g. "
    "`/{command} --response-format srt https://…/files/U…/F…/meeting.m4a`. You can also send me the "
    "audio in a DM, or use the *Transcribe* / *Translate to English* shortcut on the message."
)


async def _handle(ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext, task: str) -> None:
    name = "translate" if task == "translate" else "transcribe"
    usage = HOW.format(command=name)
    read = await read_or_refuse(
        ack,
        command.get("text") or "",
        TRANSLATE_FLAGS if task == "translate" else TRANSCRIBE_FLAGS,
        f"/{name}",
        usage,
    )
    if read is None:
        return
    options, rest = read
    ids = file_ids_in(rest)
    if not ids:
        await ack(
            response_type="ephemeral", text=f":warning: `/{name}` needs a link to an audio file. {usage}"
        )
        return
    rt = runtime_of(context)
    try:
        audio_request(rt, task, options)
    except ValidationError as exc:
        await ack(response_type="ephemeral", text=problem(exc))
        return
    team_id = command.get("team_id") or context.team_id or ""
    job = audio_job(
        dedup_key=f"command:{team_id}:{command.get('trigger_id')}",
        team_id=team_id,
        channel=command["channel_id"],
        user=command["user_id"],
        task=task,
        files=[{"id": file_id, "file_access": "check_file_info"} for file_id in ids],
        thread_ts=None,
        options=options,
        announce=True,
        response_url=command.get("response_url"),
    )
    await rt.record(job, f"/{name}")
    await ack()


async def transcribe(ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext) -> None:
    await _handle(ack, command, context, "transcribe")


async def translate(ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext) -> None:
    await _handle(ack, command, context, "translate")
