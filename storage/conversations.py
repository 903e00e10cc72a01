"""Conversations keyed by (team, channel, thread_ts), each an ordered array of messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.tables import Conversation, ConversationMessage, utcnow


@dataclass(frozen=True)
class StoredMessage:
    role: str
    content: str
    name: str | None = None
    model: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    slack_ts: str | None = None
    attachment_ids: tuple[int, ...] = ()
    created_at: datetime | None = field(default=None, compare=False)
    user_id: str | None = None  # the Slack user who wrote it (a person's message)


@dataclass(frozen=True)
class ThreadKey:
    team_id: str
    channel_id: str
    thread_ts: str


_MESSAGE_COLUMNS = (
    ConversationMessage.role,
    ConversationMessage.content,
    ConversationMessage.name,
    ConversationMessage.model,
    ConversationMessage.prompt_tokens,
    ConversationMessage.completion_tokens,
    ConversationMessage.slack_ts,
    ConversationMessage.attachment_ids,
    ConversationMessage.created_at,
    ConversationMessage.user_id,
)


def _messages(where: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    """A thread's messages in order, as plain columns."""
    return select(*_MESSAGE_COLUMNS).where(where).order_by(ConversationMessage.seq)


def _stored(rows: Any) -> list[StoredMessage]:
    """Messages read as plain rows (columns, not ORM objects: the hot path reads them per answer)."""
    return [
        StoredMessage(
            role=row.role,
            content=row.content,
            name=row.name,
            model=row.model,
            prompt_tokens=row.prompt_tokens,
            completion_tokens=row.completion_tokens,
            slack_ts=row.slack_ts,
            attachment_ids=tuple(row.attachment_ids or ()),
            created_at=row.created_at,
            user_id=row.user_id,
        )
        for row in rows
    ]


def _dialect_insert(session: AsyncSession) -> Any:
    """INSERT … ON CONFLICT for the session's database (SQLite or PostgreSQL)."""
    return sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert


class ConversationStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    @staticmethod
    def _match(key: ThreadKey) -> ColumnElement[bool]:
        return (
            (Conversation.team_id == key.team_id)
            & (Conversation.channel_id == key.channel_id)
            & (Conversation.thread_ts == key.thread_ts)
        )

    async def exists(self, key: ThreadKey) -> bool:
        async with self._db.sessions() as session:
            return bool(await session.scalar(select(exists().where(self._match(key)))))

    async def history(self, key: ThreadKey) -> list[StoredMessage]:
        """The whole thread in order, in one query however long it is."""
        joined = _messages(self._match(key)).join(
            Conversation, Conversation.id == ConversationMessage.conversation_id
        )
        async with self._db.sessions() as session:
            return _stored(await (await session.connection()).execute(joined))

    async def open(self, key: ThreadKey) -> list[StoredMessage]:
        """Make the thread a conversation (so a reply typed while it is answered is answered after
        it) and read its history: one transaction, the history read only when there was one."""
        async with self._db.sessions.begin() as session:
            conversation_id, created = await self._conversation_id_created(session, key)
            if created:
                return []
            statement = _messages(ConversationMessage.conversation_id == conversation_id)
            return _stored(await (await session.connection()).execute(statement))

    async def append(
        self, key: ThreadKey, messages: list[StoredMessage], *, job_id: int | None = None
    ) -> None:
        """Append messages at the end of the thread's conversation, creating it if needed.

        Idempotent per job: a job that already appended (then died before finishing) appends nothing.
        """
        for attempt in range(3):
            try:
                await self._append_once(key, messages, job_id)
                return
            except IntegrityError:
                if attempt == 2:
                    raise

    async def first_trim_notice(self, key: ThreadKey) -> bool:
        """True the first time a conversation's history had to be trimmed (tell the users once)."""
        async with self._db.sessions.begin() as session:
            await self._conversation_id(session, key)
            result = await session.execute(
                update(Conversation)
                .where(self._match(key), Conversation.trim_notice_sent.is_(False))
                .values(trim_notice_sent=True)
            )
            assert isinstance(result, CursorResult)  # an INSERT/UPDATE answers with a cursor result
            return bool(result.rowcount)

    async def ensure(self, key: ThreadKey) -> None:
        """Make the thread a conversation (so follow-ups are answered) even before any message."""
        async with self._db.sessions.begin() as session:
            await self._conversation_id(session, key)

    @staticmethod
    async def _conversation_id(session: AsyncSession, key: ThreadKey) -> int:
        return (await ConversationStore._conversation_id_created(session, key))[0]

    @staticmethod
    async def _conversation_id_created(session: AsyncSession, key: ThreadKey) -> tuple[int, bool]:
        """The conversation's id, made if needed (True then); a twin making it at once is fine."""
        match, connection = ConversationStore._match(key), await session.connection()
        conversation_id = await connection.scalar(select(Conversation.id).where(match))
        if conversation_id is not None:
            return int(conversation_id), False
        now = utcnow()
        made = await connection.scalar(
            _dialect_insert(session)(Conversation)
            .values(
                team_id=key.team_id,
                channel_id=key.channel_id,
                thread_ts=key.thread_ts,
                trim_notice_sent=False,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["team_id", "channel_id", "thread_ts"])
            .returning(Conversation.id)
        )
        if made is not None:
            return int(made), True
        conversation_id = await connection.scalar(select(Conversation.id).where(match))
        if conversation_id is None:  # pragma: no cover - another writer inserted it, so it is there
            raise RuntimeError("the conversation was neither found nor created")
        return int(conversation_id), False

    async def _append_once(self, key: ThreadKey, messages: list[StoredMessage], job_id: int | None) -> None:
        async with self._db.sessions.begin() as session:
            if job_id is not None:
                done = await session.scalar(select(exists().where(ConversationMessage.job_id == job_id)))
                if done:
                    return
            await append_in(session, key, messages, job_id)


async def append_in(
    session: AsyncSession, key: ThreadKey, messages: list[StoredMessage], job_id: int | None
) -> None:
    """Append in the caller's transaction (the job store finishes a job and appends its answer at once)."""
    match = ConversationStore._match(key)
    last_seq = (
        select(func.max(ConversationMessage.seq))
        .where(ConversationMessage.conversation_id == Conversation.id)
        .scalar_subquery()
    )
    # The conversation and its last seq in one round trip; it is nearly always there (`ensure`).
    connection = await session.connection()  # Core: the ORM adds nothing to these statements
    row = (await connection.execute(select(Conversation.id, last_seq).where(match))).first()
    if row is None:
        conversation_id, last = await ConversationStore._conversation_id(session, key), None
    else:
        conversation_id, last = int(row[0]), row[1]
    seq = (last or 0) + 1
    now = utcnow()
    rows = [
        {
            "conversation_id": conversation_id,
            "seq": seq + offset,
            "role": message.role,
            "content": message.content,
            "name": message.name,
            "model": message.model,
            "prompt_tokens": message.prompt_tokens,
            "completion_tokens": message.completion_tokens,
            "slack_ts": message.slack_ts,
            "attachment_ids": list(message.attachment_ids) or None,
            "job_id": job_id,
            "created_at": now,
            "user_id": message.user_id,
        }
        for offset, message in enumerate(messages)
    ]
    if rows:  # Core, one statement: the ORM's unit of work costs more than it gives here
        await connection.execute(insert(ConversationMessage), rows)
    await connection.execute(
        update(Conversation).where(Conversation.id == conversation_id).values(updated_at=now)
    )
