"""An answer written ahead: recorded as the job's outcome before the Slack call that shows it
complete, so a resumed job shows that same text again (in the same message) and never asks the
model a second time. The conversation gets it when the job is marked done, in that transaction.
"""

from __future__ import annotations

import dataclasses

from pydantic import BaseModel

from bot.blocks import feedback
from bot.delivery.earlier_reply import find_earlier_reply
from bot.delivery.streamed_reply import EMPTY_ANSWER, OnStarted, StreamedReply
from bot.jobs.payloads import ChatReply
from bot.process.runtime import Runtime
from storage import Append, ClaimedJob, StoredMessage, ThreadKey

KEY = "outcome"


class Outcome(BaseModel):
    """What the reply reads once finished (`ts`: its message, when known), and what joins the
    conversation."""

    ts: str | None
    text: str
    messages: list[StoredMessage]  # a dataclass, which pydantic reads and writes as it is
    rated: bool = False  # ends with the feedback buttons


async def finish(
    rt: Runtime,
    job: ClaimedJob,
    reply: StreamedReply,
    key: ThreadKey,
    extra: str,
    messages: list[StoredMessage],
    *,
    rated: bool = False,
) -> None:
    """Record the finished text, then finish the reply; the job's completion appends `messages`."""
    if not reply.said:
        extra = extra.lstrip("\n")  # a notice alone, without the blank line that follows an answer
    messages = [_with_ts(m, reply.ts) if m.role == "assistant" else m for m in messages]
    outcome = Outcome(
        ts=reply.ts,
        text=(reply.said + extra) or EMPTY_ANSWER,
        messages=messages,
        rated=rated,
    )
    job.progress = {**job.progress, KEY: outcome.model_dump(mode="json")}
    await rt.jobs.save_progress(job.id, job.progress)
    await reply.finish(extra, feedback.answer_blocks() if rated else None)
    if reply.ts and reply.ts != outcome.ts:  # the message was posted by this very call
        messages = [_with_ts(m, reply.ts) if m.role == "assistant" else m for m in messages]
    job.conversation = Append(key, messages)


def recorded(job: ClaimedJob) -> Outcome | None:
    value = job.progress.get(KEY)
    return Outcome.model_validate(value) if value is not None else None


async def redeliver(rt: Runtime, job: ClaimedJob, p: ChatReply, key: ThreadKey, outcome: Outcome) -> None:
    """Show the recorded answer as finished, in place, and complete the job with it."""
    ts = outcome.ts or await find_earlier_reply(
        rt.slack, channel=p.where.channel, thread_ts=p.thread_ts, after_ts=p.ts, bot_user_id=p.bot_user_id
    )
    reply = reply_in_thread(rt, p, ts)
    await reply.finish_as(outcome.text, feedback.answer_blocks() if outcome.rated else None)
    messages = list(outcome.messages)
    if reply.ts:
        messages = [
            _with_ts(m, reply.ts) if m.role == "assistant" and not m.slack_ts else m for m in messages
        ]
    job.conversation = Append(key, messages)


def reply_in_thread(
    rt: Runtime, p: ChatReply, existing_ts: str | None, on_started: OnStarted | None = None
) -> StreamedReply:
    """The answer's message in the job's thread: a new one, or `existing_ts` carried on."""
    return StreamedReply(
        rt.slack,
        channel=p.where.channel,
        thread_ts=p.thread_ts,
        user_id=p.where.user,
        team_id=p.where.team_id,
        flush_seconds=rt.settings.stream_flush_seconds,
        update_seconds=rt.settings.update_interval_seconds,
        existing_ts=existing_ts,
        on_started=on_started,
    )


def _with_ts(message: StoredMessage, ts: str | None) -> StoredMessage:
    return dataclasses.replace(message, slack_ts=ts)
