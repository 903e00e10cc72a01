"""The job queue: recorded before the ack, claimed by workers, safe across replicas.

Claiming takes rows that are queued, or running with an expired lease (their process died), and
never two jobs of one serial key (one Slack thread) at once. On PostgreSQL the candidate rows are
locked with FOR UPDATE SKIP LOCKED, so replicas never claim the same job; SQLite has one writer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlalchemy.orm.util import AliasedClass

from storage.conversations import StoredMessage, ThreadKey, append_in
from storage.db import Database, unreachable
from storage.tables import Job, utcnow
from storage.usage import Usage, record_in

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
FINISH_ATTEMPTS = 5


@dataclass(frozen=True)
class NewJob:
    kind: str
    dedup_key: str
    payload: dict[str, Any]
    serial_key: str | None = None


@dataclass(frozen=True)
class Append:
    """Messages a job adds to a thread's conversation, in the same transaction as its own write."""

    key: ThreadKey
    messages: list[StoredMessage]


@dataclass
class ClaimedJob:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    progress: dict[str, Any] = field(default_factory=dict)
    # Set by a runner whose answer joins a conversation: appended when the job is marked done, in
    # that one transaction, so the history and the job's status never disagree.
    conversation: Append | None = None
    # What its OpenAI calls used (issue 14): written with the job's end, in the same transaction.
    usage: list[Usage] = field(default_factory=list)

    @property
    def resumed(self) -> bool:
        """True when an earlier attempt was cut short (the process died or was drained)."""
        return self.attempts > 1


class JobStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def enqueue(self, job: NewJob) -> bool:
        """Record a job; False when its dedup key is already recorded (a retry or a twin event)."""
        values = {
            "kind": job.kind,
            "dedup_key": job.dedup_key,
            "serial_key": job.serial_key,
            "payload": job.payload,
            "status": QUEUED,
            "attempts": 0,
            "progress": {},
            "created_at": utcnow(),
        }
        dialect_insert = sqlite_insert if self._db.is_sqlite else pg_insert
        statement = dialect_insert(Job).values(**values).on_conflict_do_nothing(index_elements=["dedup_key"])
        async with self._db.sessions.begin() as session:
            result = await (await session.connection()).execute(statement)
            return bool(result.rowcount)

    async def claim(self, owner: str, limit: int, lease_seconds: float) -> list[ClaimedJob]:
        if limit <= 0:
            return []
        now = time.time()
        job, other = aliased(Job), aliased(Job)

        def claimable(table: type[Job] | AliasedClass[Job]) -> ColumnElement[bool]:
            return or_(table.status == QUEUED, and_(table.status == RUNNING, table.lease_until < now))

        busy_thread = exists().where(
            other.serial_key == job.serial_key,
            other.id != job.id,
            or_(
                and_(other.status == RUNNING, other.lease_until >= now),
                and_(other.status.in_((QUEUED, RUNNING)), other.id < job.id),
            ),
        )
        candidates = (
            select(job.id)
            .where(claimable(job), ~busy_thread)
            .order_by(job.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=job)
        )
        claim = (
            update(Job)
            .values(status=RUNNING, owner=owner, lease_until=now + lease_seconds, attempts=Job.attempts + 1)
            .returning(Job.id, Job.kind, Job.payload, Job.attempts, Job.progress)
            .execution_options(synchronize_session=False)
        )
        async with self._db.sessions.begin() as session:
            connection = await session.connection()  # Core: the ORM adds nothing to these statements
            if self._db.is_sqlite:
                # One statement, so the choice and the claim happen under SQLite's single write lock.
                statement = claim.where(Job.id.in_(candidates.scalar_subquery()), claimable(Job))
            else:
                # Lock the chosen rows first (concurrent claimers skip them), then claim exactly those:
                # PostgreSQL may re-run a LIMIT subquery inside an UPDATE and claim more than asked.
                ids = list((await connection.execute(candidates)).scalars())
                if not ids:
                    return []
                statement = claim.where(Job.id.in_(ids))
            rows = (await connection.execute(statement)).all()
        claimed = [
            ClaimedJob(row.id, row.kind, row.payload, row.attempts, row.progress or {}) for row in rows
        ]
        return sorted(claimed, key=lambda job: job.id)

    async def renew(self, owner: str, ids: list[int], lease_seconds: float) -> list[int]:
        """Extend this owner's leases. Returns the ids another owner runs now: their lease ran out
        (say, while the database was away) and another process claimed them."""
        if not ids:
            return []
        async with self._db.sessions.begin() as session:
            await session.execute(
                update(Job)
                .where(Job.id.in_(ids), Job.owner == owner, Job.status == RUNNING)
                .values(lease_until=time.time() + lease_seconds)
            )
            lost = await session.execute(
                select(Job.id).where(Job.id.in_(ids), Job.owner != owner, Job.status == RUNNING)
            )
            return list(lost.scalars())

    async def save_progress(
        self, job_id: int, progress: dict[str, Any], append: Append | None = None
    ) -> None:
        """Record how far a job got (and, with `append`, the conversation messages that step adds)."""
        async with self._db.sessions.begin() as session:
            connection = await session.connection()
            await connection.execute(update(Job).where(Job.id == job_id).values(progress=progress))
            if append is not None:
                await append_in(session, append.key, append.messages, job_id)

    async def finish(
        self,
        job_id: int,
        *,
        failed: bool = False,
        error: str | None = None,
        append: Append | None = None,
        usage: list[Usage] | None = None,
    ) -> None:
        """Record a job's outcome and, with `append`, add its answer to the conversation (and its
        usage): one transaction, so a job is never done without its answer saved, nor its answer
        saved twice.
        Tried again when the connection is cut under it (or two appends race for a seq): a finished
        job left running would run a second time."""
        for attempt in range(1, FINISH_ATTEMPTS + 1):
            try:
                async with self._db.sessions.begin() as session:
                    result = await (await session.connection()).execute(
                        update(Job)
                        .where(Job.id == job_id, Job.status.in_((QUEUED, RUNNING)))
                        .values(
                            status=FAILED if failed else DONE,
                            error=error,
                            lease_until=None,
                            finished_at=utcnow(),
                        )
                    )
                    # The row is locked until commit: a twin finishing the same job waits, then finds
                    # it done and appends nothing.
                    if result.rowcount and append is not None:
                        await append_in(session, append.key, append.messages, job_id)
                    if usage:  # the calls were made, whoever finished the job
                        await record_in(session, usage)
                return
            except Exception as exc:
                if attempt == FINISH_ATTEMPTS or not (unreachable(exc) or isinstance(exc, IntegrityError)):
                    raise
                log.warning(
                    "could not record the end of job %s (%s); trying again", job_id, type(exc).__name__
                )
                await asyncio.sleep(0.1 * attempt)

    async def release(self, owner: str, ids: list[int]) -> None:
        """Hand unfinished jobs back (on shutdown) so a restart or another replica resumes them."""
        if not ids:
            return
        async with self._db.sessions.begin() as session:
            await session.execute(
                update(Job)
                .where(Job.id.in_(ids), Job.owner == owner, Job.status == RUNNING)
                .values(status=QUEUED, owner=None, lease_until=None)
            )

    async def expire_leases(self) -> None:
        """Make every running job claimable now (a single-process database after a crash)."""
        async with self._db.sessions.begin() as session:
            await session.execute(update(Job).where(Job.status == RUNNING).values(lease_until=0.0))

    async def counts(self) -> dict[str, int]:
        async with self._db.sessions() as session:
            rows = (await session.execute(select(Job.status, func.count()).group_by(Job.status))).all()
        return {status: count for status, count in rows}

    async def get(self, job_id: int) -> dict[str, Any] | None:
        async with self._db.sessions() as session:
            job = await session.get(Job, job_id)
            if job is None:
                return None
            return {c.name: getattr(job, c.name) for c in Job.__table__.columns}


__all__ = ["DONE", "FAILED", "QUEUED", "RUNNING", "Append", "ClaimedJob", "JobStore", "NewJob"]
