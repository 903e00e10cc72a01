"""Tell one person something (a bad flag, a hint): ephemeral in the channel or thread."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.delivery import private
from storage import ClaimedJob, NewJob

if TYPE_CHECKING:
    from bot.process.runtime import Runtime

KIND = "notice"


def notice_job(*, dedup_key: str, channel: str, user: str, text: str, thread_ts: str | None = None) -> NewJob:
    payload: dict[str, Any] = {"channel": channel, "user": user, "text": text, "thread_ts": thread_ts}
    return NewJob(kind=KIND, dedup_key=dedup_key, payload=payload)


async def run(rt: Runtime, job: ClaimedJob) -> None:
    p = job.payload
    await private.tell(
        rt.slack, channel=p["channel"], user=p["user"], text=p["text"], thread_ts=p.get("thread_ts")
    )
