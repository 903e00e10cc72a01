"""MCP servers' authorization headers: encrypted (ENCRYPTION_KEY) before anything is recorded,
opened only to send a request, never shown back."""

from __future__ import annotations

from typing import Any

from bot.config import Settings
from bot.content.secrets import decrypt, encrypt

NEEDS_KEY = (
    "an MCP server's `authorization` is kept encrypted in the database: an admin has to set "
    "`ENCRYPTION_KEY` first (a Fernet key)"
)


def seal(settings: Settings, fields: dict[str, Any]) -> dict[str, Any]:
    """`fields` with each MCP tool's authorization encrypted. ValueError without ENCRYPTION_KEY."""
    tools = fields.get("tools")
    if not tools or not any(tool.get("authorization") for tool in tools):
        return fields
    if settings.encryption_key is None:
        raise ValueError(NEEDS_KEY)
    key = settings.encryption_key.get_secret_value()
    sealed: list[dict[str, Any]] = []
    for tool in tools:
        secret = tool.get("authorization")
        if secret:
            tool = {k: v for k, v in tool.items() if k != "authorization"}
            tool["authorization_encrypted"] = encrypt(key, str(secret))
        sealed.append(tool)
    return {**fields, "tools": sealed}


def keep_sealed(new_tools: list[dict[str, Any]], old_tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """On update, an MCP server given again without authorization keeps the one it had."""
    old = {t.get("server_label"): t for t in old_tools if t.get("type") == "mcp"}
    kept = []
    for tool in new_tools:
        before = old.get(tool.get("server_label")) if tool.get("type") == "mcp" else None
        if before and "authorization_encrypted" in before and "authorization_encrypted" not in tool:
            tool = {**tool, "authorization_encrypted": before["authorization_encrypted"]}
        kept.append(tool)
    return kept


def opened(settings: Settings, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tools as the request needs them: authorization decrypted. SecretUnreadable (or
    ValueError without ENCRYPTION_KEY) when it cannot be."""
    out = []
    for tool in tools:
        if "authorization_encrypted" in tool:
            if settings.encryption_key is None:
                raise ValueError(NEEDS_KEY)
            secret = decrypt(settings.encryption_key.get_secret_value(), tool["authorization_encrypted"])
            tool = {k: v for k, v in tool.items() if k != "authorization_encrypted"}
            tool["authorization"] = secret
        out.append(tool)
    return out
