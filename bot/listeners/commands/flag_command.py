"""What every slash command with flags does first: read the flags, or refuse them privately."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.listeners.fields import text_field
from bot.listeners.runtime_context import runtime_of
from bot.slack.flags import Flag, FlagError, parse_flags

OpenModal = Callable[[dict[str, Any], AsyncWebClient, AsyncBoltContext], Coroutine[Any, Any, None]]


async def read_or_refuse(
    ack: AsyncAck, text: str, flags: Mapping[str, Flag], command: str, usage: str, missing: str = "text"
) -> tuple[dict[str, Any], str] | None:
    """(values, free text), or None after acking with an ephemeral message naming the problem."""
    try:
        values, free_text = parse_flags(text, flags, command)
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
    flags: Mapping[str, Flag],
    usage: str,
    open_modal: OpenModal,
    missing: str = "text",
) -> tuple[dict[str, Any], str] | None:
    """A slash command's (flags, free text); None once it has been answered: with no text, its
    modal opens right after the ack (the trigger id is good for 3 seconds); a bad flag is refused."""
    name = text_field(command, "command")
    text = text_field(command, "text", required=False)
    if not text.strip():
        await ack()
        runtime_of(context).spawn(open_modal(command, client, context), f"open the {name} modal")
        return None
    return await read_or_refuse(ack, text, flags, name, usage, missing)
