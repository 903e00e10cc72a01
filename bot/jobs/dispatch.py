"""Run a claimed job: read its typed payload, hand it to its runner, record how it ended.

Every payload names where its answer goes (`where`), so that a crash, or a job cut short too
often, still ends with a message in the thread rather than silence.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError

from bot.delivery import requester
from bot.jobs import (
    ask,
    assistant_admin,
    chat_reply,
    create_image,
    create_speech,
    feedback,
    mcp_approval,
    notice,
    rewrite,
    summarize_thread,
    transcribe,
    welcome,
    workspace_command,
    workspace_gate,
)
from bot.jobs import payloads as kinds
from bot.process.runtime import Runtime
from storage import ClaimedJob

log = logging.getLogger(__name__)

Runner = Callable[[Runtime, ClaimedJob, Any], Awaitable[None]]

RUNNERS: dict[str, Runner] = {
    kinds.ChatReply.KIND: chat_reply.run,
    kinds.Ask.KIND: ask.run,
    kinds.Notice.KIND: notice.run,
    kinds.CreateImage.KIND: create_image.run,
    kinds.CreateSpeech.KIND: create_speech.run,
    kinds.Transcribe.KIND: transcribe.run,
    kinds.AssistantCommand.KIND: assistant_admin.run,
    kinds.SummarizeThread.KIND: summarize_thread.run,
    kinds.SuggestPrompts.KIND: welcome.suggest_prompts,
    kinds.PublishHome.KIND: welcome.publish_home,
    kinds.McpApproval.KIND: mcp_approval.run,
    kinds.WorkspaceCommand.KIND: workspace_command.run,  # issue 14
}
# --- issue 15: answers people can rate, message shortcuts ---------------------------------------
RUNNERS.update(
    {
        kinds.AnswerFeedback.KIND: feedback.run,
        kinds.TranslateMessage.KIND: rewrite.translate,
        kinds.Proofread.KIND: rewrite.proofread,
        kinds.PostProofread.KIND: rewrite.post_proofread,
    }
)
# --- end issue 15 -------------------------------------------------------------------------------

CRASHED = ":boom: Sorry, something went wrong while working on this. The error was logged; please try again."
INTERRUPTED = (
    ":warning: The bot was restarted several times while working on this request, so it stopped trying. "
    "Please ask again."
)


async def run_job(rt: Runtime, job: ClaimedJob) -> None:
    started = time.monotonic()
    rt.metrics.jobs_in_flight.inc()
    status = "done"
    try:
        try:
            payload, runner = kinds.read(job), RUNNERS[job.kind]
        except (KeyError, ValidationError) as exc:
            log.error("job %s (%s) cannot be read (%s); dropped", job.id, job.kind, type(exc).__name__)
            status = "failed"
            return
        # Many workspaces (issue 14): the job's own workspace token; an uninstalled one, no Slack.
        workspace_rt = await rt.for_workspace(payload.where.team_id)
        if workspace_rt is None:
            log.info(
                "job %s (%s): workspace %s is not installed; dropped", job.id, job.kind, payload.where.team_id
            )
            status = "uninstalled"
            return
        rt = workspace_rt
        if job.attempts > rt.settings.job_max_attempts:
            await requester.notice(rt.slack, payload.where, INTERRUPTED)
            status = "failed"
            return
        try:
            await workspace_gate.run(rt, job, payload, runner)  # issue 14: rules and usage
        except asyncio.CancelledError:
            status = "released"
            raise
        except Exception:
            log.exception("job %s (%s) failed", job.id, job.kind)
            await requester.notice(rt.slack, payload.where, CRASHED)
            status = "failed"
    finally:
        rt.metrics.jobs_in_flight.dec()
        rt.metrics.job_seconds.labels(job.kind).observe(time.monotonic() - started)
        rt.metrics.jobs_finished.labels(job.kind, status).inc()
        if status != "released":
            # The answer joins the conversation, and its usage is written, in the transaction that
            # marks the job done.
            await rt.jobs.finish(
                job.id,
                failed=status in ("failed", "uninstalled"),
                append=job.conversation,
                usage=job.usage,
            )
        elif job.usage and rt.usage is not None:
            # Handed back unfinished (shutdown): what its calls used so far is still spent.
            await rt.usage.record(*job.usage)
