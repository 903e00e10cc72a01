"""Read a thread from Slack once (paginated, within Slack's rate limits) and answer with a summary.

The summary is an ordinary chat answer in the thread: the transcript becomes the question, so the
thread is a conversation afterwards and follow-ups ("who decided that?") just work.
"""

from __future__ import annotations

import contextlib
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.delivery import requester
from bot.jobs import chat_reply
from bot.jobs.payloads import ChatReply, SummarizeThread
from bot.process.runtime import Runtime
from bot.rate_limits.budget import optional
from bot.slack import text as slack_text
from storage import ClaimedJob

MAX_MESSAGES = 1_000
INSTRUCTION = (
    "Summarize this Slack thread for someone who has not read it: the main points, any decisions, "
    "open questions and who owns next steps. Use short bullet points.\n\nThe thread:\n"
)
CANNOT_READ = (
    ":warning: I can't read this thread. Invite me to the channel (`/invite @ChatGPT`) and try again."
)


async def read_thread(rt: Runtime, channel: str, thread_ts: str) -> list[dict[str, Any]]:
    """Every message of the thread, oldest first. slack_sdk's rate-limit handler waits on 429s."""
    messages: list[dict[str, Any]] = []
    cursor: str | None = None
    while len(messages) < MAX_MESSAGES:
        response = await rt.slack.conversations_replies(
            channel=channel, ts=thread_ts, cursor=cursor, limit=200
        )
        messages.extend(response.get("messages") or [])
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            break
    return messages


async def transcript(rt: Runtime, messages: list[dict[str, Any]], bot_user_id: str | None) -> str:
    lines = []
    for message in messages:
        text = slack_text.unescape(message.get("text") or "").strip()
        if not text:
            continue
        if message.get("bot_id") or (bot_user_id and message.get("user") == bot_user_id):
            author = "ChatGPT (this bot)"
        else:
            author = await rt.people.name(message["user"]) if message.get("user") else "someone"
        lines.append(f"{author}: {text}")
    return "\n".join(lines)


async def run(rt: Runtime, job: ClaimedJob, p: SummarizeThread) -> None:
    where = p.where
    thread_ts = where.thread_ts or ""
    with optional(), contextlib.suppress(SlackApiError):
        await rt.slack.assistant_threads_setStatus(
            channel_id=where.channel, thread_ts=thread_ts, status="is reading the thread…"
        )
    try:
        messages = await read_thread(rt, where.channel, thread_ts)
    except SlackApiError as exc:
        if requester.error_of(exc) not in {"not_in_channel", "channel_not_found", "missing_scope"}:
            raise
        await rt.slack.chat_postEphemeral(channel=where.channel, user=where.user, text=CANNOT_READ)
        return
    reply = ChatReply(
        where=where,
        # The summary follows the newest message it covers (a resumed job looks for it after that).
        ts=str(messages[-1]["ts"]) if messages else thread_ts,
        text=INSTRUCTION + await transcript(rt, messages, p.bot_user_id),
        bot_user_id=p.bot_user_id,
    )
    await chat_reply.answer(rt, job, reply)
