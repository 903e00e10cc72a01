"""The time a streamed answer is allowed, by stage: to its first token, between two tokens, and in
all. Shared by Chat Completions (handlers/ask_chatgpt.py) and the Responses API
(handlers/responses_chat.py), so both end the same way, with the same words, when OpenAI stalls."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable
from dataclasses import dataclass
from typing import Literal, TypeVar

T = TypeVar("T")
Stage = Literal["first_token", "between_tokens", "total"]


@dataclass(frozen=True)
class StageTimeouts:
    """Seconds allowed to the first token, between two tokens, and for the whole answer."""

    first_token: float = 120.0
    between_tokens: float = 60.0
    total: float = 900.0


class ChatTimeout(Exception):
    def __init__(self, stage: Stage, seconds: float) -> None:
        super().__init__(f"no answer within {seconds:g}s ({stage})")
        self.stage = stage
        self.seconds = seconds


class StageClock:
    """Waits for the next piece of one answer: within the first-token limit until `token()` was
    called, then within the between-tokens limit, and never past the total limit (counted from
    the clock's creation). Raises ChatTimeout naming the stage that ran out."""

    def __init__(self, timeouts: StageTimeouts) -> None:
        self.timeouts = timeouts
        self.got_token = False
        self._deadline = time.monotonic() + timeouts.total

    def token(self) -> None:
        self.got_token = True

    async def wait(self, awaitable: Awaitable[T]) -> T:
        t = self.timeouts
        stage: Stage = "between_tokens" if self.got_token else "first_token"
        seconds = limit = t.between_tokens if self.got_token else t.first_token
        left = self._deadline - time.monotonic()
        if seconds > left:
            stage, seconds, limit = "total", max(left, 0.0), t.total
        try:
            return await asyncio.wait_for(awaitable, timeout=seconds)
        except TimeoutError:
            raise ChatTimeout(stage, limit) from None

    async def each(self, items: AsyncIterable[T]) -> AsyncIterator[T]:
        """The pieces of a stream, each awaited within its stage's time."""
        iterator = items.__aiter__()
        while True:
            try:
                item = await self.wait(iterator.__anext__())
            except StopAsyncIteration:
                return
            yield item
