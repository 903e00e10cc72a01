"""What every slash command with flags does first: read the flags, or refuse them privately."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.flags import Flag, FlagError, parse_flags


async def read_or_refuse(
    ack: AsyncAck, text: str, flags: Mapping[str, Flag], command: str, usage: str
) -> tuple[dict[str, Any], str] | None:
    """(values, free text), or None after acking with an ephemeral message naming the problem."""
    try:
        values, free_text = parse_flags(text, flags, command)
    except FlagError as exc:
        await ack(response_type="ephemeral", text=f":warning: {exc}")
        return None
    if not free_text:
        await ack(
            response_type="ephemeral", text=f":warning: `{command}` needs text after the flags. {usage}"
        )
        return None
    return values, free_text


def problem(exc: ValidationError) -> str:
    """The first validation problem, as a sentence for the user."""
    error = exc.errors()[0]
    message = str(error["msg"]).removeprefix("Value error, ")
    field = error["loc"][0] if error["loc"] else None
    if field and "`--" not in message:
        message = f"`--{str(field).replace('_', '-')}`: {message}"
    return f":warning: {message}"
