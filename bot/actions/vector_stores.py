"""An assistant's files in an OpenAI vector store, for its `file_search` tool (issue 13).

The store is made with the assistant, made again whenever its files or tools change (the old one is
deleted, with its files), and deleted with it. Its id lives in the assistant's `file_search` tool
(`vector_store_ids`), which is what the Responses API takes.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import openai

from bot.process.runtime import Runtime
from storage.assistants import AssistantRecord

log = logging.getLogger(__name__)
TEXT_EXTENSIONS = (".txt", ".md", ".json")  # read as text by file_search (CSV is not)
# What file_search takes as it is (OpenAI's list of supported file types): such a file's original
# bytes are uploaded with its own name; any other, or one whose bytes were not kept, as its text.
ORIGINAL_EXTENSIONS = (".c", ".cpp", ".cs", ".css", ".doc", ".docx", ".go", ".html", ".java", ".js",
                       ".json", ".md", ".pdf", ".php", ".pptx", ".py", ".rb", ".sh", ".tex", ".ts",
                       ".txt")  # fmt: skip


def store_ids(tools: list[dict[str, Any]]) -> list[str]:
    return [
        i for tool in tools if tool.get("type") == "file_search" for i in tool.get("vector_store_ids") or []
    ]


def wants_store(tools: list[dict[str, Any]]) -> bool:
    return any(tool.get("type") == "file_search" for tool in tools)


def keeps_original(name: str) -> bool:
    return name.lower().endswith(ORIGINAL_EXTENSIONS)


def upload_name(name: str) -> str:
    """The files' text is what is uploaded: named so that OpenAI reads it as text."""
    return name if name.lower().endswith(TEXT_EXTENSIONS) else name + ".txt"


async def create_store(rt: Runtime, assistant: AssistantRecord) -> str:
    """A vector store holding each of the assistant's files: its original bytes when they were kept
    and file_search takes its type, else its text. Raises openai.OpenAIError."""
    wanted = set(assistant.file_ids)
    files = [row for row in await rt.assistants.files(assistant.id) if row[0] in wanted]
    originals = await rt.attachments.originals(assistant.team_id, [file_id for file_id, _, _ in files])
    uploaded = []
    for file_id, name, text in files:
        original = originals.get(file_id)
        if original is not None and keeps_original(name):
            upload = (name, io.BytesIO(original.content))
        else:
            upload = (upload_name(name), io.BytesIO(text.encode()))
        created = await rt.openai.files.create(file=upload, purpose="assistants")
        uploaded.append(created.id)
    store = await rt.openai.vector_stores.create(
        name=f"{assistant.name} ({assistant.id})", file_ids=uploaded, metadata={"assistant_id": assistant.id}
    )
    return store.id


async def delete_store(rt: Runtime, store_id: str) -> None:
    """The store and the files uploaded for it; a store already gone is fine."""
    try:
        page = await rt.openai.vector_stores.files.list(store_id)
        for file in page.data:
            try:
                await rt.openai.files.delete(file.id)
            except openai.NotFoundError:
                pass
        await rt.openai.vector_stores.delete(store_id)
    except openai.NotFoundError:
        log.info("vector store %s was already gone", store_id)


async def in_step(
    rt: Runtime, assistant: AssistantRecord, old_tools: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The assistant's tools once its vector store matches its files: a new store when it has
    file_search (the old one deleted), none when it has not. Raises openai.OpenAIError."""
    tools = [dict(tool) for tool in assistant.tools]
    new_id = await create_store(rt, assistant) if wants_store(tools) else None
    for tool in tools:
        if tool.get("type") == "file_search":
            tool["vector_store_ids"] = [new_id]
    for store_id in store_ids(old_tools):
        await delete_store(rt, store_id)
    return tools
