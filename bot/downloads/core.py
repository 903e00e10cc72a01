"""The one way a body is read: streamed, refused as soon as it is known to be too large (from
Content-Length before reading, and while reading, since a Content-Length may lie)."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol, cast

CHUNK_BYTES = 64 * 1024


class DownloadFailed(Exception):
    """A download that did not work out; the message says why, in words for the person in Slack."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Content(Protocol):
    def iter_chunked(self, n: int) -> AsyncIterator[bytes]: ...


class Response(Protocol):
    """The part of aiohttp.ClientResponse the core reads."""

    @property
    def content_length(self) -> int | None: ...

    @property
    def content(self) -> _Content: ...


def larger_than(max_bytes: int) -> DownloadFailed:
    mb = max_bytes / (1024 * 1024)
    return DownloadFailed(
        f"the file is larger than {mb:g} MB" if mb >= 1 else f"the file is larger than {max_bytes} bytes"
    )


Sink = Callable[[bytes], object] | Callable[[bytes], Awaitable[object]]


async def stream_limited(
    response: Response,
    max_bytes: int,
    sink: Sink,
    *,
    too_large: DownloadFailed | None = None,
    check_first: Callable[[bytes], None] | None = None,
    chunk_bytes: int = CHUNK_BYTES,
) -> int:
    """Give the body to `sink` chunk by chunk (awaited when it is a coroutine function); the size.

    `check_first` sees the first chunk and may raise (e.g. a login page instead of a file)."""
    refusal = too_large or larger_than(max_bytes)
    if response.content_length is not None and response.content_length > max_bytes:
        raise refusal
    size = 0
    awaited = inspect.iscoroutinefunction(sink)
    async for chunk in response.content.iter_chunked(chunk_bytes):
        if size == 0 and check_first is not None:
            check_first(chunk)
        size += len(chunk)
        if size > max_bytes:
            raise refusal
        result = sink(chunk)
        if awaited:
            await cast(Awaitable[object], result)  # iscoroutinefunction said so
    return size


async def read_limited(
    response: Response, max_bytes: int, *, too_large: DownloadFailed | None = None
) -> bytes:
    """The whole body, DownloadFailed as soon as it is known to exceed `max_bytes`."""
    chunks: list[bytes] = []
    await stream_limited(response, max_bytes, chunks.append, too_large=too_large)
    return b"".join(chunks)
