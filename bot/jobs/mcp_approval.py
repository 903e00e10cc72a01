"""The requester answered an MCP approval question: the response carries on, streamed into the
thread, with the call approved or denied (issue 13)."""

from __future__ import annotations

import contextlib

import openai
from slack_sdk.errors import SlackApiError

from bot.blocks.mcp_approval import answered_text
from bot.delivery import requester
from bot.delivery.openai_errors import describe
from bot.delivery.streamed_reply import StreamedReply
from bot.jobs import hosted_reply
from bot.jobs.payloads import McpApproval
from bot.openai_models.lifecycle import ModelShutDown
from bot.process.runtime import Runtime
from handlers import responses_chat
from handlers.ask_chatgpt import INCOMPLETE, ChatTimeout
from storage import ClaimedJob, StoredMessage, ThreadKey


async def run(rt: Runtime, job: ClaimedJob, p: McpApproval) -> None:
    where = p.where
    if where.user != p.requester:
        await requester.tell(
            rt.slack, where, f":lock: Only <@{p.requester}>, who asked the assistant, can answer this."
        )
        return
    if job.progress.get("answered"):
        return
    assistant = await rt.assistants.get(where.team_id, p.assistant)
    if assistant is None:
        await requester.tell(rt.slack, where, f":warning: The assistant *{p.assistant}* no longer exists.")
        return
    if p.message_ts:
        with contextlib.suppress(SlackApiError):
            await rt.slack.chat_update(
                channel=where.channel,
                ts=p.message_ts,
                text=answered_text(p.question, where.user, p.approve),
                blocks=[],
            )
    reply = StreamedReply(
        rt.slack,
        channel=where.channel,
        thread_ts=where.thread_ts or p.message_ts,
        user_id=where.user,
        team_id=where.team_id,
        flush_seconds=rt.settings.stream_flush_seconds,
        update_seconds=rt.settings.update_interval_seconds,
    )
    await reply.set_status("is working on it…")
    model = assistant.model or rt.settings.openai_chat_model
    try:
        own = (assistant.name, assistant.model) if assistant.model else None
        model = (await rt.chooser.choose("chat", assistant=own)).model
        tools = hosted_reply.tools_for_request(rt, assistant.tools)
        body = responses_chat.approval_params(
            model, p.response_id, [(p.approval_id, p.approve)], tools, assistant.instructions
        )
        result = await responses_chat.stream_body(rt.openai, body, reply.append, rt.timeouts)
        said, _ = await hosted_reply.after(rt, result, reply, where, assistant.name)
        if result.broken:  # never asked again: the approved call could run twice
            cut = INCOMPLETE[None]
            await reply.append(("\n\n" if said else "") + cut)
            said += ("\n\n" if said else "") + cut
    except ModelShutDown as exc:
        await reply.fail(exc.message())
        return
    except (openai.OpenAIError, ChatTimeout) as exc:
        rt.metrics.openai_errors.labels(type(exc).__name__).inc()
        await reply.fail(describe(exc, model))
        return
    await reply.finish(f"\n\n_— answered by the assistant *{assistant.name}*_")
    await rt.jobs.save_progress(job.id, {**job.progress, "answered": True})
    if where.thread_ts:
        key = ThreadKey(where.team_id, where.channel, where.thread_ts)
        message = StoredMessage("assistant", said, model=result.model, slack_ts=reply.ts)
        await rt.conversations.append(key, [message], job_id=job.id)
