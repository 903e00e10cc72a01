"""Answers through the Responses API, for assistants with OpenAI's hosted tools (code_interpreter,
file_search, web_search): only the Responses API runs them. Streamed like Chat Completions; the
citations (links, files drawn on, files code wrote) come back with the answer.

The conversation is sent as `input` items built from the same messages Chat Completions gets (the
system message becomes `instructions`). The Responses API has no `n`, `logit_bias`, penalties or
`stop`: the caller leaves them out and says so.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx2
import openai
from openai import AsyncOpenAI

from handlers.ask_chatgpt import ChatMessage, ChatRequest, OnText, ToolCall
from handlers.stream_stages import StageClock, StageTimeouts

log = logging.getLogger(__name__)

HOSTED_TOOLS = ("code_interpreter", "file_search", "web_search", "mcp")
MCP_REQUEST_FIELDS = ("server_label", "server_url", "allowed_tools", "require_approval", "authorization")
NOT_IN_RESPONSES = ("n", "stop", "presence_penalty", "frequency_penalty", "logit_bias")


class ResponseFailed(openai.OpenAIError):
    """The response ended as failed or incomplete, or the stream sent an error event."""


@dataclass(frozen=True)
class Citation:
    kind: str  # "url", "file" or "container_file"
    title: str
    url: str | None = None
    file_id: str | None = None
    container_id: str | None = None


@dataclass(frozen=True)
class Approval:
    """An MCP tool call the server wants approved before it runs (`mcp_approval_request`)."""

    id: str
    server_label: str
    name: str
    arguments: str


@dataclass
class ResponseOutcome:
    text: str = ""
    model: str = ""
    citations: list[Citation] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str | None = None
    response_id: str | None = None
    approvals: list[Approval] = field(default_factory=list)
    finished: bool = False  # the final event (completed or incomplete) arrived
    broken: bool = False  # the stream ended without it: cut short
    used_mcp: bool = False  # an MCP server's tool was called (asking again could call it twice)


def uses_hosted_tools(tools: list[dict[str, Any]] | None) -> bool:
    return any(tool.get("type") in HOSTED_TOOLS for tool in tools or [])


def request_tools(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tools as the Responses API takes them: hosted ones with only their request fields, function
    tools flattened ({"type": "function", "name", "description", "parameters"})."""
    out: list[dict[str, Any]] = []
    for tool in tools:
        kind = tool.get("type")
        if kind == "code_interpreter":
            out.append({"type": "code_interpreter", "container": {"type": "auto"}})
        elif kind == "file_search":
            if tool.get("vector_store_ids"):
                out.append({"type": "file_search", "vector_store_ids": list(tool["vector_store_ids"])})
        elif kind == "web_search":
            out.append({"type": "web_search"})
        elif kind == "mcp":
            out.append({"type": "mcp", **{k: tool[k] for k in MCP_REQUEST_FIELDS if k in tool}})
        elif kind == "function" and isinstance(tool.get("function"), dict):
            out.append({"type": "function", **tool["function"]})
    return out


def _part(part: dict[str, Any], role: str) -> dict[str, Any]:
    if part.get("type") == "image_url":
        image = part.get("image_url") or {}
        return {"type": "input_image", "image_url": image.get("url"), "detail": image.get("detail", "auto")}
    kind = "output_text" if role == "assistant" else "input_text"
    return {"type": kind, "text": str(part.get("text", ""))}


def input_items(messages: list[ChatMessage]) -> tuple[str | None, list[dict[str, Any]]]:
    """(instructions, input items) from Chat Completions messages."""
    instructions = [str(m.content) for m in messages if m.role in ("system", "developer") and m.content]
    items: list[dict[str, Any]] = []
    for message in messages:
        if message.role not in ("user", "assistant") or message.content is None:
            continue
        content = message.content
        if isinstance(content, list):
            items.append({"role": message.role, "content": [_part(p, message.role) for p in content]})
        else:
            text = f"{message.name}: {content}" if message.name and message.role == "user" else content
            items.append({"role": message.role, "content": text})
    return ("\n\n".join(instructions) or None), items


def params(request: ChatRequest, tools: list[dict[str, Any]]) -> dict[str, Any]:
    instructions, items = input_items(request.messages)
    body: dict[str, Any] = {"model": request.model, "input": items, "tools": request_tools(tools)}
    optional = {
        "instructions": instructions,
        "temperature": request.temperature,
        "top_p": request.top_p,
        "max_output_tokens": request.max_tokens,
        "safety_identifier": request.user,
    }
    body.update({key: value for key, value in optional.items() if value is not None})
    return body


def _citation(annotation: dict[str, Any]) -> Citation | None:
    kind = annotation.get("type")
    if kind == "url_citation" and annotation.get("url"):
        return Citation("url", str(annotation.get("title") or annotation["url"]), url=str(annotation["url"]))
    if kind == "file_citation":
        name = str(annotation.get("filename") or annotation.get("file_id") or "a file")
        return Citation("file", name, file_id=annotation.get("file_id"))
    if kind == "container_file_citation" and annotation.get("file_id") and annotation.get("container_id"):
        name = str(annotation.get("filename") or annotation["file_id"])
        return Citation(
            "container_file", name, file_id=annotation["file_id"], container_id=annotation["container_id"]
        )
    return None


