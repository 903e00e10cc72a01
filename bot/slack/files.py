"""Files people share in Slack: what Slack says about them (Slack Connect stubs looked up with
files.info), and file ids found in the links people paste. Downloading is `bot.downloads.slack`."""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.downloads.core import DownloadFailed
from bot.downloads.slack import SharedFile

FILE_LINK = re.compile(r"/files(?:-pri)?/[A-Z0-9]+(?:-[A-Z0-9]+)?/(F[A-Z0-9]{6,})|\b(F[A-Z0-9]{8,})\b")


def file_ids_in(text: str) -> list[str]:
    """File ids from Slack file links (…/files/U…/F…/name) or bare ids in a command's text."""
    ids = []
    for match in FILE_LINK.finditer(text or ""):
        file_id = match.group(1) or match.group(2)
        if file_id not in ids:
            ids.append(file_id)
    return ids


async def resolve(client: AsyncWebClient, info: dict[str, Any]) -> SharedFile:
    """The full file object: Slack Connect stubs (file_access=check_file_info) need files.info."""
    if info.get("file_access") == "check_file_info" or not (
        info.get("url_private_download") or info.get("url_private")
    ):
        try:
            response = await client.files_info(file=info["id"])
        except SlackApiError as exc:
            raise DownloadFailed(
                f"Slack would not give me the file ({exc.response.get('error')}). "
                "Make sure I am in this conversation and the file is shared here."
            ) from None
        info = response.get("file") or info
    return SharedFile.from_slack(info)
