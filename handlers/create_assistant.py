"""The "Create assistant" action, after OpenAI's hosted Assistants API: the workspace's own profile
(model, name, description, instructions, tools, file ids, metadata), validated with the limits the
hosted API had, and shown as its output object was (the Assistants API shut down on 2026-08-26)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Annotated, Any, Protocol

from pydantic import BaseModel, Field, field_validator

NAME_MAX, DESCRIPTION_MAX, INSTRUCTIONS_MAX = 256, 512, 256_000
TOOLS_MAX, METADATA_PAIRS, METADATA_KEY_MAX, METADATA_VALUE_MAX = 128, 16, 64, 512
BOT_ACTIONS = ("create_image", "read_aloud", "transcribe")
# OpenAI's hosted tools: an assistant with any of them answers through the Responses API.
HOSTED_TOOLS = ("code_interpreter", "file_search", "web_search")
KNOWN_TOOLS = (
    f"the bot's actions ({', '.join(BOT_ACTIONS)}), hosted tools ({', '.join(HOSTED_TOOLS)}), "
    'remote MCP servers as JSON ({"type": "mcp", "server_label", "server_url", …}) '
    'or function tools as JSON ({"type": "function", "function": {...}})'
)
FUNCTION_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
# Shown as the model of an assistant created without one: it follows the bot's default chat model.
FOLLOWS_DEFAULT_MODEL = "(the bot's default chat model)"
RESERVED_NAMES = {"none", "list", "show", "create", "update", "delete", "use"}


def _tool(entry: Any) -> dict[str, Any]:
    """A bot action by name, or a function tool whose parameters are a JSON-schema object."""
    if isinstance(entry, str) and entry in HOSTED_TOOLS:
        return {"type": entry}
    if isinstance(entry, str):
        if entry not in BOT_ACTIONS:
            raise ValueError(f"`{entry}` is not a tool I know; allowed are {KNOWN_TOOLS}")
        return {"type": "function", "function": {"name": entry}}
    if isinstance(entry, dict) and entry.get("type") in HOSTED_TOOLS:
        # vector_store_ids is the bot's own (kept in step with the assistant's files), never typed.
        return {"type": entry["type"]}
    if isinstance(entry, dict) and entry.get("type") == "mcp":
        return _mcp(entry)
    if (
        not isinstance(entry, dict)
        or entry.get("type") != "function"
        or not isinstance(entry.get("function"), dict)
    ):
        kind = entry.get("type") if isinstance(entry, dict) else None
        raise ValueError(f"`{kind or entry}` is not a tool I know; allowed are {KNOWN_TOOLS}")
    function = entry["function"]
    name = function.get("name")
    if not isinstance(name, str) or not FUNCTION_NAME.match(name):
        raise ValueError("a function tool needs a name of letters, digits, _ or -, at most 64")
    description = function.get("description")
    if description is not None and not isinstance(description, str):
        raise ValueError(f"the description of `{name}` must be text")
    parameters = function.get("parameters", {"type": "object", "properties": {}})
    if not isinstance(parameters, dict) or parameters.get("type") != "object":
        raise ValueError(f'the parameters of `{name}` must be a JSON schema with "type": "object"')
    if not isinstance(parameters.get("properties", {}), dict):
        raise ValueError(f"the properties of `{name}` must be an object")
    if not isinstance(parameters.get("required", []), list):
        raise ValueError(f"`required` in `{name}` must be a list")
    clean = {"name": name, "parameters": parameters}
    if description:
        clean["description"] = description
    return {"type": "function", "function": clean}


MCP_FIELDS = "server_label, server_url, allowed_tools, require_approval, authorization"
APPROVALS = ("always", "never")


def _mcp(entry: dict[str, Any]) -> dict[str, Any]:
    """A remote MCP server: {"type": "mcp", "server_label", "server_url" (https), "allowed_tools"?
    (names), "require_approval"? ("always", the default, or "never"), "authorization"?}."""
    unknown = set(entry) - {"type", *MCP_FIELDS.split(", ")}
    if unknown:
        raise ValueError(f"`mcp` takes {MCP_FIELDS}; not {', '.join(sorted(unknown))}")
    label = entry.get("server_label")
    if not isinstance(label, str) or not FUNCTION_NAME.match(label):
        raise ValueError("`mcp` needs a server_label of letters, digits, _ or -, at most 64")
    url = entry.get("server_url")
    if not isinstance(url, str) or not re.fullmatch(r"https://[^\s/]+(/\S*)?", url):
        raise ValueError(f"`mcp` {label}: server_url must be an https:// URL")
    tool: dict[str, Any] = {"type": "mcp", "server_label": label, "server_url": url}
    allowed = entry.get("allowed_tools")
    if allowed is not None:
        if not isinstance(allowed, list) or not all(isinstance(n, str) and n for n in allowed):
            raise ValueError(f"`mcp` {label}: allowed_tools must be a list of tool names")
        tool["allowed_tools"] = allowed
    approval = entry.get("require_approval", "always")
    if approval not in APPROVALS:
        raise ValueError(f"`mcp` {label}: require_approval must be always or never")
    tool["require_approval"] = approval
    authorization = entry.get("authorization")
    if authorization is not None:
        if not isinstance(authorization, str) or not authorization.strip():
            raise ValueError(f"`mcp` {label}: authorization must be text (sent as the Authorization header)")
        tool["authorization"] = authorization
    return tool


def shown(tool: dict[str, Any]) -> dict[str, Any]:
    """A tool as shown to people: an MCP server's authorization is never shown back."""
    if "authorization" in tool or "authorization_encrypted" in tool:
        tool = {k: v for k, v in tool.items() if k not in ("authorization", "authorization_encrypted")}
        tool["authorization"] = "(set, kept encrypted)"
    return tool


