"""`/vision [flags] question <Slack file link | https image URL>`: ask about an image; no text opens
a modal. Every /ask flag applies, plus `--detail`."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import vision_modal
from bot.jobs.payloads import Ask
from bot.listeners.commands.flag_command import read_command
from bot.listeners.fields import command_origin
from bot.listeners.runtime_context import runtime_of
from bot.listeners.views import open_command_view
from bot.slack.command_help import CommandHelp
from bot.slack.flags import VISION_FLAGS
from bot.slack.links import file_stubs, refusal, split_links

HELP = CommandHelp(
    command="/vision",
    summary="ask about an image: a Slack file link or an https:// image URL after the question.",
    flags=VISION_FLAGS,
    free_text="question and image link",
    examples=(
        "/vision What is in this picture? https://example.com/cat.png",
        "/vision --detail high --temperature 0.2 Read the sign <file link>",
    ),
    notes=("`/vision` alone opens a form. Attaching an image to a DM or a mention works too.",),
)
USAGE = HELP.usage()


async def handle(
    ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    rt = runtime_of(context)
    origin = command_origin(command, context)
    read = await read_command(ack, command, client, context, help_=HELP, open_modal=open_modal)
    if read is None:
        return
    options, rest = read
    file_ids, urls, question = split_links(rest)
    if not file_ids and not urls:
        await ack(response_type="ephemeral", text=f":warning: `/vision` needs an image link. {USAGE}")
        return
    problem = refusal(urls)
    if problem:
        await ack(response_type="ephemeral", text=problem)
        return
    payload = Ask(
        where=origin.where, text=question, options=options, files=file_stubs(file_ids), image_urls=urls
    )
    await rt.record(payload.job(origin.dedup_key), "/vision")
    await ack()


async def open_modal(command: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext) -> None:
    rt = runtime_of(context)
    view = vision_modal.build(
        models=await rt.models.chat_models(),
        default_model=rt.settings.openai_vision_model,
        channel_id=command["channel_id"],
        team_id=command.get("team_id"),
    )
    await open_command_view(client, command, view)
