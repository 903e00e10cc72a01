"""Everything a running bot holds once: settings, storage, clients, metrics, workers."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass, field

import openai
from slack_sdk.web.async_client import AsyncWebClient

from bot import clients
from bot.config import Settings
from bot.metrics import Metrics
from bot.workers import WorkerPool
from handlers.ask_chatgpt import StageTimeouts
from storage import ConversationStore, Database, JobStore, NewJob

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    jobs: JobStore
    conversations: ConversationStore
    slack: AsyncWebClient
    openai: openai.AsyncOpenAI
    metrics: Metrics
    owner: str = field(
        default_factory=lambda: f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    )
    workers: WorkerPool | None = None

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        db = Database(settings.database_url)
        return cls(
            settings=settings,
            db=db,
            jobs=JobStore(db),
            conversations=ConversationStore(db),
            slack=clients.slack_client(settings),
            openai=clients.openai_client(settings),
            metrics=Metrics(),
        )

    @property
    def timeouts(self) -> StageTimeouts:
        s = self.settings
        return StageTimeouts(
            s.openai_first_token_timeout, s.openai_between_tokens_timeout, s.openai_total_timeout
        )

    async def record(self, job: NewJob, trigger: str) -> bool:
        """Record a job before the ack; wake a worker. False for a duplicate (acked and dropped)."""
        recorded = await self.jobs.enqueue(job)
        self.metrics.requests.labels(trigger, "recorded" if recorded else "duplicate").inc()
        if recorded and self.workers is not None:
            self.workers.notify()
        elif not recorded:
            log.info("duplicate %s dropped (%s)", trigger, job.dedup_key)
        return recorded

    async def start_workers(self) -> None:
        from bot.jobs import run_job  # the job runners need the runtime; imported late to avoid a cycle

        s = self.settings
        if self.db.is_sqlite:
            # One process owns a SQLite file: jobs it left running when it died resume now.
            await self.jobs.expire_leases()
        self.workers = WorkerPool(
            self.jobs,
            lambda job: run_job(self, job),
            owner=self.owner,
            concurrency=s.worker_concurrency,
            lease_seconds=s.job_lease_seconds,
            poll_seconds=s.job_poll_seconds,
        )
        self.workers.start()

    async def close(self, grace_seconds: float = 0.0) -> None:
        if self.workers is not None:
            await self.workers.drain(grace_seconds)
        await self.openai.close()
        await self.db.close()
