"""In-process workers: take recorded jobs as soon as they are recorded, run them, keep their leases.

A route calls `notify()` right after recording a job, so there is no polling delay on the hot
path; polling (every `poll_seconds`) only picks up work from other replicas and jobs whose
process died. On shutdown, `drain()` stops taking work, lets what is in flight finish within the
grace period, and hands the rest back to the queue for the next process.

When the database goes away, the claims, the leases and the jobs started here wait for it (see
storage.db) and carry on when it is back: a job that was answering finishes its answer and records
it then, once. A job whose lease ran out meanwhile is never started twice in this process, and is
stopped here if another process has claimed it since.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from storage import ClaimedJob, JobStore
from storage.db import wait_for_the_database

log = logging.getLogger(__name__)

RunJob = Callable[[ClaimedJob], Awaitable[None]]

CLAIM_GATHER_SECONDS = 0.02


class WorkerPool:
    def __init__(
        self,
        store: JobStore,
        run_job: RunJob,
        *,
        owner: str,
        concurrency: int,
        lease_seconds: float,
        poll_seconds: float,
    ) -> None:
        self._store = store
        self._run_job = run_job
        self.owner = owner
        self._concurrency = concurrency
        self._lease = lease_seconds
        self._poll = poll_seconds
        self._wake = asyncio.Event()
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._stopping = False
        self._loop_task: asyncio.Task[None] | None = None
        self._lease_task: asyncio.Task[None] | None = None

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    def notify(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._loop_task = asyncio.create_task(self._claim_loop(), name="job-claims")
        self._lease_task = asyncio.create_task(self._keep_leases(), name="job-leases")

    async def _claim_loop(self) -> None:
        wait_for_the_database()  # here and in every job started from here
        while not self._stopping:
            self._wake.clear()
            free = self._concurrency - len(self._in_flight)
            claimed: list[ClaimedJob] = []
            if free > 0:
                try:
                    claimed = await self._store.claim(self.owner, free, self._lease)
                except Exception:
                    log.exception("could not claim jobs; retrying shortly")
            for job in claimed:
                if job.id in self._in_flight:
                    # Its lease ran out while it kept running here (the database was away) and this
                    # process claimed it back: it is the same run, not a second one.
                    continue
                self._in_flight[job.id] = asyncio.create_task(self._run(job), name=f"job-{job.id}")
            if claimed and len(claimed) == free:
                continue  # there may be more waiting
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
            # A burst of recordings (or of jobs ending) is taken in one claim, not one claim each:
            # fewer transactions, and the acks still being sent go first.
            await asyncio.sleep(CLAIM_GATHER_SECONDS)

    async def _run(self, job: ClaimedJob) -> None:
        try:
            await self._run_job(job)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("job %s (%s) crashed", job.id, job.kind)
        finally:
            self._in_flight.pop(job.id, None)
            self._wake.set()

    async def _keep_leases(self) -> None:
        wait_for_the_database()
        while True:
            await asyncio.sleep(self._lease / 3)
            try:
                lost = await self._store.renew(self.owner, list(self._in_flight), self._lease)
            except Exception:
                log.exception("could not renew job leases")
                continue
            for job_id in lost:
                task = self._in_flight.get(job_id)
                if task is not None and not task.done():
                    log.warning(
                        "job %s was claimed by another process after its lease ran out; stopping it here",
                        job_id,
                    )
                    task.cancel()

    async def drain(self, grace_seconds: float) -> None:
        """Stop taking jobs; wait for those in flight; hand back what did not finish in time."""
        self._stopping = True
        self._wake.set()
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
        tasks = list(self._in_flight.values())
        if tasks:
            log.info("waiting up to %.0fs for %d job(s) in flight", grace_seconds, len(tasks))
            _, pending = await asyncio.wait(tasks, timeout=grace_seconds)
            unfinished = [job_id for job_id, task in self._in_flight.items() if task in pending]
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=5)
            if unfinished:
                log.warning("handing %d unfinished job(s) back to the queue", len(unfinished))
                try:
                    await self._store.release(self.owner, unfinished)
                except Exception as exc:
                    log.warning(
                        "could not hand %d job(s) back (%s): they are resumed when their lease runs out",
                        len(unfinished),
                        type(exc).__name__,
                    )
        if self._lease_task is not None:
            self._lease_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._lease_task
