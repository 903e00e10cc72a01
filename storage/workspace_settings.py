"""Each workspace's own settings (many workspaces), changed by its admins."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.db import Database
from storage.secrets import Cipher
from storage.tables import WorkspaceSettings, utcnow


@dataclass(frozen=True)
class AzureEndpoint:
    """A workspace's own Azure OpenAI resource: its deployments are the workspace's models."""

    endpoint: str
    api_version: str
    api_key: str = field(repr=False)


@dataclass(frozen=True)
class WorkspacePolicy:
    """What a workspace's admins set; the defaults are "as the bot's own settings say"."""

    team_id: str
    openai_api_key: str | None = field(default=None, repr=False)
    azure: AzureEndpoint | None = None  # its own Azure OpenAI endpoint, instead of a key
    models: dict[str, str] = field(default_factory=dict)
    disabled_actions: frozenset[str] = frozenset()
    allowed_channels: frozenset[str] | None = None
    daily_tokens_per_user: int | None = None
    daily_tokens_per_workspace: int | None = None

    @property
    def has_own_key(self) -> bool:
        return bool(self.openai_api_key) or self.azure is not None


# What `change` accepts, by field name.
FIELDS = {
    "openai_api_key",
    "azure",
    "models",
    "disabled_actions",
    "allowed_channels",
    "daily_tokens_per_user",
    "daily_tokens_per_workspace",
}


# Every job reads its workspace's settings (twice: its rules, then its key and models): kept this
# long in the process. A change made here applies at once; one made by another replica within this.
CACHE_SECONDS = 2.0


class WorkspaceSettingsStore:
    def __init__(self, db: Database, cipher: Cipher | None) -> None:
        self._db = db
        self._cipher = cipher
        self._cache: dict[str, tuple[float, WorkspacePolicy]] = {}
        self._reading: dict[str, asyncio.Future[WorkspacePolicy]] = {}

    @property
    def can_keep_secrets(self) -> bool:
        return self._cipher is not None

    def seal(self, secret: str) -> str:
        """A secret encrypted for a moment in transit (a job's payload), never stored plain."""
        assert self._cipher is not None
        return self._cipher.encrypt(secret)

    def unseal(self, sealed: str) -> str:
        assert self._cipher is not None
        return self._cipher.decrypt(sealed)

    async def get(self, team_id: str) -> WorkspacePolicy:
        cached = self._cache.get(team_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        # One read per workspace at a time: a burst of jobs starting at once shares it.
        reading = self._reading.get(team_id)
        if reading is None:
            reading = self._reading[team_id] = asyncio.ensure_future(self._read(team_id))
            reading.add_done_callback(lambda done: self._read_done(team_id, done))
        return await asyncio.shield(reading)

    def _read_done(self, team_id: str, done: asyncio.Future[WorkspacePolicy]) -> None:
        if self._reading.get(team_id) is done:
            del self._reading[team_id]
            if not done.cancelled() and done.exception() is None:
                self._cache[team_id] = (time.monotonic() + CACHE_SECONDS, done.result())

    async def _read(self, team_id: str) -> WorkspacePolicy:
        async with self._db.sessions() as session:
            row = await session.get(WorkspaceSettings, team_id)
        if row is None:
            return WorkspacePolicy(team_id)
        key, azure = None, None
        if row.openai_api_key_encrypted and self._cipher is not None:
            key = self._cipher.decrypt(row.openai_api_key_encrypted)
            if key.startswith("{"):  # an Azure endpoint (an OpenAI key never starts with "{")
                azure, key = AzureEndpoint(**json.loads(key)), None
        return WorkspacePolicy(
            team_id=team_id,
            openai_api_key=key,
            azure=azure,
            models=dict(row.models or {}),
            disabled_actions=frozenset(row.disabled_actions or []),
            allowed_channels=frozenset(row.allowed_channels) if row.allowed_channels is not None else None,
            daily_tokens_per_user=row.daily_tokens_per_user,
            daily_tokens_per_workspace=row.daily_tokens_per_workspace,
        )

    async def change(self, team_id: str, user: str, changes: dict[str, Any]) -> WorkspacePolicy:
        """Apply `changes` (FIELDS; `models` entries are merged, a None model removes one; `azure`
        is an AzureEndpoint, or None)."""
        unknown = set(changes) - FIELDS
        if unknown:
            raise ValueError(f"unknown workspace settings: {', '.join(sorted(unknown))}")
        dialect_insert = sqlite_insert if self._db.is_sqlite else pg_insert
        async with self._db.sessions.begin() as session:
            # The row first (two first changes at once both find it), then locked while changed.
            await session.execute(
                dialect_insert(WorkspaceSettings)
                .values(team_id=team_id, models={}, disabled_actions=[], updated_at=utcnow())
                .on_conflict_do_nothing(index_elements=["team_id"])
            )
            row = await session.get(WorkspaceSettings, team_id, with_for_update=True, populate_existing=True)
            assert row is not None
            for name, value in changes.items():
                if name in ("openai_api_key", "azure"):
                    # One secret, encrypted: the workspace's own key, or its Azure endpoint (with its
                    # key); setting one replaces the other, clearing either is back to the bot's.
                    if value and self._cipher is None:
                        raise ValueError("a workspace key needs ENCRYPTION_KEY")
                    secret = (
                        json.dumps(dataclasses.asdict(value)) if isinstance(value, AzureEndpoint) else value
                    )
                    row.openai_api_key_encrypted = (
                        self._cipher.encrypt(secret) if secret and self._cipher else None
                    )
                elif name == "models":
                    merged = dict(row.models or {})
                    for action, model in value.items():
                        if model:
                            merged[action] = model
                        else:
                            merged.pop(action, None)
                    row.models = merged
                elif name in ("disabled_actions", "allowed_channels"):
                    setattr(row, name, sorted(value) if value is not None else None)
                else:
                    setattr(row, name, value)
            row.updated_by, row.updated_at = user, utcnow()
        self._cache.pop(team_id, None)
        self._reading.pop(team_id, None)  # a read begun before this change is not kept
        return await self.get(team_id)
