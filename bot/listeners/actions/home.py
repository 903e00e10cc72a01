"""The Home tab's buttons: each opens its action's form, whose answer goes to the person's DM with
the bot (the button's value)."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import home
from bot.delivery.where import Where
from bot.listeners.commands import ask, assistant, image, openai_settings, speech, transcribe, vision
from bot.listeners.commands.flag_command import OpenModal
from bot.listeners.fields import team_of, text_field
from bot.listeners.runtime_context import runtime_of

OPENERS: dict[str, OpenModal] = {
    "ask": ask.open_modal,
    "image": image.open_modal,
    "speech": speech.open_modal,
    "vision": vision.open_modal,
    "transcribe": transcribe.open_modal,
    "assistant": assistant.open_modal,
}
ACTION_IDS = re.compile("^" + re.escape(home.OPEN_PREFIX) + "(" + "|".join(OPENERS) + ")$")


async def open_settings(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """The admins' "Change settings" button: the /openai settings form (others are told why not)."""
    user: dict[str, Any] = body["user"] if isinstance(body.get("user"), dict) else {}
    where = Where(
        team_id=team_of(body, context),
        channel=action.get("value") if isinstance(action.get("value"), str) else "",
        user=text_field(user, "id"),
    )
    trigger_id = text_field(body, "trigger_id")
    await ack()
    rt = runtime_of(context)
    rt.spawn(openai_settings.open_modal(rt, client, where, trigger_id), "open the settings form from Home")


async def open_form(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    key = text_field(action, "action_id").removeprefix(home.OPEN_PREFIX)
    dm_channel = action.get("value") if isinstance(action.get("value"), str) else ""
    command = {
        "channel_id": dm_channel,
        "trigger_id": text_field(body, "trigger_id"),
        "team_id": team_of(body, context),
    }
    await ack()
    runtime_of(context).spawn(OPENERS[key](command, client, context), f"open the {key} form from Home")
