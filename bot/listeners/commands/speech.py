"""`/speech [flags] text`: the text read aloud, uploaded as an audio file; with no text, a modal."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.actions.speech import speech_request
from bot.blocks import speech_modal
from bot.delivery.validation_messages import flag_problem
from bot.jobs.payloads import CreateSpeech
from bot.listeners.commands.flag_command import read_command
from bot.listeners.fields import command_origin
from bot.listeners.runtime_context import runtime_of
from bot.listeners.views import open_command_view
from bot.slack.command_help import CommandHelp
from bot.slack.flags import SPEECH_FLAGS

HELP = CommandHelp(
    command="/speech",
    summary="read text aloud; the audio file is uploaded into this channel.",
    flags=SPEECH_FLAGS,
    free_text="text",
    examples=(
        "/speech Good morning, team!",
        '/speech --voice coral --speed 1.2 --instructions "cheerful" Happy Friday, everyone',
    ),
    notes=("`/speech` alone opens a form with every field.",),
)


async def handle(
    ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    rt = runtime_of(context)
    origin = command_origin(command, context)
    read = await read_command(ack, command, client, context, help_=HELP, open_modal=open_modal)
    if read is None:
        return
    options, spoken = read
    options = {**options, "input": spoken}
    try:
        speech_request(rt.settings, options)
    except ValidationError as exc:
        await ack(response_type="ephemeral", text=flag_problem(exc))
        return
    await rt.record(CreateSpeech(where=origin.where, options=options).job(origin.dedup_key), "/speech")
    await ack(response_type="ephemeral", text=":speaker: Reading it aloud…")


async def open_modal(command: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext) -> None:
    rt = runtime_of(context)
    view = speech_modal.build(
        models=await rt.models.speech_models(),
        default_model=rt.settings.openai_speech_model,
        channel_id=command["channel_id"],
        team_id=command.get("team_id"),
    )
    await open_command_view(client, command, view)
