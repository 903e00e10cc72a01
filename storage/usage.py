"""Usage of every OpenAI call, and the sums `/openai usage`, the daily limits and /metrics read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.tables import UsageRecord, utcnow


@dataclass(frozen=True)
class Usage:
    team_id: str
    user_id: str
    action: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    images: int = 0
    audio_seconds: float = 0.0
    cost_usd: float = 0.0


@dataclass(frozen=True)
class Totals:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    images: int = 0
    audio_seconds: float = 0.0
    cost_usd: float = 0.0
    calls: int = 0

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


_SUMS = (
    func.coalesce(func.sum(UsageRecord.prompt_tokens), 0),
    func.coalesce(func.sum(UsageRecord.completion_tokens), 0),
    func.coalesce(func.sum(UsageRecord.images), 0),
    func.coalesce(func.sum(UsageRecord.audio_seconds), 0.0),
    func.coalesce(func.sum(UsageRecord.cost_usd), 0.0),
    func.count(UsageRecord.id),
)


def _totals(row: tuple[Any, ...]) -> Totals:
    p, c, i, a, cost, n = row
    return Totals(int(p or 0), int(c or 0), int(i or 0), float(a or 0), float(cost or 0), int(n or 0))


async def record_in(session: AsyncSession, usages: Iterable[Usage]) -> None:
    """Record usage in the caller's transaction (a job's is written with its end, in one)."""
    rows = [
        {
            "team_id": usage.team_id,
            "user_id": usage.user_id,
            "action": usage.action,
            "model": usage.model[:128],
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "images": usage.images,
            "audio_seconds": usage.audio_seconds,
            "cost_usd": usage.cost_usd,
            "created_at": utcnow(),
        }
        for usage in usages
    ]
    if rows:
        await (await session.connection()).execute(insert(UsageRecord), rows)


class UsageStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(self, *usages: Usage) -> None:
        async with self._db.sessions.begin() as session:
            await record_in(session, usages)

    async def totals(
        self, team_id: str, since: datetime, user_id: str | None = None, actions: Iterable[str] | None = None
    ) -> Totals:
        query = select(*_SUMS).where(UsageRecord.team_id == team_id, UsageRecord.created_at >= since)
        if user_id is not None:
            query = query.where(UsageRecord.user_id == user_id)
        if actions is not None:
            query = query.where(UsageRecord.action.in_(list(actions)))
        async with self._db.sessions() as session:
            row = (await session.execute(query)).one()
        return _totals(tuple(row))

    async def totals_by(self, team_id: str, since: datetime, column: str) -> dict[str, Totals]:
        """The workspace's totals grouped by "user_id" or "action"."""
        key = UsageRecord.user_id if column == "user_id" else UsageRecord.action
        query = (
            select(key, *_SUMS)
            .where(UsageRecord.team_id == team_id, UsageRecord.created_at >= since)
            .group_by(key)
            .order_by(key)
        )
        async with self._db.sessions() as session:
            rows = (await session.execute(query)).all()
        return {str(row[0]): _totals(tuple(row[1:])) for row in rows}
