"""Slack files downloaded with the bot token, which only ever goes to Slack's own hosts or to the
host of SLACK_API_URL. The size is checked before (declared) and during (actual bytes) the download,
and an HTML answer (Slack's login page when the token lacks files:read) is refused."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import aiohttp

from bot.downloads.core import DownloadFailed, stream_limited

LOGIN_PAGE = (
    "Slack answered with a login page instead of the file: the app is missing the `files:read` "
    "permission. An admin should reinstall the app from manifest.yml."
)
CHUNK_BYTES = 256 * 1024


@dataclass(frozen=True)
class SharedFile:
    id: str
    name: str
    mimetype: str
    filetype: str
    size: int | None
    url: str | None
    subtype: str | None = None

    @classmethod
    def from_slack(cls, info: dict[str, Any]) -> SharedFile:
        return cls(
            id=str(info.get("id") or ""),
            name=str(info.get("name") or info.get("title") or info.get("id") or "file"),
            mimetype=str(info.get("mimetype") or ""),
            filetype=str(info.get("filetype") or ""),
            size=int(info["size"]) if isinstance(info.get("size"), int) else None,
            url=info.get("url_private_download") or info.get("url_private"),
            subtype=info.get("subtype"),
        )


def _follow_api_host(url: str, api_url: str) -> str:
    """With SLACK_API_URL pointing somewhere other than slack.com (a proxy, a local fake), file
    downloads from Slack's hosts go there too, as every other Slack call does."""
    api = urlsplit(api_url)
    target = urlsplit(url)
    api_host = (api.hostname or "").lower()
    if not api_host or api_host == "slack.com" or api_host.endswith(".slack.com"):
        return url
    host = (target.hostname or "").lower()
    if host == "slack.com" or host.endswith((".slack.com", ".slack-edge.com")):
        return target._replace(scheme=api.scheme, netloc=api.netloc).geturl()
    return url


def _token_may_go_to(url: str, api_url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    api_host = (urlsplit(api_url).hostname or "").lower()
    slack_host = host == "slack.com" or host.endswith(".slack.com") or host.endswith(".slack-edge.com")
    return slack_host or (bool(api_host) and host == api_host)


def _refuse_login_page(chunk: bytes) -> None:
    if chunk[:15].lstrip().lower().startswith((b"<!doctype html", b"<html")):
        raise DownloadFailed(LOGIN_PAGE)


class SlackDownloader:
    """One aiohttp session for every Slack download the process makes."""

    def __init__(self, bot_token: str, api_url: str) -> None:
        self._token = bot_token
        self._api_url = api_url
        self._session: aiohttp.ClientSession | None = None
        self._parent: SlackDownloader | None = None

    def with_token(self, bot_token: str) -> SlackDownloader:
        """The same downloader (and connections) with another workspace's token."""
        other = SlackDownloader(bot_token, self._api_url)
        other._parent = self
        return other

    def _client(self) -> aiohttp.ClientSession:
        if self._parent is not None:
            return self._parent._client()
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300, sock_read=60))
        return self._session

    async def download(self, file: SharedFile, max_bytes: int) -> bytes:
        """The file's bytes (for files that are needed whole, e.g. images sent as data URLs)."""
        chunks: list[bytes] = []
        await self._stream(file, max_bytes, chunks.append)
        return b"".join(chunks)

    async def download_to_disk(self, file: SharedFile, max_bytes: int) -> BinaryIO:
        """The file streamed into a temporary file (read from the start; closing deletes it), so
        large audio is never held in memory, let alone twice."""
        spool = tempfile.TemporaryFile()

        async def write(chunk: bytes) -> None:
            await asyncio.to_thread(spool.write, chunk)

        try:
            await self._stream(file, max_bytes, write)
            spool.seek(0)
        except BaseException:
            spool.close()
            raise
        return spool

    async def _stream(self, file: SharedFile, max_bytes: int, sink: Callable[[bytes], object]) -> None:
        limit_mb = max_bytes // (1024 * 1024)
        if file.size is not None and file.size > max_bytes:
            raise DownloadFailed(
                f"`{file.name}` is {file.size / 1048576:.1f} MB; the limit is {limit_mb} MB."
            )
        if not file.url:
            raise DownloadFailed(f"Slack gave no download link for `{file.name}`.")
        if not _token_may_go_to(file.url, self._api_url):
            raise DownloadFailed(
                f"`{file.name}` is not stored in Slack, so I will not fetch it with my token."
            )
        headers = {"Authorization": f"Bearer {self._token}"}
        url = _follow_api_host(file.url, self._api_url)
        async with self._client().get(url, headers=headers, allow_redirects=False) as response:
            if response.status != 200:
                raise DownloadFailed(f"Slack answered HTTP {response.status} for `{file.name}`.")
            if (response.content_type or "").startswith("text/html"):
                raise DownloadFailed(LOGIN_PAGE)
            await stream_limited(
                response,
                max_bytes,
                sink,
                too_large=DownloadFailed(f"`{file.name}` is larger than {limit_mb} MB, the limit."),
                check_first=_refuse_login_page,
                chunk_bytes=CHUNK_BYTES,
            )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
