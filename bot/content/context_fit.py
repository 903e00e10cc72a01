"""Fit a conversation into the model's window: drop the oldest turns, never the system prompt or
the newest user message (pure logic; counting is passed in)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

M = TypeVar("M")


def fit(
    messages: Sequence[M],
    budget: int,
    count: Callable[[M], int],
    at_most: Callable[[M], int] | None = None,
) -> tuple[list[M], int]:
    """Return the messages that fit within `budget` tokens, and how many were left out.

    `messages` is [system?, ...history..., newest]; a leading system message (if `count` sees it
    first) and the last message are always kept. `at_most`, a cheap upper bound of `count`, spares
    the counting (and the vocabulary it needs) for a conversation that fits whatever it counts.
    """
    if len(messages) <= 1:
        return list(messages), 0
    if at_most is not None and sum(at_most(message) for message in messages) <= budget:
        return list(messages), 0
    sizes = [count(message) for message in messages]
    keep_head = 1 if getattr(messages[0], "role", None) == "system" else 0
    total = sum(sizes)
    first = keep_head  # index of the oldest history message still kept
    last = len(messages) - 1
    while total > budget and first < last:
        total -= sizes[first]
        first += 1
    kept = [*messages[:keep_head], *messages[first:]]
    return kept, first - keep_head
