"""`/transcribe [flags] <Slack file link>` and `/translate [flags] <Slack file link>`."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.actions.transcription import Task, audio_request
from bot.blocks import transcribe_modal
from bot.delivery.validation_messages import flag_problem
from bot.jobs.payloads import Transcribe
from bot.listeners.commands.flag_command import read_or_refuse
from bot.listeners.fields import command_origin, text_field
from bot.listeners.runtime_context import runtime_of
from bot.listeners.views import open_command_view
from bot.slack.command_help import CommandHelp
from bot.slack.files import file_ids_in
from bot.slack.flags import TRANSCRIBE_FLAGS, TRANSLATE_FLAGS
from bot.slack.links import file_stubs

HOW = (
    "Share the audio in Slack, choose *Copy link to file* and paste it after the command, e.g. "
    "`/{command} --response-format srt https://…/files/U…/F…/meeting.m4a`. You can also send me the "
    "audio in a DM, or use the *Transcribe* / *Translate to English* shortcut on the message."
)


HELPS: dict[Task, CommandHelp] = {
    "transcribe": CommandHelp(
        command="/transcribe",
        summary="turn the audio of a Slack file into text, posted in a new thread here.",
        flags=TRANSCRIBE_FLAGS,
        free_text="file link",
        examples=(
            "/transcribe https://…/files/U…/F…/meeting.m4a",
            "/transcribe --language de --response-format srt <file link>",
        ),
        notes=(HOW.format(command="transcribe"),),
    ),
    "translate": CommandHelp(
        command="/translate",
        summary="translate the audio of a Slack file into English text, posted in a new thread here.",
        flags=TRANSLATE_FLAGS,
        free_text="file link",
        examples=(
            "/translate https://…/files/U…/F…/interview.mp3",
            '/translate --prompt "Names: Zoë, Jürgen" --response-format vtt <file link>',
        ),
        notes=(HOW.format(command="translate"),),
    ),
}


async def _handle(
    ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext, task: Task
) -> None:
    name = task
    if not text_field(command, "text", required=False).strip():
        await ack()
        opener = open_translate if task == "translate" else open_modal
        runtime_of(context).spawn(opener(command, client, context), f"open the /{name} modal")
        return
    usage = HOW.format(command=name)
    origin = command_origin(command, context)
    read = await read_or_refuse(ack, text_field(command, "text", required=False), HELPS[task], usage=usage)
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
        audio_request(rt.settings, task, options)
    except ValidationError as exc:
        await ack(response_type="ephemeral", text=flag_problem(exc))
        return
    payload = Transcribe(where=origin.where, task=task, files=file_stubs(ids), options=options, announce=True)
    await rt.record(payload.job(origin.dedup_key), f"/{name}")
    await ack()


async def transcribe(
    ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await _handle(ack, command, client, context, "transcribe")


async def translate(
    ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await _handle(ack, command, client, context, "translate")


async def open_modal(
    command: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext, task: Task = "transcribe"
) -> None:
    """The form with the same fields (the trigger id is good for 3 seconds)."""
    view = transcribe_modal.build(channel_id=command["channel_id"], team_id=command.get("team_id"), task=task)
    await open_command_view(client, command, view)


async def open_translate(command: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext) -> None:
    await open_modal(command, client, context, "translate")
