"""A person's recent conversations with the bot (for their Home tab): those they wrote in, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from storage.db import Database
from storage.tables import Conversation, ConversationMessage


@dataclass(frozen=True)
class RecentConversation:
    channel_id: str
    thread_ts: str
    first_question: str  # the first thing a person asked in it
    updated_at: datetime


async def recent_conversations(
    db: Database, team_id: str, user_id: str, limit: int = 8
) -> list[RecentConversation]:
    newest = (
        select(Conversation.id, Conversation.channel_id, Conversation.thread_ts, Conversation.updated_at)
        .join(ConversationMessage, ConversationMessage.conversation_id == Conversation.id)
        .where(Conversation.team_id == team_id, ConversationMessage.user_id == user_id)
        .group_by(Conversation.id, Conversation.channel_id, Conversation.thread_ts, Conversation.updated_at)
        .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
        .limit(limit)
    )
    async with db.sessions() as session:
        rows = (await session.execute(newest)).all()
        if not rows:
            return []
        ids = [row.id for row in rows]
        first_seq = (
            select(ConversationMessage.conversation_id, func.min(ConversationMessage.seq).label("seq"))
            .where(ConversationMessage.conversation_id.in_(ids), ConversationMessage.role == "user")
            .group_by(ConversationMessage.conversation_id)
            .subquery()
        )
        firsts = (
            await session.execute(
                select(ConversationMessage.conversation_id, ConversationMessage.content).join(
                    first_seq,
                    (first_seq.c.conversation_id == ConversationMessage.conversation_id)
                    & (first_seq.c.seq == ConversationMessage.seq),
                )
            )
        ).all()
    questions = {row.conversation_id: row.content for row in firsts}
    return [
        RecentConversation(row.channel_id, row.thread_ts, questions.get(row.id, ""), row.updated_at)
        for row in rows
    ]
