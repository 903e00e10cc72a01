"""The worker pool when the database went away: in process, with a store that plays the database.

What the end-to-end outage test cannot make happen on purpose: the order in which the claim loop
and the lease renewal get the database back.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.process.workers import WorkerPool
from storage import ClaimedJob


class ScriptedStore:
    """Claims answer from `claims` (one list per call, then nothing); renew reports `lost`."""

    def __init__(self, claims: list[list[ClaimedJob]], lost: list[int] | None = None) -> None:
        self.claims = claims
        self.lost = lost or []
        self.released: list[int] = []
        self.release_error: Exception | None = None

    async def claim(self, owner: str, limit: int, lease_seconds: float) -> list[ClaimedJob]:
        return self.claims.pop(0) if self.claims else []

    async def renew(self, owner: str, ids: list[int], lease_seconds: float) -> list[int]:
        return [job_id for job_id in self.lost if job_id in ids]

    async def release(self, owner: str, ids: list[int]) -> None:
        if self.release_error is not None:
            raise self.release_error
        self.released.extend(ids)


def job(job_id: int, attempts: int = 1) -> ClaimedJob:
    return ClaimedJob(job_id, "chat.reply", {}, attempts)


def pool(store: ScriptedStore, run: Any, lease: float = 0.3) -> WorkerPool:
    return WorkerPool(
        store,  # type: ignore[arg-type]
        run,
        owner="here",
        concurrency=4,
        lease_seconds=lease,
        poll_seconds=0.05,
    )


async def test_a_job_claimed_back_while_it_still_runs_here_is_not_started_twice() -> None:
    # Its lease ran out while the database was away; the claim loop got the database back first
    # and claimed it again (attempts 2), while the first run was still going.
    store = ScriptedStore([[job(1)], [job(1, attempts=2)]])
    started: list[int] = []
    release = asyncio.Event()

    async def run(claimed: ClaimedJob) -> None:
        started.append(claimed.attempts)
        await release.wait()

    workers = pool(store, run, lease=60)
    workers.start()
    await asyncio.sleep(0.3)  # several claim rounds
    assert started == [1] and workers.in_flight == 1
    release.set()
    await workers.drain(1)
    assert started == [1]


async def test_a_job_another_process_claimed_meanwhile_is_stopped_here() -> None:
    store = ScriptedStore([[job(7)]], lost=[7])
    outcome: list[str] = []

    async def run(claimed: ClaimedJob) -> None:
        try:
            await asyncio.sleep(30)
            outcome.append("finished")
        except asyncio.CancelledError:
            outcome.append("stopped")
            raise

    workers = pool(store, run, lease=0.3)  # renewed every 0.1 s
    workers.start()
    for _ in range(50):
        if outcome:
            break
        await asyncio.sleep(0.05)
    assert outcome == ["stopped"] and workers.in_flight == 0
    await workers.drain(1)


async def test_shutting_down_while_the_database_is_away_still_ends() -> None:
    store = ScriptedStore([[job(3)]])
    store.release_error = OSError("connection refused")

    async def run(claimed: ClaimedJob) -> None:
        await asyncio.sleep(30)

    workers = pool(store, run, lease=60)
    workers.start()
    await asyncio.sleep(0.1)
    await workers.drain(0.1)  # the job is cut short; handing it back fails, and drain still returns
    assert store.released == []
