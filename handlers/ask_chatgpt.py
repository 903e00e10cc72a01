"""The "Ask ChatGPT" action: Chat Completions, streamed, with every property of the OpenAI connector
it replaces (model, temperature, top p, max tokens, n, stop, penalties, logit bias, user).

Properties are sent the way today's API expects them (`max_completion_tokens`, the end user as
`safety_identifier`) and only when set, so reasoning models that refuse sampling parameters work
with the defaults.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from openai import AsyncOpenAI
from pydantic import BaseModel, Field, field_validator

from handlers.limits import (
    CHOICES,
    LOGIT_BIAS,
    MAX_STOP_SEQUENCES,
    MAX_TOKENS,
    PENALTY,
    TEMPERATURE,
    TOP_P,
)
from handlers.stream_stages import ChatTimeout, StageClock, StageTimeouts

Role = Literal["system", "user", "assistant", "developer", "tool"]


class ChatMessage(BaseModel):
    role: Role
    content: str | list[dict[str, Any]] | None
    name: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None


class ChatRequest(BaseModel):
    """Every property of "Ask ChatGPT", with its allowed range."""

    messages: list[ChatMessage]
    model: str
    temperature: Annotated[float, Field(ge=TEMPERATURE.low, le=TEMPERATURE.high)] | None = None
    top_p: Annotated[float, Field(ge=TOP_P.low, le=TOP_P.high)] | None = None
    max_tokens: Annotated[int, Field(ge=MAX_TOKENS.low)] | None = None
    n: Annotated[int, Field(ge=CHOICES.low, le=CHOICES.high)] | None = None
    stop: Annotated[list[str], Field(max_length=MAX_STOP_SEQUENCES)] | None = None
    presence_penalty: Annotated[float, Field(ge=PENALTY.low, le=PENALTY.high)] | None = None
    frequency_penalty: Annotated[float, Field(ge=PENALTY.low, le=PENALTY.high)] | None = None
    logit_bias: dict[str, Annotated[int, Field(ge=LOGIT_BIAS.low, le=LOGIT_BIAS.high)]] | None = None
    user: str | None = None
    tools: list[dict[str, Any]] | None = None

    @field_validator("logit_bias")
    @classmethod
    def _token_ids(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        if value is not None:
            for token_id in value:
                if not token_id.isdigit():
                    raise ValueError(f"token ids must be integers, not {token_id!r}")
        return value

    def to_params(self) -> dict[str, Any]:
        """The request body, leaving out what was not set."""
        params: dict[str, Any] = {
            "model": self.model,
            "messages": [m.model_dump(exclude_none=True) for m in self.messages],
        }
        optional = {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_completion_tokens": self.max_tokens,
            "n": self.n,
            "stop": self.stop,
            "presence_penalty": self.presence_penalty,
            "frequency_penalty": self.frequency_penalty,
            "logit_bias": self.logit_bias,
            "safety_identifier": self.user,
            "tools": self.tools,
        }
        params.update({key: value for key, value in optional.items() if value is not None})
        return params


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: str
    id: str | None = None

    def arguments_json(self) -> Any:
        try:
            return json.loads(self.arguments) if self.arguments else {}
        except json.JSONDecodeError:
            return self.arguments


# The line that ends an answer the model did not finish, by finish reason (None: the stream ended
# without one, e.g. the connection was closed before `[DONE]`).
INCOMPLETE: dict[str | None, str] = {
    None: "_(This answer is incomplete: the connection to the model ended before it was finished.)_",
    "length": "_(This answer is incomplete: it reached the maximum length and was cut short.)_",
    "content_filter": "_(This answer is incomplete: OpenAI's content filter stopped it.)_",
}


@dataclass
class ChatOutcome:
    text: str = ""
    model: str = ""
    choices: list[str] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    @property
    def incomplete_note(self) -> str | None:
        """The line saying the answer is cut, or None for a whole answer (or a finished tool call)."""
        return INCOMPLETE.get(self.finish_reason or None)


OnText = Callable[[str], Awaitable[None]]
DEFAULT_TIMEOUTS = StageTimeouts()


async def stream_chat(
    client: AsyncOpenAI,
    request: ChatRequest,
    on_text: OnText,
    timeouts: StageTimeouts = DEFAULT_TIMEOUTS,
) -> ChatOutcome:
    """Stream one answer, calling `on_text` with each piece of text as it arrives.

    Raises ChatTimeout when a stage runs out of time, and the SDK's errors as they are.
    """
    outcome = ChatOutcome(model=request.model)
    calls: dict[int, dict[str, str]] = {}
    clock = StageClock(timeouts)
    stream = await clock.wait(
        client.chat.completions.create(
            **request.to_params(), stream=True, stream_options={"include_usage": True}
        )
    )
    pieces: list[str] = []
    try:
        async for chunk in clock.each(stream):
            if chunk.model:
                outcome.model = chunk.model
            if chunk.usage is not None:
                outcome.prompt_tokens = chunk.usage.prompt_tokens
                outcome.completion_tokens = chunk.usage.completion_tokens
            for choice in chunk.choices:
                if choice.index != 0:
                    continue
                delta = choice.delta
                if delta.content:
                    clock.token()
                    pieces.append(delta.content)
                    await on_text(delta.content)
                for call in delta.tool_calls or []:
                    clock.token()
                    slot = calls.setdefault(call.index, {"id": "", "name": "", "arguments": ""})
                    if call.id:
                        slot["id"] = call.id
                    if call.function and call.function.name:
                        slot["name"] += call.function.name
                    if call.function and call.function.arguments:
                        slot["arguments"] += call.function.arguments
                if choice.finish_reason:
                    outcome.finish_reason = choice.finish_reason
    finally:
        await stream.close()
    outcome.text = "".join(pieces)
    outcome.choices = [outcome.text]
    outcome.tool_calls = [
        ToolCall(name=slot["name"], arguments=slot["arguments"], id=slot["id"] or None)
        for _, slot in sorted(calls.items())
    ]
    return outcome


async def complete_chat(
    client: AsyncOpenAI,
    request: ChatRequest,
    timeouts: StageTimeouts = DEFAULT_TIMEOUTS,
) -> ChatOutcome:
    """One answer without streaming (used for n > 1, where every choice is shown)."""
    try:
        response = await asyncio.wait_for(
            client.chat.completions.create(**request.to_params()), timeout=timeouts.total
        )
    except TimeoutError:
        raise ChatTimeout("total", timeouts.total) from None
    outcome = ChatOutcome(model=response.model or request.model)
    outcome.choices = [choice.message.content or "" for choice in response.choices]
    outcome.text = outcome.choices[0] if outcome.choices else ""
    if response.choices:
        first = response.choices[0]
        outcome.finish_reason = first.finish_reason
        outcome.tool_calls = [
            ToolCall(name=call.function.name, arguments=call.function.arguments, id=call.id)
            for call in first.message.tool_calls or []
            if getattr(call, "function", None) is not None
        ]
    if response.usage is not None:
        outcome.prompt_tokens = response.usage.prompt_tokens
        outcome.completion_tokens = response.usage.completion_tokens
    return outcome
