"""An answer that appears in a Slack thread as the tokens arrive.

Streams with Slack's chat.startStream/appendStream/stopStream (slack_sdk's `chat_stream`), flushing
by size *and* by time so the first words show at once and a slow model still shows progress. Where
Slack refuses streaming (or a stream expires), it falls back to one message edited with
`chat.update`, throttled by time so Slack's rate limits are never hit. Markdown is sent as
`markdown_text`, which Slack renders.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_chat_stream import AsyncChatStream
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

# Slack takes at most 12,000 characters of markdown_text a call; keep a margin for the notices.
MESSAGE_LIMIT = 11_000
STREAM_BUFFER = 256
EXPIRED = {"message_not_in_streaming_state", "message_not_found", "cant_update_message"}

OnStarted = Callable[[str], Awaitable[None]]


def _error(exc: SlackApiError) -> str:
    return str(exc.response.get("error", "")) if exc.response is not None else ""


class StreamedReply:
    def __init__(
        self,
        client: AsyncWebClient,
        *,
        channel: str,
        thread_ts: str,
        user_id: str | None,
        team_id: str | None,
        flush_seconds: float = 0.3,
        update_seconds: float = 1.5,
        existing_ts: str | None = None,
        on_started: OnStarted | None = None,
    ) -> None:
        self._client = client
        self._channel = channel
        self._thread_ts = thread_ts
        self._user_id = user_id
        self._team_id = team_id
        self._flush_seconds = flush_seconds
        self._update_seconds = update_seconds
        self._on_started = on_started
        self._lock = asyncio.Lock()
        self._stream: AsyncChatStream | None = None
        # A resumed job writes into the message its earlier attempt started, never a second one.
        self._streaming = existing_ts is None
        self._ts: str | None = existing_ts
        self._earlier_ts: list[str] = []
        self._text = ""  # everything said in the current message
        self._pending = 0  # characters appended but not yet sent
        self._last_sent = 0.0
        self._ticker: asyncio.Task[None] | None = None
        self._finished = False
        # Blocks that end the finished answer (the feedback buttons), on its last message only.
        self._final_blocks: list[dict[str, Any]] | None = None
        # The earlier attempt's stream may still be open: close it before editing the message.
        self._close_stream_first = existing_ts is not None

    @property
    def ts(self) -> str | None:
        return self._ts

    @property
    def message_ts(self) -> list[str]:
        return [*self._earlier_ts, *([self._ts] if self._ts else [])]

    async def set_status(self, status: str, loading_messages: list[str] | None = None) -> None:
        """Show that the bot is working (cleared by Slack when the answer is posted)."""
        with contextlib.suppress(SlackApiError):
            await self._client.assistant_threads_setStatus(
                channel_id=self._channel,
                thread_ts=self._thread_ts,
                status=status,
                loading_messages=loading_messages,
            )

    async def append(self, text: str) -> None:
        if not text:
            return
        async with self._lock:
            self._text += text
            self._pending += len(text)
            if self._streaming:
                await self._append_streaming(text)
            else:
                await self._update_if_due(force=self._ts is None)
            self._start_ticker()

    async def finish(self, extra: str = "", blocks: list[dict[str, Any]] | None = None) -> None:
        """Send what is left; `extra` (a notice, a footer) is added at the end, `blocks` (such as
        feedback buttons) below the answer, on its last message."""
        await self._stop_ticker()
        async with self._lock:
            self._final_blocks = blocks or None
            if extra:
                self._text += extra
                self._pending += len(extra)
            if not self._text:
                self._text = "_(The model returned an empty answer.)_"
                self._pending = len(self._text)
            if self._streaming:
                await self._stop_streaming(extra)
            if not self._streaming:
                await self._update_if_due(force=True)
            self._finished = True

    async def fail(self, message: str) -> None:
        """End the reply with a readable failure; a partial answer stays, the message follows it."""
        separator = "\n\n" if self._text else ""
        await self.finish(separator + message)

    # -- streaming -----------------------------------------------------------------------------

    async def _append_streaming(self, text: str) -> None:
        try:
            if self._stream is None:
                self._stream = await self._client.chat_stream(
                    channel=self._channel,
                    thread_ts=self._thread_ts,
                    recipient_user_id=self._user_id,
                    recipient_team_id=self._team_id,
                    buffer_size=STREAM_BUFFER,
                )
                await self._stream.append(markdown_text=text)
                await self._flush_stream()  # the first words show at once
                await self._started(self._stream.ts)
                return
            if len(self._text) > MESSAGE_LIMIT * 3:
                raise _Overflow
            await self._stream.append(markdown_text=text)
            if self._pending >= STREAM_BUFFER:
                self._pending = 0
                self._last_sent = time.monotonic()
        except SlackApiError as exc:
            await self._fall_back(_error(exc))
        except _Overflow:
            await self._fall_back("too_long")

    async def _flush_stream(self) -> None:
        if self._stream is not None and self._pending:
            await self._stream.append(chunks=[])
            self._pending = 0
            self._last_sent = time.monotonic()

    async def _stop_streaming(self, extra: str) -> None:
        try:
            if self._stream is None:
                self._stream = await self._client.chat_stream(
                    channel=self._channel,
                    thread_ts=self._thread_ts,
                    recipient_user_id=self._user_id,
                    recipient_team_id=self._team_id,
                    buffer_size=STREAM_BUFFER,
                )
                await self._stream.append(markdown_text=self._text)
                await self._stream.stop(blocks=self._final_blocks)
                await self._started(self._stream.ts)
            else:
                await self._stream.stop(markdown_text=extra or None, blocks=self._final_blocks)
            self._pending = 0
        except SlackApiError as exc:
            await self._fall_back(_error(exc))

    async def _fall_back(self, reason: str) -> None:
        """Streaming refused or expired: carry on with post + chat.update on the same message."""
        log.info("streaming unavailable (%s); falling back to chat.update", reason or "error")
        self._streaming = False
        if self._stream is not None and self._stream.ts:
            self._ts = self._stream.ts
            if reason not in EXPIRED:
                with contextlib.suppress(SlackApiError):
                    await self._client.chat_stopStream(channel=self._channel, ts=self._ts)
        await self._update_if_due(force=True)

    # -- post + update -------------------------------------------------------------------------

    async def _update_if_due(self, force: bool) -> None:
        if not force and time.monotonic() - self._last_sent < self._update_seconds:
            return
        while len(self._text) > MESSAGE_LIMIT:
            # Close this message at a line break and carry on in a new one: never cut off.
            cut = self._text.rfind("\n", 0, MESSAGE_LIMIT)
            cut = cut if cut > MESSAGE_LIMIT // 2 else MESSAGE_LIMIT
            head, self._text = self._text[:cut], self._text[cut:].lstrip("\n")
            await self._write(head, last=False)
            if self._ts:
                self._earlier_ts.append(self._ts)
            self._ts = None
        await self._write(self._text)
        self._pending = 0
        self._last_sent = time.monotonic()

    async def _write(self, text: str, last: bool = True) -> None:
        if self._ts is None:
            response = await self._client.chat_postMessage(
                channel=self._channel, thread_ts=self._thread_ts, **self._content(text, last)
            )
            await self._started(str(response["ts"]))
        else:
            if self._close_stream_first:
                self._close_stream_first = False
                with contextlib.suppress(SlackApiError):
                    await self._client.chat_stopStream(channel=self._channel, ts=self._ts)
            try:
                await self._client.chat_update(
                    channel=self._channel, ts=self._ts, **self._content(text, last)
                )
            except SlackApiError as exc:
                if _error(exc) not in EXPIRED:
                    raise
                self._ts = None
                await self._write(text, last)

    def _content(self, text: str, last: bool) -> dict[str, Any]:
        """markdown_text, or (on the finished answer's last message, which carries blocks) the same
        text as a markdown block above them: Slack takes markdown_text or blocks, not both."""
        if self._final_blocks is None or not last:
            return {"markdown_text": text}
        return {"text": text, "blocks": [{"type": "markdown", "text": text}, *self._final_blocks]}

    async def _started(self, ts: str | None) -> None:
        if ts and ts != self._ts:
            self._ts = ts
            if self._on_started is not None:
                await self._on_started(ts)
        self._last_sent = time.monotonic()

    # -- time-based flushing -------------------------------------------------------------------

    def _start_ticker(self) -> None:
        if self._ticker is None and not self._finished:
            self._ticker = asyncio.create_task(self._tick())

    async def _stop_ticker(self) -> None:
        if self._ticker is not None:
            # Cancel only while holding the lock: a flush cut short mid-call would be sent twice.
            async with self._lock:
                self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None

    async def _tick(self) -> None:
        interval = self._flush_seconds if self._streaming else self._update_seconds
        while True:
            await asyncio.sleep(interval / 2)
            async with self._lock:
                if not self._pending or time.monotonic() - self._last_sent < (
                    self._flush_seconds if self._streaming else self._update_seconds
                ):
                    continue
                try:
                    if self._streaming:
                        await self._flush_stream()
                    else:
                        await self._update_if_due(force=True)
                except SlackApiError as exc:
                    if self._streaming:
                        await self._fall_back(_error(exc))
                    else:
                        log.warning("could not update the reply: %s", _error(exc))


class _Overflow(Exception):
    """A streamed message grew past what one Slack message should hold."""
