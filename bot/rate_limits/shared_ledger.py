"""The rate budget's ledger in the database, for replicas that share one PostgreSQL.

Slack calls never wait for the database: when it does not answer within `DATABASE_SECONDS` (or
fails), this process counts on its own (`LocalLedger`, which shadows every call counted in the
database, so it starts from this process's real spending) until it answers again: an outage
slows nothing down; the replicas may then overlap in what they spend, for as long as it lasts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TypeVar

from bot.rate_limits.budget import Key, LocalLedger, Slot, in_optional
from bot.rate_limits.limits import Limit
from storage.db import is_database_error
from storage.rate_ledger import RateLedgerStore, Taken

log = logging.getLogger(__name__)

DATABASE_SECONDS = 1.0
T = TypeVar("T")


class SharedLedger:
    def __init__(self, store: RateLedgerStore) -> None:
        self._store = store
        self._local = LocalLedger()
        self._failing = False
        self.slow = False  # the last failure was a timeout (the database busy), not an error

    async def _shared(self, call: Awaitable[T]) -> T | None:
        try:
            result = await asyncio.wait_for(call, DATABASE_SECONDS)
        except (TimeoutError, Exception) as exc:
            if not isinstance(exc, TimeoutError) and not is_database_error(exc):
                raise
            self.slow = isinstance(exc, TimeoutError)
            if not self._failing:
                log.warning("the shared Slack budget is unreachable; counting in this process meanwhile")
            self._failing = True
            return None
        if self._failing:
            log.info("the shared Slack budget answers again")
        self._failing = False
        return result

    async def take(self, key: Key, limit: Limit) -> float:
        taken = await self._shared(self._take(key, limit, reserve=False))
        if taken is None:
            if self.slow and in_optional():
                return DATABASE_SECONDS  # busy, not down: the other replicas may have spent it
            return await self._local.take(key, limit)
        if taken.wait == 0.0:
            await self._local.take(key, limit)  # the shadow count an outage starts from
        return taken.wait

    async def reserve(self, key: Key, limit: Limit) -> Slot | None:
        taken = await self._shared(self._take(key, limit, reserve=True))
        if taken is None:
            return await self._local.reserve(key, limit)
        if taken.id is None:
            return None
        await self._local.take(key, limit)  # counted in the shadow at once: on the safe side
        return Slot(key, ref=taken.id)

    async def commit(self, slot: Slot) -> None:
        if isinstance(slot.ref, int):
            await self._shared(self._store.commit(slot.ref))
        else:
            await self._local.commit(slot)

    async def release(self, slot: Slot) -> None:
        if isinstance(slot.ref, int):
            await self._shared(self._store.release(slot.ref))
        else:
            await self._local.release(slot)

    async def pause(self, key: Key, seconds: float) -> None:
        await self._local.pause(key, seconds)
        await self._shared(self._store.pause(key.workspace, key.method, key.channel, seconds))

    async def _take(self, key: Key, limit: Limit, *, reserve: bool) -> Taken:
        return await self._store.take(
            key.workspace,
            key.method,
            key.channel,
            limit.calls,
            limit.seconds + limit.margin,  # a bucket is counted as a window: stricter
            reserve=reserve,
        )
