"""What every slash command with flags does first: `help`, or read the flags, or refuse them privately."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.listeners.fields import text_field
from bot.listeners.runtime_context import runtime_of
from bot.slack.command_help import CommandHelp, asks_for_help
from bot.slack.flags import FlagError, parse_flags

OpenModal = Callable[[dict[str, Any], AsyncWebClient, AsyncBoltContext], Coroutine[Any, Any, None]]


async def read_or_refuse(
    ack: AsyncAck, text: str, help_: CommandHelp, missing: str = "text", usage: str | None = None
) -> tuple[dict[str, Any], str] | None:
    """(values, free text), or None after acking: with the command's help when that is what was
    asked (`/ask help`), else with an ephemeral message naming the problem."""
    command, usage = help_.command, usage or help_.usage()
    if asks_for_help(text):
        await ack(response_type="ephemeral", text=help_.text())
        return None
    try:
        values, free_text = parse_flags(text, help_.flags, command)
    except FlagError as exc:
        await ack(response_type="ephemeral", text=f":warning: {exc}")
        return None
    if not free_text:
        await ack(
            response_type="ephemeral", text=f":warning: `{command}` needs {missing} after the flags. {usage}"
        )
        return None
    return values, free_text


async def read_command(
    ack: AsyncAck,
    command: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    *,
    help_: CommandHelp,
    open_modal: OpenModal,
    missing: str = "text",
) -> tuple[dict[str, Any], str] | None:
    """A slash command's (flags, free text); None once it has been answered: with no text, its
    modal opens right after the ack (the trigger id is good for 3 seconds); a bad flag is refused."""
    text = text_field(command, "text", required=False)
    if not text.strip():
        await ack()
        runtime_of(context).spawn(open_modal(command, client, context), f"open the {help_.command} modal")
        return None
    return await read_or_refuse(ack, text, help_, missing)
