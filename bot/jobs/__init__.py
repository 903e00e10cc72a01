"""Job runners, one module per kind of job; `run_job` dispatches a claimed job to its runner.

Every job payload names where its answer goes (`channel`, `thread_ts`) so that a crash, or a job
cut short too often, still ends with a message in the thread rather than silence.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError

from bot.jobs import (
    ask,
    assistant_admin,
    chat_reply,
    create_image,
    create_speech,
    notice,
    summarize_thread,
    transcribe,
    welcome,
)
from storage import ClaimedJob

if TYPE_CHECKING:
    from bot.process.runtime import Runtime

log = logging.getLogger(__name__)

Runner = Callable[["Runtime", ClaimedJob], Awaitable[None]]

RUNNERS: dict[str, Runner] = {
    chat_reply.KIND: chat_reply.run,
    ask.KIND: ask.run,
    notice.KIND: notice.run,
    create_image.KIND: create_image.run,
    create_speech.KIND: create_speech.run,
    transcribe.KIND: transcribe.run,
    assistant_admin.KIND: assistant_admin.run,
    summarize_thread.KIND: summarize_thread.run,
    welcome.PROMPTS: welcome.suggest_prompts,
    welcome.HOME: welcome.publish_home,
}

CRASHED = ":boom: Sorry, something went wrong while working on this. The error was logged; please try again."
INTERRUPTED = (
    ":warning: The bot was restarted several times while working on this request, so it stopped trying. "
    "Please ask again."
)


async def tell(rt: Runtime, job: ClaimedJob, text: str) -> None:
    """Post a notice in the job's thread; never raise."""
    channel, thread_ts = job.payload.get("channel"), job.payload.get("thread_ts")
    if not channel:
        return
    try:
        await rt.slack.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)
    except SlackApiError as exc:
        log.warning("could not tell the user about job %s: %s", job.id, exc.response.get("error"))


async def run_job(rt: Runtime, job: ClaimedJob) -> None:
    runner = RUNNERS.get(job.kind)
    started = time.monotonic()
    rt.metrics.jobs_in_flight.inc()
    status = "done"
    try:
        if runner is None:
            log.error("job %s has unknown kind %r", job.id, job.kind)
            status = "failed"
        elif job.attempts > rt.settings.job_max_attempts:
            await tell(rt, job, INTERRUPTED)
            status = "failed"
        else:
            await runner(rt, job)
    except asyncio.CancelledError:
        status = "released"
        raise
    except Exception:
        log.exception("job %s (%s) failed", job.id, job.kind)
        await tell(rt, job, CRASHED)
        status = "failed"
    finally:
        rt.metrics.jobs_in_flight.dec()
        rt.metrics.job_seconds.labels(job.kind).observe(time.monotonic() - started)
        rt.metrics.jobs_finished.labels(job.kind, status).inc()
        if status != "released":
            await rt.jobs.finish(job.id, failed=status == "failed")
