"""Everything a running bot holds once: settings, storage, clients, metrics, workers."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import openai

from bot.config import Settings
from bot.downloads.slack import SlackDownloader
from bot.openai_models.catalog import ModelCatalog
from bot.openai_models.defaults import context_window
from bot.process import clients
from bot.process.metrics import Metrics
from bot.process.model_choice import ModelChooser
from bot.process.workers import WorkerPool
from bot.rate_limits.budget import Budget
from bot.rate_limits.client import BudgetedWebClient
from bot.rate_limits.shared_ledger import SharedLedger
from bot.slack.people import People
from handlers.ask_chatgpt import StageTimeouts
from storage import AttachmentStore, ClaimedJob, ConversationStore, Database, JobStore, NewJob
from storage.assistants import AssistantStore
from storage.feedback import FeedbackStore
from storage.rate_ledger import RateLedgerStore

log = logging.getLogger(__name__)

RunJob = Callable[["Runtime", ClaimedJob], Awaitable[None]]


@dataclass
class Runtime:
    settings: Settings
    db: Database
    jobs: JobStore
    conversations: ConversationStore
    slack: BudgetedWebClient
    openai: openai.AsyncOpenAI
    metrics: Metrics
    people: People
    attachments: AttachmentStore
    assistants: AssistantStore
    downloader: SlackDownloader
    models: ModelCatalog
    feedback: FeedbackStore
    chooser: ModelChooser
    owner: str = field(
        default_factory=lambda: f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    )
    workers: WorkerPool | None = None
    background: set[asyncio.Task[None]] = field(default_factory=set)

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        db = Database(settings.database_url)
        metrics = Metrics()
        # Replicas on one PostgreSQL database share each workspace's Slack budget through it.
        ledger = None if db.is_sqlite else SharedLedger(RateLedgerStore(db))
        budget = Budget(
            ledger,
            on_dropped=lambda method: metrics.slack_calls_dropped.labels(method).inc(),
            on_paused=lambda method: metrics.slack_rate_limited.labels(method).inc(),
        )
        slack = clients.slack_client(settings, budget, aiohttp.ClientSession())
        openai_client = clients.openai_client(settings)
        catalog = ModelCatalog(openai_client, refresh_seconds=settings.openai_models_refresh_seconds)
        return cls(
            settings=settings,
            db=db,
            jobs=JobStore(db),
            conversations=ConversationStore(db),
            attachments=AttachmentStore(db),
            assistants=AssistantStore(db),
            feedback=FeedbackStore(db),
            slack=slack,
            people=People(slack),
            downloader=SlackDownloader(settings.slack_bot_token.get_secret_value(), settings.slack_api_base),
            openai=openai_client,
            models=catalog,
            chooser=ModelChooser(settings, catalog, metrics),
            metrics=metrics,
        )

    def context_window(self, model: str) -> int:
        """Tokens `model` reads at once (OPENAI_CONTEXT_TOKENS, when set, for every model)."""
        return context_window(model, self.settings.openai_context_tokens)

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

    def spawn(self, coroutine: Coroutine[Any, Any, None], name: str) -> None:
        """Run something small after the ack (e.g. open a modal while the trigger id is fresh)."""

        async def guarded() -> None:
            try:
                await coroutine
            except Exception:
                log.exception("%s failed", name)

        task = asyncio.create_task(guarded(), name=name)
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def start_workers(self, run_job: RunJob) -> None:
        """Claim and run recorded jobs with `run_job` (the job dispatcher, handed in by `serve`)."""
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
        await self.models.start(wait_seconds=0)

    async def close(self, grace_seconds: float = 0.0) -> None:
        if self.workers is not None:
            await self.workers.drain(grace_seconds)
        await self.models.close()
        if self.slack.session is not None:
            await self.slack.session.close()
        await self.downloader.close()
        await self.openai.close()
        await self.db.close()
