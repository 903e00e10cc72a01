"""Downloads an action needs (e.g. an image URL a compatible server answers with): size-limited,
streamed, and never carrying a Slack token."""

from __future__ import annotations

import aiohttp


class DownloadError(Exception):
    """A readable reason the download failed."""


async def fetch_limited(url: str, max_bytes: int, total_seconds: float = 60.0) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise DownloadError("the answer pointed at something that is not a web address")
    client_timeout = aiohttp.ClientTimeout(total=total_seconds)
    async with aiohttp.ClientSession(timeout=client_timeout) as session, session.get(url) as response:
        if response.status != 200:
            raise DownloadError(f"the download answered HTTP {response.status}")
        if response.content_length is not None and response.content_length > max_bytes:
            raise DownloadError(f"the file is larger than {max_bytes // (1024 * 1024)} MB")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise DownloadError(f"the file is larger than {max_bytes // (1024 * 1024)} MB")
            chunks.append(chunk)
        return b"".join(chunks)
