"""Approve / Deny on an MCP tool call the assistant asked about: recorded as a job, acked."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.blocks.mcp_approval import APPROVE
from bot.delivery.where import Where
from bot.jobs.payloads import McpApproval
from bot.listeners.fields import Malformed, object_field, team_of, text_field
from bot.listeners.runtime_context import runtime_of


async def handle(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    actions = body.get("actions") or []
    if not actions or not isinstance(actions[0], dict):
        raise Malformed("a block action without its action")
    action = actions[0]
    try:
        value = json.loads(str(action.get("value") or ""))
        response_id, approval_id, requester, assistant = value["r"], value["a"], value["u"], value["n"]
    except (ValueError, KeyError, TypeError):
        raise Malformed("an MCP approval button without its value") from None
    user = text_field(object_field(body, "user"), "id")
    channel = text_field(object_field(body, "channel"), "id")
    message = object_field(body, "message")
    thread_ts = str(message.get("thread_ts") or message.get("ts") or "")
    payload = McpApproval(
        where=Where(team_id=team_of(body, context), channel=channel, user=user, thread_ts=thread_ts or None),
        response_id=str(response_id),
        approval_id=str(approval_id),
        requester=str(requester),
        assistant=str(assistant),
        approve=action.get("action_id") == APPROVE,
        message_ts=str(message.get("ts") or ""),
        question=str(message.get("text") or ""),
    )
    # The first answer of each person counts (the requester's is the one that is carried out).
    await runtime_of(context).record(payload.job(f"mcp:{approval_id}:{user}"), "mcp_approval")
    await ack()
