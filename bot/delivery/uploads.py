"""Files into Slack: several files in one message, in order, and never posted twice.

The three steps of files_upload_v2 are taken one by one so that the file ids are known, and
recorded by the job (`on_uploaded`), before files.completeUploadExternal makes them appear. A
resumed job then asks files.info about those ids: shared already means done; uploaded but not
shared is completed now, without making the files again.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutgoingFile:
    filename: str
    content: bytes
    title: str


class UploadedFile(BaseModel):
    id: str
    title: str


class PendingShare(BaseModel):
    """Files uploaded but perhaps not yet shared: what a job records before sharing them."""

    files: list[UploadedFile]
    channel: str
    thread_ts: str | None
    comment: str | None


OnUploaded = Callable[[PendingShare], Awaitable[None]]


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
    on_uploaded: OnUploaded | None = None,
) -> list[str]:
    """Upload `files` as one message; return the Slack file ids."""
    uploaded = []
    for f in files:
        target = await client.files_getUploadURLExternal(filename=f.filename, length=len(f.content))
        # The SDK's own step 2 of files_upload_v2: same session, proxy and retry handlers.
        result = await client._upload_file(
            url=str(target["upload_url"]),
            data=f.content,
            logger=client._logger,
            timeout=client.timeout,
            proxy=client.proxy,
            ssl=client.ssl,
        )
        if result.status != 200:
            raise SlackRequestError(
                f"Failed to upload a file (status: {result.status}, filename: {f.filename})"
            )
        uploaded.append(UploadedFile(id=str(target["file_id"]), title=f.title))
    pending = PendingShare(files=uploaded, channel=channel, thread_ts=thread_ts, comment=comment)
    if on_uploaded is not None:
        await on_uploaded(pending)
    return await _share(client, pending)


async def _share(client: AsyncWebClient, pending: PendingShare) -> list[str]:
    response = await client.files_completeUploadExternal(
        files=[{"id": f.id, "title": f.title} for f in pending.files],
        channel_id=pending.channel,
        thread_ts=pending.thread_ts,
        initial_comment=pending.comment,
    )
    return [str(item.get("id")) for item in response.get("files") or []]


async def finish_recorded(client: AsyncWebClient, recorded: dict[str, Any]) -> bool:
    """For a resumed job: make sure the files it recorded are shared. False when they are gone
    (never shared, and Slack no longer holds the upload), so the job must make them again."""
    pending = PendingShare.model_validate(recorded)
    try:
        info = await client.files_info(file=pending.files[0].id)
        file: dict[str, Any] = info.get("file") or {}
        if file.get("shares"):
            return True  # the earlier attempt's share went through: nothing to post
    except SlackApiError as exc:
        log.info("recorded upload not found (%s); completing it", exc.response.get("error"))
    try:
        await _share(client, pending)
    except SlackApiError as exc:
        log.info("recorded upload could not be completed (%s); uploading again", exc.response.get("error"))
        return False
    return True
