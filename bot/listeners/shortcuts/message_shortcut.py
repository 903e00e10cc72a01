"""What every message shortcut starts from: the message, its thread, who clicked, a dedup key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext


@dataclass(frozen=True)
class Clicked:
    team_id: str
    channel: str
    user: str
    message: dict[str, Any]
    thread_ts: str
    dedup_key: str


def clicked(shortcut: dict[str, Any], context: AsyncBoltContext) -> Clicked:
    message = shortcut.get("message") or {}
    team_id = (shortcut.get("team") or {}).get("id") or context.team_id or ""
    return Clicked(
        team_id=team_id,
        channel=(shortcut.get("channel") or {}).get("id", ""),
        user=(shortcut.get("user") or {}).get("id", ""),
        message=message,
        thread_ts=message.get("thread_ts") or message.get("ts") or shortcut.get("message_ts", ""),
        dedup_key=f"shortcut:{team_id}:{shortcut.get('trigger_id')}",
    )
