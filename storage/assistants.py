"""Assistants of a workspace: profiles, their reference files' text, and where each is in use."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.tables import Assistant, AssistantFile, AssistantUse, utcnow


class NameTaken(Exception):
    """Another assistant of the workspace has that name."""


@dataclass
class AssistantRecord:
    id: str
    team_id: str
    name: str
    model: str  # "" (or None in old rows): follows the bot's default chat model
    description: str | None = None
    instructions: str | None = None
    tools: list[Any] = field(default_factory=list)
    file_ids: list[str] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    created_at: datetime | None = None
    created_by: str = ""
    updated_at: datetime | None = None
    updated_by: str = ""


FIELDS = ("name", "model", "description", "instructions", "tools", "file_ids", "metadata")


def _record(row: Assistant) -> AssistantRecord:
    return AssistantRecord(
        id=row.id,
        team_id=row.team_id,
        name=row.name,
        model=row.model or "",
        description=row.description,
        instructions=row.instructions,
        tools=list(row.tools or []),
        file_ids=list(row.file_ids or []),
        metadata=dict(row.metadata_ or {}),
        created_at=row.created_at,
        created_by=row.created_by,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


class AssistantStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, team_id: str, user: str, fields: dict[str, Any]) -> AssistantRecord:
        now = utcnow()
        row = Assistant(
            id="asst_" + secrets.token_hex(12),
            team_id=team_id,
            name=fields["name"],
            name_key=fields["name"].casefold(),
            model=fields["model"],
            description=fields.get("description"),
            instructions=fields.get("instructions"),
            tools=fields.get("tools") or [],
            file_ids=fields.get("file_ids") or [],
            metadata_=fields.get("metadata") or {},
            created_at=now,
            created_by=user,
            updated_at=now,
            updated_by=user,
        )
        try:
            async with self._db.sessions.begin() as session:
                session.add(row)
        except IntegrityError:
            raise NameTaken(fields["name"]) from None
        return _record(row)

    async def get(self, team_id: str, name: str) -> AssistantRecord | None:
        async with self._db.sessions() as session:
            row = await session.scalar(
                select(Assistant).where(Assistant.team_id == team_id, Assistant.name_key == name.casefold())
            )
        return _record(row) if row else None

    async def list_all(self, team_id: str) -> list[AssistantRecord]:
        async with self._db.sessions() as session:
            rows = (
                await session.execute(
                    select(Assistant).where(Assistant.team_id == team_id).order_by(Assistant.name_key)
                )
            ).scalars()
            return [_record(row) for row in rows]

    async def everywhere(self) -> list[AssistantRecord]:
        """Every workspace's assistants (for `python -m bot check`), by workspace, then name."""
        async with self._db.sessions() as session:
            rows = (
                await session.execute(select(Assistant).order_by(Assistant.team_id, Assistant.name_key))
            ).scalars()
            return [_record(row) for row in rows]

    async def update(
        self, team_id: str, name: str, user: str, fields: dict[str, Any]
    ) -> AssistantRecord | None:
        try:
            async with self._db.sessions.begin() as session:
                row = await session.scalar(
                    select(Assistant).where(
                        Assistant.team_id == team_id, Assistant.name_key == name.casefold()
                    )
                )
                if row is None:
                    return None
                for key, value in fields.items():
                    if key == "metadata":
                        row.metadata_ = value
                    elif key in FIELDS:
                        setattr(row, key, value)
                    if key == "name":
                        row.name_key = value.casefold()
                row.updated_at, row.updated_by = utcnow(), user
                await session.flush()
                return _record(row)
        except IntegrityError:
            raise NameTaken(fields.get("name", name)) from None

    async def delete(self, team_id: str, name: str) -> bool:
        async with self._db.sessions.begin() as session:
            row = await session.scalar(
                select(Assistant).where(Assistant.team_id == team_id, Assistant.name_key == name.casefold())
            )
            if row is None:
                return False
            await session.execute(delete(AssistantUse).where(AssistantUse.assistant_id == row.id))
            await session.execute(delete(AssistantFile).where(AssistantFile.assistant_id == row.id))
            await session.delete(row)
            return True

    async def use(
        self, team_id: str, channel_id: str, thread_ts: str | None, assistant_id: str | None
    ) -> None:
        """Set (or with None, stop) the assistant of a channel, or of one thread in it."""
        where = (
            AssistantUse.team_id == team_id,
            AssistantUse.channel_id == channel_id,
            AssistantUse.thread_ts == (thread_ts or ""),
        )
        async with self._db.sessions.begin() as session:
            await session.execute(delete(AssistantUse).where(*where))
            if assistant_id is not None:
                session.add(
                    AssistantUse(
                        team_id=team_id,
                        channel_id=channel_id,
                        thread_ts=thread_ts or "",
                        assistant_id=assistant_id,
                    )
                )

    async def in_use(self, team_id: str, channel_id: str, thread_ts: str) -> AssistantRecord | None:
        """The thread's own assistant, else the channel's, in one query."""
        statement = (
            select(Assistant, AssistantUse.thread_ts)
            .join(AssistantUse, AssistantUse.assistant_id == Assistant.id)
            .where(
                AssistantUse.team_id == team_id,
                AssistantUse.channel_id == channel_id,
                AssistantUse.thread_ts.in_((thread_ts, "")),
            )
        )
        async with self._db.sessions() as session:
            rows = (await session.execute(statement)).all()
        if not rows:
            return None
        best = max(rows, key=lambda row: row[1] != "")
        return _record(best[0])

    async def put_file(self, assistant_id: str, file_id: str, name: str, text: str) -> None:
        async with self._db.sessions.begin() as session:
            await session.merge(
                AssistantFile(assistant_id=assistant_id, file_id=file_id, name=name, text=text)
            )

    async def files(self, assistant_id: str) -> list[tuple[str, str, str]]:
        """(file id, name, text) of each reference file."""
        async with self._db.sessions() as session:
            rows = (
                await session.execute(select(AssistantFile).where(AssistantFile.assistant_id == assistant_id))
            ).scalars()
            return [(row.file_id, row.name, row.text) for row in rows]
