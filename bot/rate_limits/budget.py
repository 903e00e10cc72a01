"""Slack's rate budget, per workspace and method: calls are counted before they are made.

Every Web API call the workers make passes through `Budget.before_call` (see `budgeted_client`),
which waits, if it must, until the call fits its method's limit (`slack_limits.LIMITS`), so Slack
never has to answer 429. Three ways in:

* `before_call`: a call that must be made waits its turn (a message, an upload);
* `try_reserve`: a slot held now for a call made later (a stream's stop), or refused at once, so
  the caller can choose another way (a stream becomes an edited message or one post);
* `optional()`: calls made inside it are dropped (`OverBudget`, suppressed) rather than wait
  (status lines, titles, names);
* `within(seconds)`: calls made inside it wait at most that long, else `OverBudget` is raised for
  the caller to explain (a modal opened with a trigger id, which Slack honours for 3 seconds).

A 429 that comes anyway pauses the method for the workspace for its Retry-After, for every job.
The counts live in a `Ledger`: this process's memory, or the database when replicas share one.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from bot.rate_limits.limits import LIMITS, Limit

log = logging.getLogger(__name__)

# The longest a required call waits between looks at the ledger.
MAX_WAIT_SECONDS = 2.0


@dataclass(frozen=True)
class Key:
    workspace: str
    method: str
    channel: str = ""


@dataclass(eq=False)
class Slot:
    """One call's place in a window, held from reservation until the call is made (or released)."""

    key: Key
    ref: object = None  # the ledger's own handle
    done: bool = False


class Ledger(Protocol):
    async def take(self, key: Key, limit: Limit) -> float:
        """Count a call made now: 0.0 if it fits, else the seconds until one might."""

    async def reserve(self, key: Key, limit: Limit) -> Slot | None:
        """Hold a place for a call made later, or None if the window is full."""

    async def commit(self, slot: Slot) -> None:
        """The held call is being made now."""

    async def release(self, slot: Slot) -> None:
        """The held call will not be made."""

    async def pause(self, key: Key, seconds: float) -> None:
        """Slack said 429: nothing more for this key until `seconds` have passed."""


class OverBudget(Exception):
    """An optional call that does not fit now; dropped by `optional()`."""


_prepaid: contextvars.ContextVar[tuple[Slot, ...]] = contextvars.ContextVar("prepaid", default=())
_optional: contextvars.ContextVar[bool] = contextvars.ContextVar("optional", default=False)
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)


def in_optional() -> bool:
    """Whether the call being counted may be dropped (made inside `optional()`)."""
    return _optional.get()


@contextlib.contextmanager
def optional() -> Iterator[None]:
    """Calls inside are made only if they fit now; one that does not is skipped, silently."""
    token = _optional.set(True)
    try:
        yield
    except OverBudget as exc:
        log.debug("%s", exc)
    finally:
        _optional.reset(token)


