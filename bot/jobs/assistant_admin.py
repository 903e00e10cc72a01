"""`/assistant create|list|show|update|delete|use` (and "@bot use NAME" in a thread), carried out.

Replies go privately to whoever asked; putting an assistant to work is said in the channel, so
everyone knows who is answering.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import openai

from bot.actions import mcp_secrets, vector_stores
from bot.content import documents
from bot.delivery import requester
from bot.delivery.openai_errors import describe as describe_error
from bot.downloads.core import DownloadFailed
from bot.jobs.payloads import AssistantCommand
from bot.process.runtime import Runtime
from bot.slack.files import resolve
from handlers import create_assistant
from storage import ClaimedJob
from storage.assistants import AssistantRecord, NameTaken

MAX_FILE_BYTES = 20 * 1024 * 1024
FOLLOWS_DEFAULT = "default"  # `--model default`: follow the bot's default chat model again
log = logging.getLogger(__name__)


def model_text(assistant: AssistantRecord) -> str:
    return f"`{assistant.model}`" if assistant.model else "the default chat model"


def describe(assistant: AssistantRecord) -> str:
    return (
        f"*{assistant.name}* (`{assistant.id}`), created by <@{assistant.created_by}>, "
        f"last changed by <@{assistant.updated_by}>\n```\n{create_assistant.output_text(assistant)}\n```"
    )


async def extract_files(
    rt: Runtime, team_id: str, file_ids: list[str]
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Each reference file's (id, name, text), read once; and the problems, said plainly. The bytes
    of a file file_search takes as it is are kept too (bot/actions/vector_stores.py)."""
    found, problems = [], []
    for file_id in file_ids:
        try:
            file = await resolve(rt.slack, {"id": file_id, "file_access": "check_file_info"})
            if not documents.is_document(file.name, file.mimetype, file.filetype):
                problems.append(f"`{file.name}` is not a text, Markdown, CSV, JSON or PDF file.")
                continue
            content = await rt.downloader.download(file, MAX_FILE_BYTES)
            text = await asyncio.to_thread(
                documents.extract_text, content, file.name, file.mimetype, file.filetype
            )
            found.append((file_id, file.name, text))
            if vector_stores.keeps_original(file.name):
                await rt.attachments.keep_original(
                    team_id=team_id, slack_file_id=file_id, name=file.name,
                    mime=file.mimetype or "application/octet-stream", content=content,
                )  # fmt: skip
        except (DownloadFailed, documents.DocumentRejected) as exc:
            problems.append(str(exc))
    return found, problems


async def _with_store(
    rt: Runtime, p: AssistantCommand, assistant: AssistantRecord, old_tools: list[dict[str, Any]]
) -> AssistantRecord | None:
    """The assistant with its vector store in step with its files (file_search); None, once the
    requester was told, when OpenAI refused."""
    try:
        tools = await vector_stores.in_step(rt, assistant, old_tools)
    except openai.OpenAIError as exc:
        rt.metrics.openai_errors.labels(type(exc).__name__).inc()
        await requester.tell(
            rt.slack, p.where, ":warning: The files could not be put in a vector store for `file_search`: "
            + describe_error(exc)
        )  # fmt: skip
        return None
    return await rt.assistants.update(p.where.team_id, assistant.name, p.where.user, {"tools": tools})


async def run(rt: Runtime, job: ClaimedJob, p: AssistantCommand) -> None:
    where = p.where

    team, action, name, fields = where.team_id, p.action, p.name, dict(p.fields)
    store = rt.assistants
    if action == "list":
        assistants = await store.list_all(team)
        if not assistants:
            await requester.tell(
                rt.slack,
                where,
                'No assistants yet. Create one with `/assistant create --name NAME --instructions "…"`.',
            )
            return
        lines = [
            f"• *{a.name}* ({model_text(a)}){': ' + a.description if a.description else ''}"
            for a in assistants
        ]
        await requester.tell(rt.slack, where, "*Assistants in this workspace*\n" + "\n".join(lines))
        return
    if action == "use" and (name or "").casefold() == "none":
        await store.use(team, where.channel, where.thread_ts, None)
        scope = "this thread" if where.thread_ts else "this channel"
        await rt.slack.chat_postMessage(
            channel=where.channel,
            thread_ts=where.thread_ts,
            text=f"<@{where.user}> stopped the assistant in {scope}.",
        )
        return
    if action in {"create", "update"} and "file_ids" in fields:
        files, problems = await extract_files(rt, team, fields["file_ids"])
        if problems:
            await requester.tell(rt.slack, where, ":warning: " + "\n".join(problems))
            return
    else:
        files = []
    if action in {"create", "update"} and fields.get("model", FOLLOWS_DEFAULT) == FOLLOWS_DEFAULT:
        # No --model (or `--model default`): no model stored, the assistant follows the default chat
        # model, and so its successor when OpenAI shuts it down. A model set is never swapped.
        if action == "create" or "model" in fields:
            fields["model"] = ""
    if action == "create":
        try:
            assistant = await store.create(team, where.user, fields)
        except NameTaken:
            await requester.tell(
                rt.slack,
                where,
                f":warning: There is already an assistant named *{fields['name']}* in this workspace.",
            )
            return
        for file_id, file_name, text in files:
            await store.put_file(assistant.id, file_id, file_name, text)
        if vector_stores.wants_store(assistant.tools):
            assistant = await _with_store(rt, p, assistant, []) or assistant
        await requester.tell(rt.slack, where, f":white_check_mark: Created {describe(assistant)}")
        return
    existing = await store.get(team, name or "")
    if existing is None:
        await requester.tell(
            rt.slack, where, f":warning: There is no assistant named *{name}*. `/assistant list` shows them."
        )
        return
    if action == "show":
        await requester.tell(rt.slack, where, describe(existing))
    elif action == "update":
        if "tools" in fields:
            fields["tools"] = mcp_secrets.keep_sealed(fields["tools"], existing.tools)
        try:
            updated = await store.update(team, existing.name, where.user, fields)
        except NameTaken:
            await requester.tell(
                rt.slack,
                where,
                f":warning: There is already an assistant named *{fields.get('name')}* in this workspace.",
            )
            return
        for file_id, file_name, text in files:
            await store.put_file(existing.id, file_id, file_name, text)
        updated = updated or existing
        changed = "file_ids" in fields or "tools" in fields
        if changed and (vector_stores.wants_store(updated.tools) or vector_stores.store_ids(existing.tools)):
            updated = await _with_store(rt, p, updated, existing.tools) or updated
        await requester.tell(rt.slack, where, f":white_check_mark: Updated {describe(updated)}")
    elif action == "delete":
        await store.delete(team, existing.name)
        for store_id in vector_stores.store_ids(existing.tools):
            try:
                await vector_stores.delete_store(rt, store_id)
            except openai.OpenAIError as exc:
                log.warning("could not delete vector store %s: %s", store_id, type(exc).__name__)
        await requester.tell(rt.slack, where, f":wastebasket: Deleted the assistant *{existing.name}*.")
    elif action == "use":
        await store.use(team, where.channel, where.thread_ts, existing.id)
        scope = "this thread" if where.thread_ts else "this channel"
        stop = "`@ChatGPT use none`" if where.thread_ts else "`/assistant use none`"
        await rt.slack.chat_postMessage(
            channel=where.channel,
            thread_ts=where.thread_ts,
            text=f"<@{where.user}> put the assistant *{existing.name}* to work in {scope}. {stop} stops it.",
        )
