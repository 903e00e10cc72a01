"""Translate and Proofread: the message's text rewritten by the chat model.

"Translate" answers privately in the message's thread, in the clicking person's Slack locale (or
the language they then choose); "Proofread" fills the modal the shortcut opened, from which the
person may post the text in the thread on their behalf. A later choice (another language, another
tone) reads the text from the first job: it is never carried through Slack again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TypeVar

import openai
from slack_sdk.errors import SlackApiError

from bot.actions.end_user import safety_identifier
from bot.blocks import rewrite
from bot.delivery import requester
from bot.delivery.openai_errors import describe
from bot.jobs.payloads import JobPayload, PostProofread, Proofread, TranslateMessage
from bot.process.runtime import Runtime
from bot.slack import languages
from handlers.ask_chatgpt import ChatTimeout
from handlers.rewrite_text import proofread_request, translate_request
from handlers.rewrite_text import rewrite as rewrite_text
from storage import ClaimedJob

log = logging.getLogger(__name__)

P = TypeVar("P", bound=JobPayload)
GONE = ":warning: I no longer have that message: use the shortcut on it again."
INVITE_ME = ":wave: I can't post in that conversation. Invite me with `/invite @ChatGPT`, then try again."
VIEW_WAIT_SECONDS = 5.0


async def source_of(rt: Runtime, p: P, kind: type[P], source_job: int | None) -> P | None:
    """The first job of this flow (whose text and thread are used), for the same person and workspace."""
    if source_job is None:
        return p
    row = await rt.jobs.get(source_job)
    if row is None or row.get("kind") != kind.KIND:
        return None
    source = kind.model_validate(row.get("payload") or {})
    same = (source.where.team_id, source.where.user) == (p.where.team_id, p.where.user)
    return source if same else None


async def _locale_language(rt: Runtime, user: str) -> str:
    with contextlib.suppress(SlackApiError):
        response = await rt.slack.users_info(user=user, include_locale=True)
        return languages.from_locale((response.get("user") or {}).get("locale"))
    return languages.DEFAULT


async def translate(rt: Runtime, job: ClaimedJob, p: TranslateMessage) -> None:
    source = await source_of(rt, p, TranslateMessage, p.source_job)
    if source is None or not source.text:
        await requester.tell(rt.slack, p.where, GONE)
        return
    where = source.where
    code = p.language or await _locale_language(rt, where.user)
    language = languages.name(code)
    model = rt.settings.openai_chat_model
    request = translate_request(model, source.text, language, safety_identifier(where.team_id, where.user))
    try:
        text = await rewrite_text(rt.openai, request, rt.timeouts)
    except (openai.OpenAIError, ChatTimeout) as exc:
        rt.metrics.openai_errors.labels(type(exc).__name__).inc()
        await requester.tell(rt.slack, where, describe(exc, model))
        return
    blocks = rewrite.translation(text or "_(empty)_", language, p.source_job or job.id)
    try:
        await rt.slack.chat_postEphemeral(
            channel=where.channel, user=where.user, thread_ts=where.thread_ts, text=text, blocks=blocks
        )
    except SlackApiError as exc:
        if requester.error_of(exc) not in requester.NOT_THERE:
            raise
        await rt.slack.chat_postMessage(channel=where.user, text=text, blocks=blocks)


async def proofread(rt: Runtime, job: ClaimedJob, p: Proofread) -> None:
    source = await source_of(rt, p, Proofread, p.source_job)
    metadata = {
        "source_job": p.source_job or job.id,
        "result_job": job.id,
        "channel_id": (source or p).where.channel,
        "thread_ts": (source or p).where.thread_ts,
    }
    if source is None or not source.text:
        await _show(rt, p, rewrite.proofread_problem(GONE, p.tone, metadata))
        return
    if p.view_id:  # a new tone: say it is on its way
        await _show(rt, p, rewrite.proofread_loading(None, p.tone))
    where, model = source.where, rt.settings.openai_chat_model
    request = proofread_request(model, source.text, p.tone, safety_identifier(where.team_id, where.user))
    try:
        text = await rewrite_text(rt.openai, request, rt.timeouts)
    except (openai.OpenAIError, ChatTimeout) as exc:
        rt.metrics.openai_errors.labels(type(exc).__name__).inc()
        await _show(rt, p, rewrite.proofread_problem(describe(exc, model), p.tone, metadata))
        return
    job.progress = {**job.progress, "result": text}
    await rt.jobs.save_progress(job.id, job.progress)
    if not await _show(rt, p, rewrite.proofread_result(text, p.tone, metadata)):
        # The modal was closed (or never opened): the person still gets the text, privately.
        await requester.tell(rt.slack, where, f"Proofread:\n{text}")


async def _show(rt: Runtime, p: Proofread, view: dict) -> bool:
    """Put `view` in the Proofread modal; the first job waits briefly for the modal to be open."""
    deadline = asyncio.get_running_loop().time() + (0 if p.view_id else VIEW_WAIT_SECONDS)
    while True:
        try:
            if p.view_id:
                await rt.slack.views_update(view_id=p.view_id, view=view)
            else:
                await rt.slack.views_update(external_id=p.external_id, view=view)
            return True
        except SlackApiError as exc:
            if requester.error_of(exc) != "not_found" or asyncio.get_running_loop().time() >= deadline:
                log.info("could not show the proofread text (%s)", requester.error_of(exc))
                return False
            await asyncio.sleep(0.25)


async def post_proofread(rt: Runtime, job: ClaimedJob, p: PostProofread) -> None:
    text = p.text
    if not text and p.result_job is not None:
        row = await rt.jobs.get(p.result_job)
        owner = ((row or {}).get("payload") or {}).get("where") or {}
        mine = (owner.get("team_id"), owner.get("user")) == (p.where.team_id, p.where.user)
        if row and row.get("kind") == Proofread.KIND and mine:
            text = str((row.get("progress") or {}).get("result") or "")
    if not text:
        await requester.tell(rt.slack, p.where, GONE)
        return
    fallback, blocks = rewrite.posted(text, p.where.user)
    try:
        await rt.slack.chat_postMessage(
            channel=p.where.channel, thread_ts=p.where.thread_ts, text=fallback, blocks=blocks
        )
    except SlackApiError as exc:
        if requester.error_of(exc) not in requester.NOT_THERE:
            raise
        await requester.tell(rt.slack, p.where, INVITE_ME)