@contextlib.contextmanager
def within(seconds: float) -> Iterator[None]:
    """Calls inside wait for their turn (or a 429's pause) only while it ends within `seconds`;
    one that would wait longer raises OverBudget."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def fits_deadline(wait: float) -> bool:
    """Whether waiting `wait` seconds more is allowed (always, outside `within`)."""
    deadline = _deadline.get()
    return deadline is None or time.monotonic() + wait <= deadline


@contextlib.contextmanager
def prepaid(*slots: Slot | None) -> Iterator[None]:
    """Calls inside use these reserved slots (by method) instead of counting again."""
    token = _prepaid.set((*_prepaid.get(), *(slot for slot in slots if slot is not None)))
    try:
        yield
    finally:
        _prepaid.reset(token)


class Budget:
    def __init__(
        self,
        ledger: Ledger | None = None,
        limits: dict[str, Limit] | None = None,
        on_dropped: Callable[[str], None] | None = None,
        on_paused: Callable[[str], None] | None = None,
    ) -> None:
        self.ledger: Ledger = ledger or LocalLedger()
        self.limits = LIMITS if limits is None else limits
        self._on_dropped = on_dropped
        self._on_paused = on_paused

    def key(self, workspace: str, method: str, channel: str = "") -> Key:
        limit = self.limits.get(method)
        return Key(workspace, method, channel if limit is not None and limit.per_channel else "")

    async def before_call(self, workspace: str, method: str, channel: str = "") -> None:
        """Wait until this call fits (or use its reserved slot); OverBudget inside `optional()`."""
        limit = self.limits.get(method)
        if limit is None:
            return
        for slot in _prepaid.get():
            if slot.key.method == method and not slot.done:
                slot.done = True
                await self.ledger.commit(slot)
                return
        key = self.key(workspace, method, channel)
        while (wait := await self.ledger.take(key, limit)) > 0:
            if _optional.get():
                if self._on_dropped is not None:
                    self._on_dropped(method)
                raise OverBudget(f"{method} skipped: over Slack's limit of {limit}")
            if not fits_deadline(wait):
                raise OverBudget(f"{method} would wait {wait:.1f} s for Slack's limit of {limit}")
            await asyncio.sleep(min(wait, MAX_WAIT_SECONDS))

    async def try_reserve(self, workspace: str, method: str, channel: str = "") -> Slot | None:
        limit = self.limits.get(method)
        if limit is None:
            return Slot(Key(workspace, method), done=True)
        return await self.ledger.reserve(self.key(workspace, method, channel), limit)

    async def release(self, *slots: Slot | None) -> None:
        for slot in slots:
            if slot is not None and not slot.done:
                slot.done = True
                await self.ledger.release(slot)

    async def paused_by_slack(self, workspace: str, method: str, channel: str, seconds: float) -> None:
        log.warning("Slack rate-limited %s; pausing it for %.0f s", method, seconds)
        if self._on_paused is not None:
            self._on_paused(method)
        await self.ledger.pause(self.key(workspace, method, channel), seconds)


@dataclass
class _Window:
    calls: deque[float] = field(default_factory=deque)  # when each counted call was made
    held: int = 0  # reserved, not yet made
    paused_until: float = 0.0
    tokens: float | None = None  # a bucket's (Limit.bucket): full at first
    updated: float = 0.0


class LocalLedger:
    """The budget of one process (SQLite: one process owns the database). A sliding window of the
    calls made per key, or for a `bucket` limit a token bucket refilled a little slower than
    Slack's own (`Limit.margin`)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[Key, _Window] = {}

    def _window(self, key: Key, limit: Limit, now: float) -> _Window:
        window = self._windows.setdefault(key, _Window())
        if limit.bucket:
            rate = limit.calls / (limit.seconds + limit.margin)
            filled = limit.calls if window.tokens is None else window.tokens + (now - window.updated) * rate
            window.tokens, window.updated = min(float(limit.calls), filled), now
            return window
        horizon = now - limit.seconds - limit.margin
        while window.calls and window.calls[0] <= horizon:
            window.calls.popleft()
        return window

    def _wait(self, window: _Window, limit: Limit, now: float) -> float:
        if window.paused_until > now:
            return window.paused_until - now
        if window.tokens is not None:
            free = window.tokens - window.held
            if free >= 1.0 - 1e-9:
                return 0.0
            return max(0.01, (1.0 - free) * (limit.seconds + limit.margin) / limit.calls)
        if len(window.calls) + window.held < limit.calls:
            return 0.0
        if window.calls:
            return max(0.01, window.calls[0] + limit.seconds + limit.margin - now)
        return 0.25  # all held by reservations: look again soon

    def _count(self, window: _Window, now: float) -> None:
        if window.tokens is not None:
            window.tokens -= 1.0
        else:
            window.calls.append(now)

    async def take(self, key: Key, limit: Limit) -> float:
        now = self._clock()
        window = self._window(key, limit, now)
        wait = self._wait(window, limit, now)
        if wait == 0.0:
            self._count(window, now)
        return wait

    async def reserve(self, key: Key, limit: Limit) -> Slot | None:
        now = self._clock()
        window = self._window(key, limit, now)
        if self._wait(window, limit, now) > 0:
            return None
        window.held += 1
        return Slot(key, ref=limit)

    async def commit(self, slot: Slot) -> None:
        now = self._clock()
        assert isinstance(slot.ref, Limit)
        window = self._window(slot.key, slot.ref, now)
        window.held -= 1
        self._count(window, now)

    async def release(self, slot: Slot) -> None:
        self._windows[slot.key].held -= 1

    async def pause(self, key: Key, seconds: float) -> None:
        window = self._windows.setdefault(key, _Window())
        window.paused_until = max(window.paused_until, self._clock() + seconds)