class AssistantSpec(BaseModel):
    """Create: name and model required. Update: any subset (see `partial`)."""

    name: Annotated[str, Field(min_length=1, max_length=NAME_MAX)] | None = None
    model: Annotated[str, Field(min_length=1)] | None = None
    description: Annotated[str, Field(max_length=DESCRIPTION_MAX)] | None = None
    instructions: Annotated[str, Field(max_length=INSTRUCTIONS_MAX)] | None = None
    tools: Annotated[list[Any], Field(max_length=TOOLS_MAX)] | None = None
    file_ids: list[str] | None = None
    metadata: dict[str, str] | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and (
            value.strip().casefold() in RESERVED_NAMES or any(c.isspace() for c in value)
        ):
            raise ValueError("must be one word, and not none, list, show, create, update, delete or use")
        return value

    @field_validator("tools")
    @classmethod
    def _tools(cls, value: list[Any] | None) -> list[dict[str, Any]] | None:
        return None if value is None else [_tool(entry) for entry in value]

    @field_validator("file_ids")
    @classmethod
    def _file_ids(cls, value: list[str] | None) -> list[str] | None:
        for file_id in value or []:
            if not re.fullmatch(r"F[A-Z0-9]{6,}", file_id):
                raise ValueError(f"`{file_id}` is not a Slack file id (F…)")
        return value

    @field_validator("metadata")
    @classmethod
    def _metadata(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is None:
            return None
        if len(value) > METADATA_PAIRS:
            raise ValueError(f"may hold at most {METADATA_PAIRS} pairs")
        for key, item in value.items():
            if len(key) > METADATA_KEY_MAX:
                raise ValueError(f"keys may be at most {METADATA_KEY_MAX} characters (`{key[:20]}…`)")
            if len(str(item)) > METADATA_VALUE_MAX:
                raise ValueError(f"values may be at most {METADATA_VALUE_MAX} characters (key `{key}`)")
        return value

    def require_for_create(self) -> None:
        if not self.name:
            raise ValueError("`--name` is required to create an assistant")

    def fields(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class StoredAssistant(Protocol):
    """What the output needs of a stored assistant (the bot's storage keeps them)."""

    id: str
    created_at: datetime | None
    name: str
    description: str | None
    model: str
    instructions: str | None
    tools: list[dict[str, Any]]
    file_ids: list[str]
    metadata: dict[str, str]


def validated_fields(values: dict[str, Any], creating: bool) -> dict[str, Any]:
    """The assistant's fields from flags or a modal; ValidationError names a limit, ValueError a
    missing required field."""
    spec = AssistantSpec(**values)
    if creating:
        spec.require_for_create()
    return spec.fields()


def output(assistant: StoredAssistant) -> dict[str, Any]:
    """The hosted API's output object: id, object, created_at, name, description, model, instructions,
    tools, file_ids, metadata."""
    created = assistant.created_at
    return {
        "id": assistant.id,
        "object": "assistant",
        "created_at": int(created.timestamp()) if created else None,
        "name": assistant.name,
        "description": assistant.description,
        "model": assistant.model or FOLLOWS_DEFAULT_MODEL,
        "instructions": assistant.instructions,
        "tools": [shown(tool) for tool in assistant.tools],
        "file_ids": assistant.file_ids,
        "metadata": assistant.metadata,
    }


def output_text(assistant: StoredAssistant) -> str:
    return json.dumps(output(assistant), indent=2, ensure_ascii=False)
