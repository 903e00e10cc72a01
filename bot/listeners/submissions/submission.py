"""Where a submitted modal came from: its workspace, channel, user, and a key to deduplicate it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from slack_bolt.context.async_context import AsyncBoltContext


@dataclass(frozen=True)
class Origin:
    team_id: str
    channel: str
    user: str
    dedup_key: str


def origin(body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext) -> Origin:
    """The channel the modal was opened from (kept in private_metadata), else a DM with the user."""
    metadata = json.loads(view.get("private_metadata") or "{}")
    user = body["user"]["id"]
    team_id = metadata.get("team_id") or context.team_id or ""
    key = f"view:{team_id}:{view['id']}:{view.get('hash', '')}"
    return Origin(team_id, metadata.get("channel_id") or user, user, key)


def field_error(exc: ValidationError, default_block: str) -> dict[str, str]:
    """A request model's first complaint, shown on the modal field (block) it concerns."""
    error = exc.errors()[0]
    block = str(error["loc"][0]) if error["loc"] else default_block
    return {block: str(error["msg"]).removeprefix("Value error, ").replace("`", "")[:150]}