def _finish(outcome: ResponseOutcome, response: dict[str, Any]) -> None:
    outcome.model = str(response.get("model") or outcome.model)
    outcome.response_id = response.get("id")
    usage = response.get("usage") or {}
    outcome.prompt_tokens = usage.get("input_tokens")
    outcome.completion_tokens = usage.get("output_tokens")
    seen = set(outcome.citations)
    for item in response.get("output") or []:
        if item.get("type") == "mcp_approval_request":
            outcome.approvals.append(
                Approval(
                    id=str(item.get("id")),
                    server_label=str(item.get("server_label") or ""),
                    name=str(item.get("name") or ""),
                    arguments=str(item.get("arguments") or ""),
                )
            )
        if item.get("type") == "function_call":
            outcome.tool_calls.append(
                ToolCall(
                    name=str(item.get("name")),
                    arguments=str(item.get("arguments") or ""),
                    id=item.get("call_id"),
                )
            )
        for part in item.get("content") or [] if item.get("type") == "message" else []:
            for annotation in part.get("annotations") or []:
                citation = _citation(annotation)
                if citation is not None and citation not in seen:
                    seen.add(citation)
                    outcome.citations.append(citation)
    if response.get("status") == "incomplete":
        reason = (response.get("incomplete_details") or {}).get("reason")
        outcome.finish_reason = "content_filter" if reason == "content_filter" else "length"
    else:
        outcome.finish_reason = "stop"


def follow_up_params(
    model: str,
    previous_response_id: str,
    items: list[dict[str, Any]],
    tools: list[dict[str, Any]],
    instructions: str | None,
) -> dict[str, Any]:
    """The request that carries a response on: with the outputs of the function calls it made, or
    the requester's answers to MCP approval requests."""
    body: dict[str, Any] = {
        "model": model,
        "previous_response_id": previous_response_id,
        "input": items,
        "tools": request_tools(tools),
    }
    if instructions:
        body["instructions"] = instructions
    return body


def approval_params(
    model: str,
    previous_response_id: str,
    answers: list[tuple[str, bool]],
    tools: list[dict[str, Any]],
    instructions: str | None,
) -> dict[str, Any]:
    """The request that carries on after the requester approved (or denied) MCP tool calls."""
    items = [
        {"type": "mcp_approval_response", "approval_request_id": request_id, "approve": approve}
        for request_id, approve in answers
    ]
    return follow_up_params(model, previous_response_id, items, tools, instructions)


async def stream_response(
    client: AsyncOpenAI,
    request: ChatRequest,
    tools: list[dict[str, Any]],
    on_text: OnText,
    timeouts: StageTimeouts,
) -> ResponseOutcome:
    """Stream one answer through `POST /responses`. Raises ChatTimeout, ResponseFailed, and the SDK's
    errors as they are."""
    return await stream_body(client, params(request, tools), on_text, timeouts)


# Events that say the response is under way, not that any of it came yet: the first-token limit
# still runs. Every other event (text, a hosted tool at work) counts as a token.
NOT_YET = ("response.created", "response.queued", "response.in_progress")
# What the connection breaking mid-stream raises (raw lines come unwrapped by the SDK).
BROKEN = (httpx2.TransportError, openai.APIConnectionError)


async def stream_body(
    client: AsyncOpenAI, body: dict[str, Any], on_text: OnText, timeouts: StageTimeouts
) -> ResponseOutcome:
    """Stream one response, each stage within its time (ChatTimeout, as Chat Completions). A stream
    that breaks (the connection drops, or it ends with no final event) is returned `broken`, with
    what it said: the caller may ask again, or mark the answer incomplete."""
    outcome = ResponseOutcome(model=str(body.get("model")))
    clock = StageClock(timeouts)
    manager = client.responses.with_streaming_response.create(**body, stream=True)
    response = await clock.wait(manager.__aenter__())
    try:
        async for line in clock.each(response.iter_lines()):
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if not data or data == "[DONE]":
                continue
            try:
                event = json.loads(data)
            except json.JSONDecodeError:  # a line cut by a dropped connection
                break
            if event.get("type") not in NOT_YET:
                clock.token()
            await _event(outcome, event, on_text)
    except BROKEN as exc:
        log.warning("the Responses stream broke: %s", type(exc).__name__)
    finally:
        with contextlib.suppress(*BROKEN):
            await manager.__aexit__(None, None, None)
    outcome.broken = not outcome.finished
    return outcome


async def _event(outcome: ResponseOutcome, event: dict[str, Any], on_text: OnText) -> None:
    kind = str(event.get("type"))
    if "mcp_call" in kind or (event.get("item") or {}).get("type") == "mcp_call":
        outcome.used_mcp = True
    if kind == "response.output_text.delta" and event.get("delta"):
        outcome.text += str(event["delta"])
        await on_text(str(event["delta"]))
    elif kind == "response.output_text.annotation.added":
        citation = _citation(event.get("annotation") or {})
        if citation is not None and citation not in outcome.citations:
            outcome.citations.append(citation)
    elif kind in ("response.completed", "response.incomplete"):
        outcome.finished = True
        _finish(outcome, event.get("response") or {})
    elif kind == "response.failed":
        error = (event.get("response") or {}).get("error") or {}
        raise ResponseFailed(f"OpenAI could not finish the answer: {error.get('message') or 'it failed'}.")
    elif kind == "error":
        raise ResponseFailed(
            str(event.get("message") or (event.get("error") or {}).get("message") or "error")
        )
