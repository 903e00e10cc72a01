"""Files into Slack: one files_upload_v2 call, so several files arrive together, in order."""

from __future__ import annotations

import re
from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient


@dataclass(frozen=True)
class OutgoingFile:
    filename: str
    content: bytes
    title: str


def slug(text: str, limit: int = 40) -> str:
    """A file name from free text: lower case words joined by dashes."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    name = ""
    for word in words:
        if len(name) + len(word) + 1 > limit:
            break
        name = f"{name}-{word}" if name else word
    return name or "file"


async def upload(
    client: AsyncWebClient,
    *,
    channel: str,
    thread_ts: str | None,
    files: list[OutgoingFile],
    comment: str | None,
) -> list[str]:
    """Upload `files` as one message; return the Slack file ids."""
    response = await client.files_upload_v2(
        file_uploads=[{"content": f.content, "filename": f.filename, "title": f.title} for f in files],
        channel=channel,
        thread_ts=thread_ts,
        initial_comment=comment,
    )
    return [str(item.get("id")) for item in response.get("files") or []]
