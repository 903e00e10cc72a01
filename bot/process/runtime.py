"""Everything a running bot holds once: settings, storage, clients, metrics, workers."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import httpx2
import openai
from pydantic import SecretStr
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.downloads.slack import SlackDownloader
from bot.openai_models.catalog import ModelCatalog
from bot.openai_models.defaults import context_window
from bot.openai_models.lifecycle import ACTIONS
from bot.process import clients
from bot.process.metrics import Metrics
from bot.process.model_choice import ModelChooser
from bot.process.workers import WorkerPool
from bot.process.workspaces import Workspaces
from bot.rate_limits.budget import Budget
from bot.rate_limits.client import BudgetedWebClient
from bot.rate_limits.shared_ledger import SharedLedger
from bot.slack.people import People
from handlers.ask_chatgpt import StageTimeouts
from storage import AttachmentStore, ClaimedJob, ConversationStore, Database, JobStore, NewJob
from storage.assistants import AssistantStore
from storage.feedback import FeedbackStore
from storage.installations import InstallationStore
from storage.rate_ledger import RateLedgerStore
from storage.secrets import Cipher
from storage.usage import UsageStore
from storage.workspace_settings import WorkspacePolicy, WorkspaceSettingsStore

log = logging.getLogger(__name__)

RunJob = Callable[["Runtime", ClaimedJob], Awaitable[None]]


@dataclass
class Runtime:
    settings: Settings
    db: Database
    jobs: JobStore
    conversations: ConversationStore
    slack: AsyncWebClient  # a BudgetedWebClient, or Bolt's own for a listener's quick call
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
    # Many workspaces (issue 14): the installations, None with one workspace (SLACK_BOT_TOKEN).
    workspaces: Workspaces | None = None
    # Each workspace's own settings, and the usage of every OpenAI call (issue 14).
    workspace_settings: WorkspaceSettingsStore | None = None
    usage: UsageStore | None = None
    # The HTTP client every OpenAI client of the process shares (each workspace's own included).
    openai_http: httpx2.AsyncClient | None = None
    background: set[asyncio.Task[None]] = field(default_factory=set)
    # What `with_policy` made for a workspace, with the policy it was made from (the settings store
    # hands out the same policy object until it reads again): built once, not for every job.
    policy_changes: dict[str, tuple[WorkspacePolicy, dict[str, Any]]] = field(default_factory=dict)

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
        openai_http = clients.openai_http_client(clients.openai_timeout(settings))
        openai_client = clients.openai_client(settings, openai_http)
        catalog = ModelCatalog(openai_client, refresh_seconds=settings.openai_models_refresh_seconds)
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
        downloader = SlackDownloader(token, settings.slack_api_base)
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
            downloader=downloader,
            openai=openai_client,
            models=catalog,
            chooser=ModelChooser(settings, catalog, metrics),
            metrics=metrics,
            workspaces=_workspaces(settings, db, slack, downloader),
            workspace_settings=WorkspaceSettingsStore(db, _cipher(settings)),
            usage=UsageStore(db),
            openai_http=openai_http,
        )

    async def for_workspace(self, team_id: str) -> Runtime | None:
        """This runtime with the workspace's own token (many workspaces), or None when that
        workspace is not installed (any more). With one workspace, the runtime itself."""
        runtime = self
        if self.workspaces is not None:
            found = await self.workspaces.clients(team_id)
            if found is None:
                return None
            runtime = dataclasses.replace(
                self, slack=found.slack, people=found.people, downloader=found.downloader
            )
        return await runtime.with_policy(team_id)

    async def with_policy(self, team_id: str) -> Runtime:
        """This runtime with the workspace's own OpenAI key (or Azure OpenAI endpoint) and default
        models, when it set them."""
        if self.workspace_settings is None:
            return self
        policy = await self.workspace_settings.get(team_id)
        made = self.policy_changes.get(team_id)
        if made is None or made[0] is not policy:
            made = self.policy_changes[team_id] = (policy, self._policy_changes(policy))
        return dataclasses.replace(self, **made[1]) if made[1] else self

    def _policy_changes(self, policy: WorkspacePolicy) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        update: dict[str, Any] = {f"openai_{action}_model": model for action, model in policy.models.items()}
        chosen = frozenset(policy.models)
        if policy.azure is not None:
            # Its own resource: its deployments, its API version, its key as `api-key`.
            update |= {
                "openai_api_type": "azure",
                "azure_openai_endpoint": policy.azure.endpoint,
                "openai_api_version": policy.azure.api_version,
                "azure_openai_api_key": SecretStr(policy.azure.api_key),
            }
            chosen = frozenset(ACTIONS)  # every deployment is the workspace's to name
        if update:
            changes["settings"] = self.settings.model_copy(update=update)
            # Never swapped silently: a shut-down one says which `/openai model` to change.
            changes["chooser"] = ModelChooser(
                changes["settings"], self.models, self.metrics, workspace_set=chosen
            )
        if policy.azure is not None:
            changes["openai"] = clients.openai_client(changes["settings"], self.openai_http)
        elif policy.openai_api_key:
            changes["openai"] = self.openai.with_options(api_key=policy.openai_api_key)
        return changes

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


def _cipher(settings: Settings) -> Cipher | None:
    return Cipher(settings.encryption_key.get_secret_value()) if settings.encryption_key else None


def _workspaces(
    settings: Settings, db: Database, slack: BudgetedWebClient, downloader: SlackDownloader
) -> Workspaces | None:
    if not settings.distributed or settings.slack_client_id is None or settings.encryption_key is None:
        return None
    cipher = Cipher(settings.encryption_key.get_secret_value())
    return Workspaces(InstallationStore(db, cipher, settings.slack_client_id), slack, downloader)
