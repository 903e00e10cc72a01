"""Slack payloads as Slack sends them: event callbacks, slash commands, shortcuts."""

from __future__ import annotations

import itertools
import time
import uuid
from typing import Any

TEAM = "T0TEST"
BOT_USER = "UBOT"
_ts = itertools.count(1)


def new_ts() -> str:
    """A unique Slack-looking ts for a user message, earlier than any FakeSlack posts (1700000100.x)."""
    return f"1700000000.{next(_ts):06d}"


def event_callback(event: dict[str, Any], *, event_id: str | None = None, team: str = TEAM) -> dict[str, Any]:
    return {
        "token": "legacy-verification-token",
        "team_id": team,
        "api_app_id": "A0TEST",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": team, "user_id": BOT_USER, "is_bot": True}],
    }


def mention(
    text: str,
    *,
    channel: str = "C0CHAN",
    user: str = "U0ALICE",
    ts: str | None = None,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER}> {text}",
        "ts": ts or new_ts(),
        "channel": channel,
        "team": TEAM,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def message(
    text: str,
    *,
    channel: str = "C0CHAN",
    channel_type: str = "channel",
    user: str | None = "U0ALICE",
    ts: str | None = None,
    thread_ts: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "message",
        "text": text,
        "ts": ts or new_ts(),
        "channel": channel,
        "channel_type": channel_type,
        "team": TEAM,
        **extra,
    }
    if user:
        event["user"] = user
    if thread_ts:
        event["thread_ts"] = thread_ts
    event["event_ts"] = event["ts"]
    return event
