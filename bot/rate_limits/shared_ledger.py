"""The rate budget's ledger in the database, for replicas that share one PostgreSQL."""

from __future__ import annotations

from bot.rate_limits.budget import Key, Slot
from bot.rate_limits.limits import Limit
from storage.rate_ledger import RateLedgerStore, Taken


class SharedLedger:
    def __init__(self, store: RateLedgerStore) -> None:
        self._store = store

    async def take(self, key: Key, limit: Limit) -> float:
        taken = await self._take(key, limit, reserve=False)
        return taken.wait

    async def reserve(self, key: Key, limit: Limit) -> Slot | None:
        taken = await self._take(key, limit, reserve=True)
        return None if taken.id is None else Slot(key, ref=taken.id)

    async def commit(self, slot: Slot) -> None:
        assert isinstance(slot.ref, int)
        await self._store.commit(slot.ref)

    async def release(self, slot: Slot) -> None:
        assert isinstance(slot.ref, int)
        await self._store.release(slot.ref)

    async def pause(self, key: Key, seconds: float) -> None:
        await self._store.pause(key.workspace, key.method, key.channel, seconds)

    async def _take(self, key: Key, limit: Limit, *, reserve: bool) -> Taken:
        return await self._store.take(
            key.workspace,
            key.method,
            key.channel,
            limit.calls,
            limit.seconds + limit.margin,  # a bucket is counted as a window: stricter
            reserve=reserve,
        )
