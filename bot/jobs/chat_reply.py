"""Answer a message in its thread with "Ask ChatGPT", streamed, and remember the exchange."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import openai

from bot.conversation import chat_messages, speaker_name, system_prompt
from bot.delivery.earlier_reply import find_earlier_reply
from bot.delivery.streamed_reply import StreamedReply
from handlers import openai_errors
from handlers.ask_chatgpt import ChatRequest, ChatTimeout, stream_chat
from storage import ClaimedJob, StoredMessage, ThreadKey

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

KIND = "chat.reply"
EMPTY_PROMPT = (
    "Hi! Ask me anything: mention me with your question, e.g. `@ChatGPT what is a haiku?`, "
    "and I'll answer in this thread."
)


def payload_for_message(
    *,
    team_id: str,
    channel: str,
    ts: str,
    thread_ts: str | None,
    user: str,
    text: str,
    channel_type: str | None,
    bot_user_id: str | None,
) -> dict[str, Any]:
    return {
        "bot_user_id": bot_user_id,
        "team_id": team_id,
        "channel": channel,
        "ts": ts,
        "thread_ts": thread_ts or ts,
        "user": user,
        "text": text,
        "channel_type": channel_type,
    }


async def _earlier_reply(rt: Runtime, job: ClaimedJob) -> str | None:
    if job.progress.get("reply_ts"):
        return str(job.progress["reply_ts"])
    if not job.progress.get("replying"):
        return None
    p = job.payload
    return await find_earlier_reply(
        rt.slack,
        channel=p["channel"],
        thread_ts=p["thread_ts"],
        after_ts=p["ts"],
        bot_user_id=p.get("bot_user_id"),
    )


async def run(rt: Runtime, job: ClaimedJob) -> None:
    p = job.payload
    key = ThreadKey(p["team_id"], p["channel"], p["thread_ts"])
    if not p["text"].strip():
        await rt.slack.chat_postMessage(channel=p["channel"], thread_ts=p["thread_ts"], text=EMPTY_PROMPT)
        await rt.conversations.ensure(key)
        return

    async def remember_reply_ts(ts: str) -> None:
        await rt.jobs.save_progress(job.id, {**job.progress, "reply_ts": ts})

    existing_ts = await _earlier_reply(rt, job) if job.resumed else None
    if existing_ts is None:
        # Say a reply is about to start: should the process die before its ts is recorded, the
        # next attempt looks for it in the thread instead of posting a second one.
        await rt.jobs.save_progress(job.id, {**job.progress, "replying": True})
    reply = StreamedReply(
        rt.slack,
        channel=p["channel"],
        thread_ts=p["thread_ts"],
        user_id=p["user"],
        team_id=p["team_id"],
        flush_seconds=rt.settings.stream_flush_seconds,
        update_seconds=rt.settings.update_interval_seconds,
        existing_ts=existing_ts,
        on_started=remember_reply_ts,
    )
    await reply.set_status("is thinking…")

    history = await rt.conversations.history(key)
    question = StoredMessage(role="user", content=p["text"], name=speaker_name(p["user"]), slack_ts=p["ts"])
    model = rt.settings.openai_chat_model
    request = ChatRequest(
        model=model,
        messages=chat_messages(system_prompt(rt.settings.openai_system_prompt), history, [question]),
    )

    started = time.monotonic()
    first_token_seen = False

    async def on_text(text: str) -> None:
        nonlocal first_token_seen
        if not first_token_seen:
            first_token_seen = True
            rt.metrics.first_token_seconds.observe(time.monotonic() - started)
        await reply.append(text)

    try:
        outcome = await stream_chat(rt.openai, request, on_text, rt.timeouts)
    except (openai.OpenAIError, ChatTimeout) as exc:
        rt.metrics.openai_errors.labels(type(exc).__name__).inc()
        log.warning("chat job %s failed upstream: %s", job.id, type(exc).__name__)
        await reply.fail(openai_errors.describe(exc, model))
        return

    extra = ""
    if outcome.tool_calls:
        extra = "\n\n" + "\n".join(
            f"*Tool call* `{call.name}` with arguments `{call.arguments}`" for call in outcome.tool_calls
        )
    if outcome.finish_reason == "length":
        extra += "\n\n_(The answer reached the maximum length and was cut short.)_"
    await reply.finish(extra)

    if outcome.prompt_tokens is not None:
        rt.metrics.tokens.labels(outcome.model, "prompt").inc(outcome.prompt_tokens)
    if outcome.completion_tokens is not None:
        rt.metrics.tokens.labels(outcome.model, "completion").inc(outcome.completion_tokens)
    answer = StoredMessage(
        role="assistant",
        content=outcome.text or extra.strip(),
        model=outcome.model,
        prompt_tokens=outcome.prompt_tokens,
        completion_tokens=outcome.completion_tokens,
        slack_ts=reply.ts,
    )
    await rt.conversations.append(key, [question, answer], job_id=job.id)
