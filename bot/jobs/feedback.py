"""A vote on an answer stored with it, counted, and after a thumbs down a private "What was wrong?"."""

from __future__ import annotations

import contextlib
import logging

from slack_sdk.errors import SlackApiError

from bot.blocks import feedback
from bot.jobs.payloads import AnswerFeedback
from bot.process.runtime import Runtime
from storage import ClaimedJob, ThreadKey

log = logging.getLogger(__name__)

NO_VOTE = (
    ":warning: I could not find your vote on that answer, so your note was not kept. Rate the answer first."
)


async def run(rt: Runtime, job: ClaimedJob, p: AnswerFeedback) -> None:
    where = p.where
    key = ThreadKey(where.team_id, where.channel, where.thread_ts or p.message_ts)
    if p.comment is not None:
        if not await rt.feedback.comment(key, p.message_ts, where.user, p.comment):
            await _tell(rt, p, NO_VOTE)
        return
    if p.value is None:
        return
    result = await rt.feedback.vote(key, p.message_ts, where.user, p.value, p.voted_at)
    if result.outcome == "no_answer":
        log.warning("a vote on a message that is not in any conversation was dropped")
        return
    if result.outcome in ("stale", "unchanged"):
        return  # an older click arriving late, or the same vote again: nothing changes
    rt.metrics.feedback.labels(p.value).inc()
    if result.outcome == "replaced" and result.previous:
        rt.metrics.feedback_replaced.labels(result.previous).inc()
    if p.value == feedback.NEGATIVE:
        answer = {
            "team_id": where.team_id,
            "channel_id": where.channel,
            "thread_ts": key.thread_ts,
            "message_ts": p.message_ts,
        }
        await _tell(rt, p, feedback.WHAT_WAS_WRONG, feedback.what_was_wrong(answer))


async def _tell(rt: Runtime, p: AnswerFeedback, text: str, blocks: list | None = None) -> None:
    """Privately, in the answer's thread; someone who left the channel is simply not told."""
    with contextlib.suppress(SlackApiError):
        await rt.slack.chat_postEphemeral(
            channel=p.where.channel, user=p.where.user, thread_ts=p.where.thread_ts, text=text, blocks=blocks
        )
