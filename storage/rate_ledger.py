"""Slack's rate budget kept in PostgreSQL, so replicas spend one budget per workspace, not one each.

Each counted call is a row (`slack_rate_calls`), stamped with the database's clock so replicas
agree on time. A take or a reservation is one short transaction: an advisory lock on the key
(workspace, method, channel), then one statement that counts the window and inserts the row if
it fits. Reserved rows (`at` NULL) count until they are made or released; one left by a process
that died stops counting after `HOLD_SECONDS`. Old rows are swept now and then.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from storage.db import Database, without_waiting
from storage.tables import SlackRateCall, SlackRatePause

HOLD_SECONDS = 600.0
SWEEP_EVERY = 200  # takes between two sweeps of rows no window still needs

_COUNT_AND_TAKE = text(
    """
    WITH now AS (SELECT extract(epoch FROM clock_timestamp())::float8 AS t),
    used AS (
        SELECT count(*) AS n, min(c.at) AS oldest
        FROM slack_rate_calls c, now
        WHERE c.workspace = :workspace AND c.method = :method AND c.channel = :channel
          AND (c.at > now.t - :horizon OR (c.at IS NULL AND c.held_at > now.t - :hold))
    ),
    pause AS (
        SELECT coalesce(max(p.until), 0) AS until
        FROM slack_rate_pauses p
        WHERE p.workspace = :workspace AND p.method = :method AND p.channel = :channel
    ),
    taken AS (
        INSERT INTO slack_rate_calls (workspace, method, channel, at, held_at)
        SELECT :workspace, :method, :channel, CASE WHEN :reserve THEN NULL ELSE now.t END, now.t
        FROM now, used, pause
        WHERE used.n < :calls AND pause.until <= now.t
        RETURNING id
    )
    SELECT (SELECT id FROM taken) AS id, now.t AS now, used.oldest AS oldest, pause.until AS until
    FROM now, used, pause
    """
)


@dataclass(frozen=True)
class Taken:
    """The row counted (None if the window was full) and, if not, the seconds until one may fit."""

    id: int | None
    wait: float


class RateLedgerStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._takes = 0

    async def take(
        self, workspace: str, method: str, channel: str, calls: int, horizon: float, *, reserve: bool
    ) -> Taken:
        """Count a call made now (or reserve one, `reserve`) if fewer than `calls` were counted in
        the last `horizon` seconds and the method is not paused."""
        params = {
            "workspace": workspace,
            "method": method,
            "channel": channel,
            "calls": calls,
            "horizon": horizon,
            "hold": HOLD_SECONDS,
            "reserve": reserve,
        }
        with without_waiting():
            row = await self._count_and_take(workspace, method, channel, params)
        self._takes += 1
        if self._takes % SWEEP_EVERY == 0:
            with without_waiting():
                await self._sweep(float(row.now))
        if row.id is not None:
            return Taken(int(row.id), 0.0)
        now, until = float(row.now), float(row.until)
        if until > now:
            return Taken(None, until - now)
        if row.oldest is not None:
            return Taken(None, max(0.01, float(row.oldest) + horizon - now))
        return Taken(None, 0.25)  # every place is reserved: look again soon

    async def _count_and_take(self, workspace: str, method: str, channel: str, params: dict[str, Any]) -> Any:
        async with self._db.sessions() as session, session.begin():
            lock = func.pg_advisory_xact_lock(func.hashtext(f"{workspace}|{method}|{channel}"))
            await session.execute(select(lock))
            return (await session.execute(_COUNT_AND_TAKE, params)).one()

    async def commit(self, call_id: int) -> None:
        now = func.extract("epoch", func.clock_timestamp())
        with without_waiting():
            async with self._db.sessions() as session, session.begin():
                await session.execute(update(SlackRateCall).where(SlackRateCall.id == call_id).values(at=now))

    async def release(self, call_id: int) -> None:
        with without_waiting():
            async with self._db.sessions() as session, session.begin():
                await session.execute(delete(SlackRateCall).where(SlackRateCall.id == call_id))

    async def pause(self, workspace: str, method: str, channel: str, seconds: float) -> None:
        until = func.extract("epoch", func.clock_timestamp()) + seconds
        statement = pg_insert(SlackRatePause).values(
            workspace=workspace, method=method, channel=channel, until=until
        )
        statement = statement.on_conflict_do_update(
            index_elements=["workspace", "method", "channel"],
            set_={"until": func.greatest(SlackRatePause.until, statement.excluded.until)},
        )
        with without_waiting():
            async with self._db.sessions() as session, session.begin():
                await session.execute(statement)

    async def _sweep(self, now: float) -> None:
        async with self._db.sessions() as session, session.begin():
            await session.execute(
                delete(SlackRateCall).where(
                    (SlackRateCall.at < now - 3600)
                    | (SlackRateCall.at.is_(None) & (SlackRateCall.held_at < now - HOLD_SECONDS))
                )
            )
            await session.execute(delete(SlackRatePause).where(SlackRatePause.until < now))
