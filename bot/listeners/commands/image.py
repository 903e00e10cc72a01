"""`/image [flags] prompt`: images uploaded into the channel; with no text, a modal."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.actions.images import image_request
from bot.blocks import image_modal
from bot.delivery.validation_messages import flag_problem
from bot.jobs.payloads import CreateImage
from bot.listeners.commands.flag_command import read_command
from bot.listeners.fields import command_origin
from bot.listeners.runtime_context import runtime_of
from bot.listeners.views import open_command_view
from bot.slack.command_help import CommandHelp
from bot.slack.flags import IMAGE_FLAGS

HELP = CommandHelp(
    command="/image",
    summary="create images from a prompt; they are uploaded into this channel.",
    flags=IMAGE_FLAGS,
    free_text="prompt",
    examples=(
        "/image A lighthouse at dawn, watercolour",
        "/image --size 1536x1024 --quality high --n 2 A cosy reading nook",
    ),
    notes=("`/image` alone opens a form with every field.",),
)


async def handle(
    ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    rt = runtime_of(context)
    origin = command_origin(command, context)
    read = await read_command(ack, command, client, context, help_=HELP, open_modal=open_modal)
    if read is None:
        return
    options, prompt = read
    options = {**options, "prompt": prompt}
    try:
        request = image_request(rt.settings, origin.where.team_id, origin.where.user, options)
    except ValidationError as exc:
        await ack(response_type="ephemeral", text=flag_problem(exc))
        return
    await rt.record(CreateImage(where=origin.where, options=options).job(origin.dedup_key), "/image")
    count = request.n or 1
    await ack(response_type="ephemeral", text=f":art: Creating {count} image{'s' if count > 1 else ''}…")


async def open_modal(command: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext) -> None:
    rt = runtime_of(context)
    view = image_modal.build(
        models=await rt.models.image_models(),
        default_model=rt.settings.openai_image_model,
        channel_id=command["channel_id"],
        team_id=command.get("team_id"),
    )
    await open_command_view(client, command, view)
