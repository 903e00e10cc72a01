"""An answer that appears in a Slack thread as the tokens arrive, within Slack's rate budget.

How it reaches Slack is chosen when the first words are ready, from the workspace's budget
(`rate_budget`), so that a burst changes the form of answers instead of queueing them or
drawing 429s:

* "stream": Slack's chat.startStream/appendStream/stopStream (slack_sdk's `chat_stream`), while a
  start *and* a stop both fit (Tier 2, about 20 a minute); both are reserved up front, so a stream
  once begun can always be closed. Flushed by size and by time, appends only when they fit.
* "edited": the first words posted at once, then that one message edited with `chat.update`
  (Tier 3), no faster than the budget allows; the final edit is reserved up front.
* "posted": the whole answer in one chat.postMessage when it is complete, paced per channel.

Where Slack refuses streaming (or a stream expires), a stream carries on as an edited message.
Markdown is sent as `markdown_text`, which Slack renders.
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

from bot.rate_limits.budget import Budget, Slot, optional, prepaid
from bot.rate_limits.client import BudgetedWebClient

log = logging.getLogger(__name__)

# Slack takes at most 12,000 characters of markdown_text a call; keep a margin for the notices.
MESSAGE_LIMIT = 11_000
STREAM_BUFFER = 256
EXPIRED = {"message_not_in_streaming_state", "message_not_found", "cant_update_message"}
EMPTY_ANSWER = "_(The model returned an empty answer.)_"

OnStarted = Callable[[str], Awaitable[None]]
STREAM, EDITED, POSTED = "stream", "edited", "posted"
UNLIMITED = Budget(limits={})


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
        self._finishing = False
        # Blocks that end the finished answer (the feedback buttons), on its last message only.
        self._final_blocks: list[dict[str, Any]] | None = None
        # The earlier attempt's stream may still be open: close it before editing the message.
        self._close_stream_first = existing_ts is not None
        self._budget = client.budget if isinstance(client, BudgetedWebClient) else UNLIMITED
        self._workspace = client.workspace if isinstance(client, BudgetedWebClient) else ""
        self._path: str | None = EDITED if existing_ts is not None else None
        self._start_slot: Slot | None = None
        self._stop_slot: Slot | None = None
        self._update_slot: Slot | None = None

    @property
    def ts(self) -> str | None:
        return self._ts

    @property
    def path(self) -> str:
        """How the answer reached Slack: "stream", "edited" or "posted"."""
        return self._path or POSTED

    @property
    def message_ts(self) -> list[str]:
        return [*self._earlier_ts, *([self._ts] if self._ts else [])]

    async def set_status(self, status: str, loading_messages: list[str] | None = None) -> None:
        """Show that the bot is working (cleared by Slack when the answer is posted)."""
        with optional(), contextlib.suppress(SlackApiError):
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
            if self._path is None:
                await self._choose_path()
            if self._path == POSTED:
                return  # all of it, once, at the end
            if self._streaming:
                await self._append_streaming(text)
            elif self._ts is None:
                await self._update_if_due(force=True)  # the first words, posted at once
            else:
                with optional():  # an edit in between is shown when the budget has room for it
                    await self._update_if_due(force=False)
            self._start_ticker()

    @property
    def said(self) -> str:
        """What the current message says so far (a job records it, finished, before finishing)."""
        return self._text

    async def finish_as(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """Make the message read `text`, finished: a resumed job re-delivering its recorded answer."""
        await self._stop_ticker()
        async with self._lock:
            self._text, self._pending = "", 0
        await self.finish(text, blocks)

    async def finish(self, extra: str = "", blocks: list[dict[str, Any]] | None = None) -> None:
        """Send what is left; `extra` (a notice, a footer) is added at the end, `blocks` (such as
        feedback buttons) below the answer, on its last message."""
        await self._stop_ticker()
        async with self._lock:
            self._finishing = True
            self._final_blocks = blocks or None
            if extra:
                self._text += extra
                self._pending += len(extra)
            if not self._text:
                self._text = EMPTY_ANSWER
                self._pending = len(self._text)
            if self._path is None:
                await self._choose_path()
            try:
                if self._streaming:
                    await self._stop_streaming(extra)
                if not self._streaming and (self._pending or self._ts is None or self._final_blocks):
                    with prepaid(self._update_slot):
                        await self._update_if_due(force=True)
            finally:
                await self._budget.release(self._start_slot, self._stop_slot, self._update_slot)
            self._finished = True

    async def fail(self, message: str) -> None:
        """End the reply with a readable failure; a partial answer stays, the message follows it."""
        separator = "\n\n" if self._text else ""
        await self.finish(separator + message)

    # -- the path ------------------------------------------------------------------------------

    async def _choose_path(self) -> None:
        """Stream if a start and a stop both fit; else one edited message if its last edit fits;
        else the whole answer posted once."""
        budget, workspace = self._budget, self._workspace
        self._start_slot = await budget.try_reserve(workspace, "chat.startStream")
        if self._start_slot is not None:
            self._stop_slot = await budget.try_reserve(workspace, "chat.stopStream")
            if self._stop_slot is not None:
                self._path = STREAM
                return
            await budget.release(self._start_slot)
            self._start_slot = None
        self._streaming = False
        self._update_slot = await budget.try_reserve(workspace, "chat.update")
        self._path = EDITED if self._update_slot is not None else POSTED
        log.debug("the stream budget is spent: this answer is %s", self._path)

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
                with prepaid(self._start_slot):
                    await self._stream.append(markdown_text=text)
                    await self._flush_stream()  # the first words show at once
                await self._started(self._stream.ts)
                return
            if len(self._text) > MESSAGE_LIMIT * 3:
                raise _Overflow
            # An append that does not fit now waits in slack_sdk's buffer for the next one (or the
            # stop); only a buffer near one call's limit is sent whatever the wait.
            with contextlib.ExitStack() as scope:
                if self._pending < MESSAGE_LIMIT:
                    scope.enter_context(optional())
                if await self._stream.append(markdown_text=text) is not None:
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
                with prepaid(self._start_slot, self._stop_slot):
                    await self._stream.append(markdown_text=self._text)
                    await self._stream.stop(blocks=self._final_blocks)
                await self._started(self._stream.ts)
            else:
                with prepaid(self._stop_slot):
                    await self._stream.stop(markdown_text=extra or None, blocks=self._final_blocks)
            self._pending = 0
        except SlackApiError as exc:
            await self._fall_back(_error(exc))

    async def _fall_back(self, reason: str) -> None:
        """Streaming refused or expired: carry on with post + chat.update on the same message."""
        log.info("streaming unavailable (%s); falling back to chat.update", reason or "error")
        self._streaming = False
        self._path = EDITED
        if self._stream is not None and self._stream.ts:
            self._ts = self._stream.ts
            if reason not in EXPIRED:
                with prepaid(self._stop_slot), contextlib.suppress(SlackApiError):
                    await self._client.chat_stopStream(channel=self._channel, ts=self._ts)
        if self._ts is None:
            await self._update_if_due(force=True)
        else:
            with optional():  # the message is there; the final edit brings it up to date
                await self._update_if_due(force=True)

    # -- post + update -------------------------------------------------------------------------

    async def _update_if_due(self, force: bool) -> None:
        if not force and time.monotonic() - self._last_sent < self._update_seconds:
            return
        while len(self._text) > MESSAGE_LIMIT:
            # Close this message at a line break and carry on in a new one: never cut off.
            cut = self._text.rfind("\n", 0, MESSAGE_LIMIT)
            cut = cut if cut > MESSAGE_LIMIT // 2 else MESSAGE_LIMIT
            head, rest = self._text[:cut], self._text[cut:].lstrip("\n")
            await self._write(head, last=False)
            self._text = rest
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
            # A message first posted by the finishing call (an answer posted whole) is not recorded
            # on its own: the job ends right after, and one cut short in between finds its reply
            # in the thread (find_earlier_reply) rather than costing every answer a transaction.
            if self._on_started is not None and not self._finishing:
                await self._on_started(ts)
        self._last_sent = time.monotonic()

    # -- time-based flushing -------------------------------------------------------------------

    def _start_ticker(self) -> None:
        if self._ticker is None and not self._finished and self._path != POSTED:
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
                    with optional():  # progress is shown when the budget has room for it
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
