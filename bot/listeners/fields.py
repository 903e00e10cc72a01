"""The fields a listener reads from what Slack sent, checked before anything is recorded.

Slack always sends these; a request without them is not from Slack (or not one we understand), so
it raises `Malformed`, which the app answers with 400 and no retry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext

from bot.delivery.where import Where


class Malformed(ValueError):
    """A request that lacks, or mistypes, a field Slack always sends."""


def text_field(source: dict[str, Any], name: str, *, required: bool = True) -> str:
    value = source.get(name)
    if isinstance(value, str) and (value or not required):
        return value
    if value is None and not required:
        return ""
    raise Malformed(f"`{name}` is missing or not text")


def object_field(source: dict[str, Any], name: str) -> dict[str, Any]:
    value = source.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Malformed(f"`{name}` is not an object")
    return value


def team_of(source: dict[str, Any], context: AsyncBoltContext) -> str:
    team = source.get("team")
    team_id = source.get("team_id") or (team.get("id") if isinstance(team, dict) else None)
    return str(team_id or context.team_id or "")


@dataclass(frozen=True)
class Origin:
    """Where a command, a shortcut or a modal came from, and the key that deduplicates it."""

    where: Where
    dedup_key: str


def command_origin(command: dict[str, Any], context: AsyncBoltContext) -> Origin:
    team = team_of(command, context)
    where = Where(
        team_id=team,
        channel=text_field(command, "channel_id"),
        user=text_field(command, "user_id"),
        response_url=command.get("response_url") if isinstance(command.get("response_url"), str) else None,
    )
    return Origin(where, f"command:{team}:{text_field(command, 'trigger_id')}")


def view_origin(body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext) -> Origin:
    """The channel the modal was opened from (kept in private_metadata), else a DM with the user."""
    try:
        metadata = json.loads(text_field(view, "private_metadata", required=False) or "{}")
    except ValueError as exc:
        raise Malformed("`private_metadata` is not JSON") from exc
    if not isinstance(metadata, dict):
        raise Malformed("`private_metadata` is not an object")
    user = text_field(object_field(body, "user"), "id")
    team = str(metadata.get("team_id") or context.team_id or "")
    key = f"view:{team}:{text_field(view, 'id')}:{view.get('hash', '')}"
    return Origin(Where(team_id=team, channel=str(metadata.get("channel_id") or user), user=user), key)


@dataclass(frozen=True)
class Clicked:
    """A message shortcut: the message, in its thread, and who clicked."""

    where: Where
    message: dict[str, Any]
    dedup_key: str


def clicked(shortcut: dict[str, Any], context: AsyncBoltContext) -> Clicked:
    message = object_field(shortcut, "message")
    team = team_of(shortcut, context)
    thread_ts = message.get("thread_ts") or message.get("ts") or shortcut.get("message_ts") or ""
    where = Where(
        team_id=team,
        channel=text_field(object_field(shortcut, "channel"), "id"),
        user=text_field(object_field(shortcut, "user"), "id"),
        thread_ts=str(thread_ts),
    )
    return Clicked(where, message, f"shortcut:{team}:{text_field(shortcut, 'trigger_id')}")
