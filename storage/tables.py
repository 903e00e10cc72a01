"""SQLAlchemy 2 models. Times used for claiming (leases) are epoch seconds, portable across dialects."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.expression import false

BigId = BigInteger().with_variant(Integer, "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Job(Base):
    """A recorded trigger. Written before Slack is acked; `dedup_key` collapses retries and twins."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dedup_key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    # Jobs sharing a serial key (one Slack thread) run one at a time, in order.
    serial_key: Mapped[str | None] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[float | None] = mapped_column(Double)
    progress: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_jobs_status_id", "status", "id"),
        Index("ix_jobs_serial_key_status", "serial_key", "status"),
    )


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str] = mapped_column(String(32))
    trim_notice_sent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("team_id", "channel_id", "thread_ts", name="uq_conversation_thread"),)


class ConversationMessage(Base):
    __tablename__ = "conversation_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(128))
    prompt_tokens: Mapped[int | None] = mapped_column(Integer)
    completion_tokens: Mapped[int | None] = mapped_column(Integer)
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    job_id: Mapped[int | None] = mapped_column(BigId)
    attachment_ids: Mapped[list[int] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # issue 15: who wrote a person's message (their Home tab lists their recent conversations)
    user_id: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        UniqueConstraint("conversation_id", "seq", name="uq_conversation_message_seq"),
        Index("ix_conversation_messages_user_id", "user_id"),
        Index("ix_conversation_messages_job_id", "job_id"),
    )


class Attachment(Base):
    """An image shared in a conversation, stored once however often the thread refers to it."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(64))
    slack_file_id: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("team_id", "content_hash", name="uq_attachment_content"),)


class Assistant(Base):
    """A workspace's own assistant profile, run through Chat Completions."""

    __tablename__ = "assistants"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(256))
    name_key: Mapped[str] = mapped_column(String(256))  # the name, case-folded: unique per workspace
    description: Mapped[str | None] = mapped_column(String(512))
    model: Mapped[str] = mapped_column(String(128))
    instructions: Mapped[str | None] = mapped_column(Text)
    tools: Mapped[list[Any]] = mapped_column(JSON, default=list)
    file_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    metadata_: Mapped[dict[str, str]] = mapped_column("metadata", JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(32))

    __table_args__ = (UniqueConstraint("team_id", "name_key", name="uq_assistant_name"),)


class AssistantFile(Base):
    """A reference file's text, extracted once."""

    __tablename__ = "assistant_files"

    assistant_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("assistants.id", ondelete="CASCADE"), primary_key=True
    )
    file_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)


class AssistantUse(Base):
    """Which assistant answers in a channel (thread_ts "") or in one thread."""

    __tablename__ = "assistant_uses"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    thread_ts: Mapped[str] = mapped_column(String(32), primary_key=True)
    assistant_id: Mapped[str] = mapped_column(String(40), ForeignKey("assistants.id", ondelete="CASCADE"))


class SlackRateCall(Base):
    """One Slack Web API call counted against its workspace's limit (replicas on PostgreSQL).
    `at` is when it was made (epoch seconds, the database's clock); NULL while only reserved."""

    __tablename__ = "slack_rate_calls"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32), default="")
    at: Mapped[float | None] = mapped_column(Double)
    held_at: Mapped[float] = mapped_column(Double)

    __table_args__ = (Index("ix_slack_rate_calls_key", "workspace", "method", "channel", "at"),)


class SlackRatePause(Base):
    """A method Slack answered 429 for: no calls for the workspace until `until` (epoch seconds)."""

    __tablename__ = "slack_rate_pauses"

    workspace: Mapped[str] = mapped_column(String(64), primary_key=True)
    method: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    until: Mapped[float] = mapped_column(Double)


# --- answer feedback (issue 15) -----------------------------------------------------------------
class AnswerFeedback(Base):
    """One person's vote on one answer of a conversation (the answer's Slack ts): a second click
    replaces the first. `voted_at` is Slack's action time, epoch seconds: the later click wins."""

    __tablename__ = "answer_feedback"

    conversation_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    message_ts: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(16))
    voted_at: Mapped[float] = mapped_column(Double)
    comment: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# --- end answer feedback ------------------------------------------------------------------------


# --- many workspaces (OAuth distribution, issue 14) -------------------------------------------


class SlackInstallation(Base):
    """One workspace's bot installation. The tokens are stored encrypted (Fernet, ENCRYPTION_KEY)."""

    __tablename__ = "slack_installations"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    team_name: Mapped[str | None] = mapped_column(String(255))
    app_id: Mapped[str | None] = mapped_column(String(32))
    bot_id: Mapped[str | None] = mapped_column(String(32))
    bot_user_id: Mapped[str | None] = mapped_column(String(32))
    bot_scopes: Mapped[str] = mapped_column(Text, default="")
    bot_token_encrypted: Mapped[str] = mapped_column(Text)
    bot_refresh_token_encrypted: Mapped[str | None] = mapped_column(Text)
    bot_token_expires_at: Mapped[int | None] = mapped_column(BigId)
    is_enterprise_install: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    installer_user_id: Mapped[str | None] = mapped_column(String(32))
    installed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OAuthState(Base):
    """A single-use OAuth `state`, valid until `expires_at` (epoch seconds)."""

    __tablename__ = "oauth_states"

    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[float] = mapped_column(Double)


# --- end many workspaces ----------------------------------------------------------------------


# --- workspace settings and usage (issue 14) --------------------------------------------------


class WorkspaceSettings(Base):
    """A workspace's own settings, changed by its admins. The OpenAI key is stored encrypted."""

    __tablename__ = "workspace_settings"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # Its own OpenAI key, or its Azure OpenAI endpoint as JSON (endpoint, api_version, api_key).
    openai_api_key_encrypted: Mapped[str | None] = mapped_column(Text)
    models: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # action -> model
    disabled_actions: Mapped[list[str]] = mapped_column(JSON, default=list)
    allowed_channels: Mapped[list[str] | None] = mapped_column(JSON)  # None: every channel
    daily_tokens_per_user: Mapped[int | None] = mapped_column(BigId)  # None: DAILY_TOKEN_LIMIT_PER_USER
    daily_tokens_per_workspace: Mapped[int | None] = mapped_column(BigId)  # None or 0: no limit
    updated_by: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UsageRecord(Base):
    """One OpenAI call: who, for what, how much, and its estimated cost (USD) at the time."""

    __tablename__ = "usage_records"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(128))
    prompt_tokens: Mapped[int] = mapped_column(BigId, default=0)
    completion_tokens: Mapped[int] = mapped_column(BigId, default=0)
    images: Mapped[int] = mapped_column(Integer, default=0)
    audio_seconds: Mapped[float] = mapped_column(Double, default=0.0)
    cost_usd: Mapped[float] = mapped_column(Double, default=0.0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_usage_team_user_created", "team_id", "user_id", "created_at"),)


# --- end workspace settings and usage ---------------------------------------------------------
