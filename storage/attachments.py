"""Shared images, stored once per workspace by content hash; messages refer to them by id. Also the
original bytes of assistants' reference files, found again by their Slack file id (file_search
uploads them as they are)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.db import Database
from storage.tables import Attachment, utcnow


@dataclass(frozen=True)
class StoredAttachment:
    id: int
    name: str
    mime: str
    content: bytes


class AttachmentStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def put(
        self, *, team_id: str, name: str, mime: str, content: bytes, slack_file_id: str | None
    ) -> int:
        """The id of this content in this workspace, storing it the first time it is seen."""
        digest = hashlib.sha256(content).hexdigest()
        dialect_insert = sqlite_insert if self._db.is_sqlite else pg_insert
        statement = (
            dialect_insert(Attachment)
            .values(
                team_id=team_id,
                content_hash=digest,
                slack_file_id=slack_file_id,
                name=name[:255],
                mime=mime,
                content=content,
                created_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["team_id", "content_hash"])
        )
        async with self._db.sessions.begin() as session:
            await session.execute(statement)
            found = await session.scalar(
                select(Attachment.id).where(Attachment.team_id == team_id, Attachment.content_hash == digest)
            )
        if found is None:  # pragma: no cover - the row was just inserted, or already there
            raise RuntimeError("the attachment was not stored")
        return int(found)

    async def keep_original(
        self, *, team_id: str, slack_file_id: str, name: str, mime: str, content: bytes
    ) -> int:
        """Store a Slack file's bytes (once per content) so that `originals` finds them by its id."""
        found = await self.put(
            team_id=team_id, name=name, mime=mime, content=content, slack_file_id=slack_file_id
        )
        async with self._db.sessions.begin() as session:
            await session.execute(
                update(Attachment).where(Attachment.id == found).values(slack_file_id=slack_file_id)
            )
        return found

    async def originals(self, team_id: str, slack_file_ids: list[str]) -> dict[str, StoredAttachment]:
        """The stored bytes of each of these Slack files that has them (the newest, if several)."""
        if not slack_file_ids:
            return {}
        statement = (
            select(Attachment)
            .where(Attachment.team_id == team_id, Attachment.slack_file_id.in_(set(slack_file_ids)))
            .order_by(Attachment.id)
        )
        async with self._db.sessions() as session:
            rows = (await session.execute(statement)).scalars().all()
        return {
            str(row.slack_file_id): StoredAttachment(row.id, row.name, row.mime, row.content) for row in rows
        }

    async def get_many(self, ids: list[int]) -> dict[int, StoredAttachment]:
        """Every attachment asked for, in one query."""
        if not ids:
            return {}
        async with self._db.sessions() as session:
            rows = (
                (await session.execute(select(Attachment).where(Attachment.id.in_(set(ids))))).scalars().all()
            )
        return {row.id: StoredAttachment(row.id, row.name, row.mime, row.content) for row in rows}

    async def count(self) -> int:
        async with self._db.sessions() as session:
            return len((await session.execute(select(Attachment.id))).all())
