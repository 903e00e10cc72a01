"""The question asked in a thread before an MCP tool call that its server wants approved."""

from __future__ import annotations

import json
from typing import Any

APPROVE, DENY = "mcp_approve", "mcp_deny"


def button_value(response_id: str, approval_id: str, requester: str, assistant: str) -> str:
    return json.dumps({"r": response_id, "a": approval_id, "u": requester, "n": assistant})


def question_blocks(
    requester: str, server_label: str, tool: str, arguments: str, value: str
) -> tuple[str, list[dict[str, Any]]]:
    shown = arguments if len(arguments) <= 1500 else arguments[:1500] + "…"
    text = (
        f"<@{requester}>, the assistant wants to call `{tool}` on the MCP server `{server_label}` "
        f"with:\n```\n{shown or '{}'}\n```\nAllow it?"
    )
    return text, [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {
            "type": "actions",
            "block_id": "mcp_approval",
            "elements": [
                {"type": "button", "action_id": APPROVE, "text": {"type": "plain_text", "text": "Approve"},
                 "style": "primary", "value": value},
                {"type": "button", "action_id": DENY, "text": {"type": "plain_text", "text": "Deny"},
                 "style": "danger", "value": value},
            ],
        },
    ]  # fmt: skip


def answered_text(original: str, user: str, approve: bool) -> str:
    return f"{original}\n*{'Approved' if approve else 'Denied'} by <@{user}>.*"
