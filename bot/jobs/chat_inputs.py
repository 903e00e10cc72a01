"""What people attach to a question: images (stored once, sent as data URLs) and documents (read
as text into the conversation, cut to fit). Problems are collected for one clear message."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from bot.content import documents, tokens
from bot.content import images as image_inputs
from bot.content.images import ImageRejected
from bot.downloads.core import DownloadFailed
from bot.downloads.public import fetch_public_https
from bot.downloads.slack import SharedFile
from bot.process.runtime import Runtime
from bot.slack.files import resolve

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
CUT_NOTE = "_(`{name}` was cut to fit what the model can read at once.)_"


@dataclass
class Inputs:
    image_ids: list[int] = field(default_factory=list)
    document_text: str = ""
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.image_ids and not self.document_text


def is_image(info: dict[str, Any]) -> bool:
    mimetype = str(info.get("mimetype") or "")
    return mimetype.startswith("image/") or str(info.get("filetype") or "").lower() in {
        "png",
        "jpg",
        "jpeg",
        "gif",
        "webp",
    }


def is_readable(info: dict[str, Any]) -> bool:
    return is_image(info) or documents.is_document(
        str(info.get("name") or ""), info.get("mimetype"), info.get("filetype")
    )


async def _image(rt: Runtime, team_id: str, name: str, content: bytes, file_id: str | None) -> int:
    mime = image_inputs.check_image(content, name)
    return await rt.attachments.put(
        team_id=team_id, name=name, mime=mime, content=content, slack_file_id=file_id
    )


async def _document(
    rt: Runtime, file: SharedFile, content: bytes, budget: int, model: str
) -> tuple[str, bool]:
    text = await asyncio.to_thread(documents.extract_text, content, file.name, file.mimetype, file.filetype)
    return await asyncio.to_thread(documents.fit_text, text, budget, lambda t: tokens.count_text(model, t))


async def gather(
    rt: Runtime, team_id: str, files: list[dict[str, Any]], urls: list[str], model: str
) -> Inputs:
    """Download, check and store everything attached; problems are reported, never half-sent."""
    inputs = Inputs()
    window = rt.context_window(model)
    document_budget = max(window // 3, 500)
    parts: list[str] = []
    for info in files:
        try:
            file = await resolve(rt.slack, info)
            if is_image({"mimetype": file.mimetype, "filetype": file.filetype}):
                content = await rt.downloader.download(file, image_inputs.MAX_IMAGE_BYTES)
                inputs.image_ids.append(await _image(rt, team_id, file.name, content, file.id))
            elif documents.is_document(file.name, file.mimetype, file.filetype):
                content = await rt.downloader.download(file, MAX_DOCUMENT_BYTES)
                text, cut = await _document(rt, file, content, document_budget, model)
                parts.append(f"[Document `{file.name}`]\n{text}")
                if cut:
                    inputs.notes.append(CUT_NOTE.format(name=file.name))
            else:
                inputs.problems.append(
                    f"`{file.name}` is neither an image (PNG, JPEG, WEBP, non-animated GIF) nor a document "
                    "I can read (text, Markdown, CSV, JSON, PDF)."
                )
        except (DownloadFailed, ImageRejected, documents.DocumentRejected) as exc:
            inputs.problems.append(str(exc))
    for url in urls:
        try:
            content, _ = await fetch_public_https(url, image_inputs.MAX_IMAGE_BYTES)
            name = url.rsplit("/", 1)[-1][:100] or "image"
            inputs.image_ids.append(await _image(rt, team_id, name, content, None))
        except (DownloadFailed, ImageRejected) as exc:
            inputs.problems.append(f"{url}: {exc}")
    inputs.document_text = "\n\n".join(parts)
    return inputs
