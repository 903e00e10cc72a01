"""Votes on answers, kept with the answer in its conversation: who, which, when, and what was wrong."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storage.conversations import ThreadKey
from storage.db import Database
from storage.tables import AnswerFeedback, Conversation, utcnow

Outcome = Literal["recorded", "replaced", "unchanged", "stale", "no_answer"]


@dataclass(frozen=True)
class StoredVote:
    user_id: str
    value: str
    voted_at: float
    comment: str | None


@dataclass(frozen=True)
class VoteResult:
    outcome: Outcome
    previous: str | None = None  # the vote it replaced


class FeedbackStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def _conversation_id(self, key: ThreadKey) -> int | None:
        async with self._db.sessions() as session:
            found = await session.scalar(
                select(Conversation.id).where(
                    (Conversation.team_id == key.team_id)
                    & (Conversation.channel_id == key.channel_id)
                    & (Conversation.thread_ts == key.thread_ts)
                )
            )
        return None if found is None else int(found)

    async def vote(
        self, key: ThreadKey, message_ts: str, user_id: str, value: str, voted_at: float
    ) -> VoteResult:
        """Record `user_id`'s vote on the answer `message_ts`; a later click replaces an earlier
        one, an earlier click arriving late changes nothing ("stale")."""
        conversation_id = await self._conversation_id(key)
        if conversation_id is None:
            return VoteResult("no_answer")
        for attempt in range(3):
            try:
                async with self._db.sessions.begin() as session:
                    row = await session.get(
                        AnswerFeedback, (conversation_id, message_ts, user_id), with_for_update=True
                    )
                    if row is None:
                        session.add(
                            AnswerFeedback(
                                conversation_id=conversation_id,
                                message_ts=message_ts,
                                user_id=user_id,
                                value=value,
                                voted_at=voted_at,
                                updated_at=utcnow(),
                            )
                        )
                        return VoteResult("recorded")
                    if row.voted_at >= voted_at:
                        return VoteResult("stale", row.value)
                    previous = row.value
                    row.value, row.voted_at, row.updated_at = value, voted_at, utcnow()
                    return VoteResult("unchanged" if previous == value else "replaced", previous)
            except IntegrityError:  # two first clicks at once: the other one is there now
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def comment(self, key: ThreadKey, message_ts: str, user_id: str, comment: str) -> bool:
        """Keep what was wrong with the person's vote; False when they have no vote on it."""
        conversation_id = await self._conversation_id(key)
        if conversation_id is None:
            return False
        async with self._db.sessions.begin() as session:
            row = await session.get(AnswerFeedback, (conversation_id, message_ts, user_id))
            if row is None:
                return False
            row.comment, row.updated_at = comment, utcnow()
            return True

    async def votes(self, key: ThreadKey, message_ts: str) -> list[StoredVote]:
        conversation_id = await self._conversation_id(key)
        if conversation_id is None:
            return []
        async with self._db.sessions() as session:
            rows = (
                await session.scalars(
                    select(AnswerFeedback)
                    .where(
                        AnswerFeedback.conversation_id == conversation_id,
                        AnswerFeedback.message_ts == message_ts,
                    )
                    .order_by(AnswerFeedback.user_id)
                )
            ).all()
        return [StoredVote(r.user_id, r.value, r.voted_at, r.comment) for r in rows]
