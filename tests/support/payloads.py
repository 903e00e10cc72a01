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


def slash_command(
    command: str,
    text: str,
    *,
    channel: str = "C0CHAN",
    user: str = "U0ALICE",
    response_url: str = "",
    trigger_id: str | None = None,
) -> dict[str, str]:
    """The form fields Slack posts for a slash command."""
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "team_domain": "test",
        "channel_id": channel,
        "channel_name": "general",
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": "A0TEST",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or f"{uuid.uuid4().int % 10**10}.{uuid.uuid4().hex[:8]}",
    }


def interactive(payload: dict[str, Any]) -> dict[str, str]:
    """Interactivity arrives as a form with one field, `payload`, holding JSON."""
    import json

    return {"payload": json.dumps(payload)}


def view_submission(
    view: dict[str, Any], values: dict[str, dict[str, Any]], *, user: str = "U0ALICE"
) -> dict[str, Any]:
    """A submitted modal: `values` is {block_id: {action_id: {...}}} as Slack sends state."""
    submitted = {
        **view,
        "id": view.get("id") or f"V{uuid.uuid4().hex[:8].upper()}",
        "hash": f"h{uuid.uuid4().hex[:6]}",
        "team_id": TEAM,
        "state": {"values": values},
    }
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "test"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "api_app_id": "A0TEST",
        "token": "legacy-verification-token",
        "trigger_id": f"{uuid.uuid4().int % 10**10}.x",
        "view": submitted,
        "is_enterprise_install": False,
    }


def message_shortcut(
    callback_id: str, message: dict[str, Any], *, channel: str = "C0CHAN", user: str = "U0ALICE"
) -> dict[str, Any]:
    return {
        "type": "message_action",
        "callback_id": callback_id,
        "trigger_id": f"{uuid.uuid4().int % 10**10}.x",
        "team": {"id": TEAM, "domain": "test"},
        "channel": {"id": channel, "name": "general"},
        "user": {"id": user, "name": user.lower(), "team_id": TEAM},
        "message_ts": message["ts"],
        "message": message,
        "response_url": "",
        "action_ts": str(time.time()),
        "token": "legacy-verification-token",
    }


def block_action(
    action: dict[str, Any],
    *,
    channel: str = "C0CHAN",
    user: str = "U0ALICE",
    message: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    container: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A click on a button (or a choice in a select) as Slack sends it: in a message, or in a view."""
    action = {"action_ts": f"{time.time():.6f}", "block_id": "b", **action}
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
        "api_app_id": "A0TEST",
        "token": "legacy-verification-token",
        "trigger_id": f"{uuid.uuid4().int % 10**10}.x",
        "team": {"id": TEAM, "domain": "test"},
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [action],
    }
    if view is not None:
        payload["container"] = container or {"type": "view", "view_id": view.get("id")}
        payload["view"] = view
    else:
        payload["channel"] = {"id": channel, "name": "general"}
        payload["response_url"] = ""
        if message is not None:
            payload["message"] = message
            payload["container"] = container or {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": channel,
                "is_ephemeral": False,
                **({"thread_ts": message["thread_ts"]} if message.get("thread_ts") else {}),
            }
        else:
            payload["container"] = container or {
                "type": "message",
                "channel_id": channel,
                "is_ephemeral": True,
            }
    return payload
