"""`/ask [flags] prompt`: validated at once (a bad flag is answered privately, nothing is sent to
OpenAI), recorded, acked; with no text, the modal with the same fields opens."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import ask_modal
from bot.jobs.payloads import Ask
from bot.listeners.commands.flag_command import read_command
from bot.listeners.fields import command_origin
from bot.listeners.runtime_context import runtime_of
from bot.listeners.views import open_command_view
from bot.slack.command_help import CommandHelp
from bot.slack.flags import CHAT_FLAGS

HELP = CommandHelp(
    command="/ask",
    summary="ask ChatGPT; the question is posted here and answered in its thread.",
    flags=CHAT_FLAGS,
    free_text="question",
    examples=(
        "/ask What is a haiku?",
        "/ask --model gpt-6-sol --temperature 0.2 --max-tokens 300 Summarize the plot of Hamlet",
        '/ask --n 3 --stop "END" Name a colour',
    ),
    notes=("`/ask` alone opens a form with every field. In a thread, mention me with the same flags.",),
)


async def handle(
    ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    origin = command_origin(command, context)
    read = await read_command(
        ack,
        command,
        client,
        context,
        help_=HELP,
        open_modal=open_modal,
        missing="a question",
    )
    if read is None:
        return
    options, prompt = read
    job = Ask(where=origin.where, text=prompt, options=options).job(origin.dedup_key)
    await runtime_of(context).record(job, "/ask")
    await ack()


async def open_modal(command: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext) -> None:
    """Runs right after the ack: the trigger id is good for 3 seconds."""
    rt = runtime_of(context)
    view = ask_modal.build(
        models=await rt.models.chat_models(),
        default_model=rt.settings.openai_chat_model,
        channel_id=command["channel_id"],
        team_id=command.get("team_id"),
    )
    await open_command_view(client, command, view)
