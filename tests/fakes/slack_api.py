"""A fake Slack Web API + Socket Mode server for end-to-end tests.

FakeSlack is a real aiohttp server on 127.0.0.1 (ephemeral port). Point the bot's
``AsyncWebClient(base_url=fake.url)`` at it; Socket Mode follows automatically because
``apps.connections.open`` answers with a ``ws://`` URL on this server.

Everything the bot does is observable afterwards:

* ``calls``            every Web API call (``SlackCall``), in order, failed ones included
* ``messages``         messages in channels (bot posts, streams, file shares, and ``add_message`` ones)
* ``ephemerals``       ``chat.postEphemeral`` messages (kept apart: they are never in a thread's history)
* ``uploads`` / ``upload_batches``  files finished by ``files.completeUploadExternal``
* ``downloads``        GETs of ``url_private(_download)`` URLs (``FileTransfer``)
* ``socket_acks``      acks the Socket Mode client sent back

Behaviour worth knowing (realistic Slack rules the fake enforces):

* Errors are HTTP 200 ``{"ok": false, "error": ...}`` unless injected with another status.
* No token -> ``not_authed``; a token other than ``bot_token`` or an installed workspace's token
  (``app_token`` for ``apps.connections.open``) -> ``invalid_auth``.
* Many workspaces: ``add_workspace`` makes another workspace with its own bot token and identity
  (``auth.test`` answers per token); ``oauth_code`` issues a single-use code that
  ``oauth.v2.access`` (client id and secret in Basic auth or the form) exchanges for that token;
  ``uninstall`` revokes a workspace's token (``token_revoked``). Unknown methods -> ``unknown_method``.
* ``chat.postMessage``/``chat.update``: ``markdown_text`` together with ``text`` or ``blocks`` ->
  ``markdown_text_conflict``; nothing to show -> ``no_text``; ``markdown_text`` over 12,000 chars or
  ``text`` over 40,000 -> ``msg_too_long``.
* ``chat.startStream`` needs ``thread_ts`` (``invalid_arguments``); in channels (ids starting with
  C or G) also ``recipient_user_id`` / ``recipient_team_id`` (``missing_recipient_user_id`` /
  ``missing_recipient_team_id``). ``chat.update`` on a message that is still streaming answers
  ``streaming_state_conflict`` (reported live behaviour; switch off with
  ``update_streaming_conflict=False``).
* ``chat.update`` with ``text`` and/or ``markdown_text`` replaces both (a missing one becomes None);
  ``blocks`` are kept unless given (``[]`` clears them), as in Slack.
* ``hold_after(method)`` carries out the next call to ``method`` and holds its answer (for kill
  tests: Slack did the work, the bot never heard); ``hold_before(method)`` holds it unserved.
* ``files.completeUploadExternal`` with a channel also posts a bot message carrying the files
  (``text`` = ``initial_comment``), so it shows in ``thread_messages`` like in Slack.

Rate limits (off by default): ``FakeSlack(enforce_rate_limits=True)`` (or set the attribute later)
applies Slack's published tiers (``RATE_LIMITS``) per team and method over a sliding window of
``rate_window_seconds`` (60 s), and chat.postMessage's per-channel limit as a token bucket. A call
over its limit answers HTTP 429, ``Retry-After: <whole seconds>``, ``{"ok": false, "error":
"ratelimited"}``: it stays in ``calls`` (with ``rate_limited=True``) and is counted in
``rate_limited_calls``, but the method does not run (no message, update, upload...). Whether
enforced or not, served calls are timed, so ``peak_calls_per_minute()`` and
``peak_calls_per_channel()`` tell how close a client came to the limits. A call is served when it
reaches its method (past ``fail_next`` and the token checks), whatever the method answers; injected
failures and auth errors are neither limited nor counted.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import math
import mimetypes
import time
import uuid
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias, TypeVar
from urllib.parse import quote

from aiohttp import WSMsgType, web

T = TypeVar("T")

DEFAULT_SCOPES = (
    "app_mentions:read,channels:history,groups:history,im:history,mpim:history,chat:write,commands,"
    "files:read,files:write,users:read,assistant:write"
)

# Argument values that are never decoded from JSON, even when they look like JSON.
_PLAIN_TEXT_ARGS = frozenset(
    {
        "text", "markdown_text", "initial_comment", "title", "filename", "alt_txt", "status", "name",
        "query", "username", "icon_emoji", "icon_url", "snippet_type", "user", "user_id", "channel",
        "channel_id", "ts", "thread_ts", "timestamp", "trigger_id", "view_id", "external_id", "hash",
        "cursor", "limit", "file", "length",
    }
)  # fmt: skip

LOGIN_PAGE_HTML = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Slack</title></head>'
    '<body><h1>Sign in to Fake Workspace</h1><form action="/signin" method="post">'
    '<input type="email" name="email"><button>Sign In</button></form></body></html>'
)

MARKDOWN_TEXT_LIMIT = 12_000
TEXT_LIMIT = 40_000


# --------------------------------------------------------------------------- rate limits


@dataclass(frozen=True)
class Tier:
    """At most ``per_minute`` served calls per team and method in any sliding one-minute window."""

    name: str
    per_minute: int

    def __str__(self) -> str:
        return f"{self.name} {self.per_minute}/min"


@dataclass(frozen=True)
class ChannelBucket:
    """A token bucket per team, method and channel: ``burst`` calls at once, ``per_second`` sustained."""

    burst: int
    per_second: float

    def __str__(self) -> str:
        return f"{self.per_second:g}/s per channel, burst {self.burst}"


RateLimit: TypeAlias = Tier | ChannelBucket

TIER_1 = Tier("Tier 1", 1)
TIER_2 = Tier("Tier 2", 20)
TIER_3 = Tier("Tier 3", 50)
TIER_4 = Tier("Tier 4", 100)

# Slack's published limit of each method the fake serves (docs.slack.dev, "Rate limits" and each
# method's page). Tiers are per workspace and method; calls beyond them answer 429 + Retry-After.
# chat.postMessage is "special": about one message per second per channel, short bursts allowed;
# modelled as a token bucket of 5 per channel refilled at 1 per second (the workspace-wide cap of
# "several hundred a minute" is not modelled). auth.test is "special" too (Slack allows plenty):
# Tier 4 here. Slack gives conversations.replies only 1/min (Tier 1) to non-Marketplace apps
# created since 2025; the fake uses the classic Tier 3 (override with ``rate_limits=``).
RATE_LIMITS: dict[str, RateLimit] = {
    "auth.test": TIER_4,
    "apps.connections.open": TIER_1,
    "chat.postMessage": ChannelBucket(burst=5, per_second=1.0),
    "chat.update": TIER_3,
    "chat.postEphemeral": TIER_4,
    "chat.delete": TIER_3,
    "chat.startStream": TIER_2,
    "chat.appendStream": TIER_4,
    "chat.stopStream": TIER_2,
    "assistant.threads.setStatus": TIER_3,
    "assistant.threads.setSuggestedPrompts": TIER_3,
    "assistant.threads.setTitle": TIER_3,
    "conversations.replies": TIER_3,
    "conversations.info": TIER_3,
    "users.info": TIER_4,
    "files.getUploadURLExternal": TIER_4,
    "files.completeUploadExternal": TIER_4,
    "files.info": TIER_4,
    "views.open": TIER_4,
    "views.push": TIER_4,
    "views.update": TIER_4,
    "views.publish": TIER_4,
    "reactions.add": TIER_3,
    "reactions.remove": TIER_2,
}


# --------------------------------------------------------------------------- records


@dataclass
class FakeWorkspace:
    """A workspace the app can be installed into with OAuth, with its own bot token and user."""

    team_id: str
    name: str
    bot_token: str
    bot_user_id: str
    bot_id: str
    installed: bool = True


@dataclass
class SlackCall:
    """One Web API request as the fake received it."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    token: str | None
    http_method: str = "POST"
    rate_limited: bool = False  # answered 429 by the enforced rate limits; the method did not run
    at: float = field(default_factory=time.monotonic)  # when the fake received it


@dataclass
class SlackMessage:
    """A message in a channel. Bot messages have ``user == bot_user_id``."""

    channel: str
    ts: str
    thread_ts: str | None = None
    text: str | None = None
    markdown_text: str | None = None
    blocks: list[dict[str, Any]] | None = None
    user: str = "UBOT"
    streaming: bool = False
    updates: list[dict[str, Any]] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    # Every chunk a stream received (start, appends, stop), markdown and task/plan chunks alike.
    chunks: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, Any] | None = None
    deleted: bool = False
    is_bot: bool = False
    ephemeral_user: str | None = None
    # The arguments of the call that created the message, and its method (None: ``add_message``).
    args: dict[str, Any] = field(default_factory=dict)
    created_by: str | None = None

    @property
    def visible_text(self) -> str:
        """What a reader sees as text: ``markdown_text`` when set, else ``text``."""
        if self.markdown_text:
            return self.markdown_text
        return self.text or ""

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    def to_api(self, bot_id: str) -> dict[str, Any]:
        """The message as conversations.replies / chat.* responses show it."""
        out: dict[str, Any] = {"type": "message", "ts": self.ts, "user": self.user, "text": self.visible_text}
        if self.is_bot:
            out["bot_id"] = bot_id
            out["app_id"] = "A0TEST"
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        if self.blocks:
            out["blocks"] = self.blocks
        if self.files:
            out["files"] = self.files
            out["upload"] = True
        if self.metadata:
            out["metadata"] = self.metadata
        return out


@dataclass
class UploadedFile:
    """A file finished by files.completeUploadExternal."""

    file_id: str
    filename: str
    title: str
    content: bytes
    channel: str | None
    thread_ts: str | None
    initial_comment: str | None
    length: int | None = None  # the length declared to files.getUploadURLExternal


@dataclass
class FileTransfer:
    """A GET of a private file URL (``downloads``) or a POST to an upload URL (``upload_posts``)."""

    path: str
    file_id: str | None
    headers: dict[str, str]
    token: str | None
    status: int
    served: str  # "file", "login_page", "not_found", "stored", "failed"
    size: int = 0


@dataclass
class _Failure:
    error: str
    status: int
    headers: dict[str, str]
    remaining: int


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class _StoredFile:
    obj: dict[str, Any]
    content: bytes
    login_page: bool = False


@dataclass
class _PendingUpload:
    file_id: str
    filename: str
    length: int | None
    alt_txt: str | None
    content: bytes | None = None


class Hold:
    """A call carried out whose answer is held (see ``FakeSlack.hold_after``)."""

    def __init__(self, before: bool) -> None:
        self.before = before
        self.reached = asyncio.Event()  # set once the call is being held
        self._released = asyncio.Event()

    def release(self) -> None:
        self._released.set()

    async def keep(self, request: web.Request) -> None:
        self.reached.set()
        while not self._released.is_set() and request.transport is not None:
            if request.transport.is_closing():
                return
            await asyncio.sleep(0.02)


class _SlackError(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


# --------------------------------------------------------------------------- server


class FakeSlack:
    """Fake Slack. ``async with FakeSlack() as slack:`` or ``await slack.start()`` / ``stop()``."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-test-bot-token",
        app_token: str = "xapp-test-app-token",
        team_id: str = "T0TEST",
        bot_user_id: str = "UBOT",
        bot_id: str = "B0BOT",
        scopes: str = DEFAULT_SCOPES,
        refuse_streaming: bool = False,
        streaming_refusal_error: str = "channel_type_not_supported",
        expire_streams_after_appends: int | None = None,
        update_streaming_conflict: bool = True,
        replies_max_limit: int = 1000,
        enforce_rate_limits: bool = False,
        rate_window_seconds: float = 60.0,
        rate_limits: Mapping[str, RateLimit] | None = None,
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.scopes = scopes
        # chat.startStream answers {"ok": false, "error": streaming_refusal_error}. Slack documents no
        # single "streaming unavailable" code; channel_type_not_supported is one it lists for the
        # method. Bots should fall back on any startStream error, not on this exact name.
        self.refuse_streaming = refuse_streaming
        self.streaming_refusal_error = streaming_refusal_error
        # After N successful appendStream calls on a stream, the next appendStream/stopStream answers
        # message_not_in_streaming_state (the stream is then a normal message: chat.update works).
        self.expire_streams_after_appends = expire_streams_after_appends
        self.update_streaming_conflict = update_streaming_conflict
        # conversations.replies never returns more than this per page (Slack: 15 for some apps).
        self.replies_max_limit = replies_max_limit
        # Rate limits (see the module docstring). rate_window_seconds is Slack's minute: shorten it
        # to test the window; the chat.postMessage bucket keeps real seconds. ``rate_limits``
        # entries replace those of RATE_LIMITS; methods in neither are never limited.
        self.enforce_rate_limits = enforce_rate_limits
        self.rate_window_seconds = rate_window_seconds
        self.rate_limits: dict[str, RateLimit] = {**RATE_LIMITS, **(rate_limits or {})}
        self.rate_limited_calls: Counter[str] = Counter()  # method -> 429s served by the limits

        self.calls: list[SlackCall] = []
        # Many workspaces: token -> workspace; OAuth codes -> team id (each used once).
        self.client_id = "111.222"
        self.client_secret = "fake-client-secret"
        self.workspaces: dict[str, FakeWorkspace] = {}
        self.oauth_codes: dict[str, str] = {}
        self.org_wide_codes: set[str] = set()  # codes of an Enterprise Grid org-wide install
        self.revoked_tokens: set[str] = set()
        self._token: str | None = None  # the token of the call being handled
        self.messages: list[SlackMessage] = []
        self.ephemerals: list[SlackMessage] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.files: dict[str, _StoredFile] = {}
        self.downloads: list[FileTransfer] = []
        self.upload_posts: list[FileTransfer] = []
        self.uploads: list[UploadedFile] = []
        self.upload_batches: list[list[UploadedFile]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.reactions: list[tuple[str, str, str]] = []  # (channel, timestamp, name)
        self.socket_acks: list[dict[str, Any]] = []
        self.socket_received: list[dict[str, Any]] = []
        self.socket_sent: list[dict[str, Any]] = []
        self.socket_connections = 0  # websocket connections accepted so far

        self._failures: dict[str, list[_Failure]] = {}
        self._holds: dict[str, Hold] = {}
        self.responses: list[dict[str, Any]] = []  # posts to response_url(...)
        self._pending_uploads: dict[str, _PendingUpload] = {}
        self._append_counts: dict[tuple[str, str], int] = {}
        # When served calls reached their method: (team, method) and (team, method, channel) -> times.
        self._served: dict[tuple[str, str], list[float]] = {}
        self._served_in_channel: dict[tuple[str, str, str], list[float]] = {}
        self._buckets: dict[tuple[str, str, str], _Bucket] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._ts_counter = itertools.count(1)
        self._id_counter = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "auth.revoke": self._auth_revoke,
            "oauth.v2.access": self._oauth_v2_access,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.delete": self._chat_delete,
            "chat.startStream": self._chat_start_stream,
            "chat.appendStream": self._chat_append_stream,
            "chat.stopStream": self._chat_stop_stream,
            "assistant.threads.setStatus": self._assistant_set_status,
            "assistant.threads.setSuggestedPrompts": self._assistant_set_suggested_prompts,
            "assistant.threads.setTitle": self._assistant_set_title,
            "conversations.replies": self._conversations_replies,
            "conversations.info": self._conversations_info,
            "users.info": self._users_info,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "files.info": self._files_info,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "reactions.add": self._reactions_add,
            "reactions.remove": self._reactions_remove,
            "apps.connections.open": self._apps_connections_open,
            "chat.getPermalink": self._chat_get_permalink,  # issue 15
        }

    # ------------------------------------------------------------------ lifecycle

    def response_url(self, key: str = "cmd") -> str:
        """A slash command's response_url pointing at this fake; posts land in `responses`."""
        return f"{self.base}/response/{key}"

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.responses.append({"key": request.match_info["key"], **body})
        return web.Response(text="ok")

    async def start(self) -> FakeSlack:
        app = web.Application(client_max_size=200 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_get("/socket-mode/link", self._handle_socket)
        app.router.add_get("/socket-mode/link/", self._handle_socket)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        app.router.add_post("/response/{key}", self._handle_response_url)
        app.router.add_get("/files-pri/{key}/{tail:.*}", self._handle_download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close(code=1001, message=b"fake slack stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeSlack is not started")
        return self._port

    @property
    def base(self) -> str:
        """http://127.0.0.1:PORT (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """slack_sdk base_url: http://127.0.0.1:PORT/api/"""
        return f"{self.base}/api/"

    # ------------------------------------------------------------------ test helpers

    def calls_to(self, method: str) -> list[SlackCall]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[SlackCall]:
        """Wait until ``method`` was called at least ``count`` times; return all calls to it."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls_to(method)
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                seen = [c.method for c in self.calls]
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {count} call(s) to {method} "
                    f"(got {len(found)}); methods seen: {seen}"
                )
            await asyncio.sleep(0.01)

    async def wait_until(self, predicate: Callable[[], T], timeout: float = 10.0, what: str = "") -> T:
        """Poll ``predicate`` until it returns something truthy; return that value."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                seen = [c.method for c in self.calls]
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {what or predicate}; methods seen: {seen}"
                )
            await asyncio.sleep(0.01)

    def fail_next(
        self,
        method: str,
        error: str = "internal_error",
        status: int = 200,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls to ``method`` with ``{"ok": false, "error": error}``.

        A status of 429 without headers gets ``Retry-After: 0``. Besides Web API method names,
        ``"upload"`` (POSTs to upload URLs) and ``"download"`` (private file GETs) can fail too.
        """
        hdrs = dict(headers or {})
        if status == 429 and not any(k.lower() == "retry-after" for k in hdrs):
            hdrs["Retry-After"] = "0"
        self._failures.setdefault(method, []).append(_Failure(error, status, hdrs, times))

    def hold_after(self, method: str) -> Hold:
        """Carry out the next call to ``method`` (its effect shows at once) but hold its answer
        until ``release()`` or until the client goes away: a test kills the bot in that window,
        after Slack did the work and before the bot heard that it did."""
        hold = Hold(before=False)
        self._holds[method] = hold
        return hold

    def hold_before(self, method: str) -> Hold:
        """Hold the next call to ``method`` before carrying it out: killed then, the bot's call
        never happens (a client gone away is not served)."""
        hold = Hold(before=True)
        self._holds[method] = hold
        return hold

    def peak_calls_per_minute(self) -> dict[str, int]:
        """Per method, the most served calls (429s left out) one team made in any sliding window of
        ``rate_window_seconds`` (a minute unless shortened). Recorded whether limits are enforced or not.
        """
        peaks: dict[str, int] = {}
        for (_, method), times in self._served.items():
            peaks[method] = max(peaks.get(method, 0), _peak(times, self.rate_window_seconds))
        return dict(sorted(peaks.items()))

    def peak_calls_per_channel(
        self, method: str = "chat.postMessage", window_seconds: float = 1.0
    ) -> dict[str, int]:
        """Per channel, the most served calls to ``method`` in any sliding window of ``window_seconds``."""
        peaks: dict[str, int] = {}
        for (_, called, channel), times in self._served_in_channel.items():
            if called == method:
                peaks[channel] = max(peaks.get(channel, 0), _peak(times, window_seconds))
        return dict(sorted(peaks.items()))

    def message(self, channel: str, ts: str) -> SlackMessage:
        for m in self.messages:
            if m.channel == channel and m.ts == ts:
                return m
        raise KeyError(f"no message {channel}/{ts}; have {[(m.channel, m.ts) for m in self.messages]}")

    def thread_messages(self, channel: str, thread_ts: str) -> list[SlackMessage]:
        """Bot messages (posts, streams, file shares) in that thread, oldest first; deleted ones left out."""
        return [
            m
            for m in self.messages
            if m.channel == channel and m.thread_ts == thread_ts and m.ts != thread_ts
            and m.is_bot and not m.deleted
        ]  # fmt: skip

    bot_replies = thread_messages

    def bot_messages(self, channel: str | None = None) -> list[SlackMessage]:
        """Every message the bot posted (top-level and replies), not deleted."""
        return [
            m
            for m in self.messages
            if m.is_bot and not m.deleted and (channel is None or m.channel == channel)
        ]

    async def wait_thread_messages(
        self,
        channel: str,
        thread_ts: str,
        count: int = 1,
        timeout: float = 10.0,
        settled: bool = True,
    ) -> list[SlackMessage]:
        """Wait for ``count`` bot messages in the thread (and, if ``settled``, none still streaming)."""

        def ready() -> list[SlackMessage]:
            found = self.thread_messages(channel, thread_ts)
            if len(found) < count or (settled and any(m.streaming for m in found)):
                return []
            return found

        return await self.wait_until(
            ready, timeout, f"{count} bot message(s) in thread {channel}/{thread_ts}"
        )

    def status_updates(self, channel: str, thread_ts: str) -> list[str]:
        """Statuses set with assistant.threads.setStatus on that thread, in order ("" = cleared)."""
        return [
            str(c.args.get("status", ""))
            for c in self.calls_to("assistant.threads.setStatus")
            if c.args.get("channel_id") == channel and c.args.get("thread_ts") == thread_ts
        ]

    def add_message(
        self,
        channel: str,
        ts: str | None,
        text: str,
        user: str,
        thread_ts: str | None = None,
        files: list[dict[str, Any]] | None = None,
        **extra: Any,
    ) -> SlackMessage:
        """Store a (user) message so conversations.replies returns it. ``ts=None`` generates one."""
        msg = SlackMessage(
            channel=channel,
            ts=ts or self._next_ts(),
            thread_ts=thread_ts,
            text=text,
            user=user,
            files=list(files or []),
            is_bot=user == self.bot_user_id,
            args=dict(extra),
        )
        self.messages.append(msg)
        return msg

    def add_user(
        self,
        user_id: str,
        name: str | None = None,
        real_name: str | None = None,
        display_name: str | None = None,
        tz: str = "UTC",
        **extra: Any,
    ) -> dict[str, Any]:
        user = self._default_user(user_id)
        if name is not None:
            user["name"] = name
        if real_name is not None:
            user["real_name"] = real_name
            user["profile"]["real_name"] = real_name
        if display_name is not None:
            user["profile"]["display_name"] = display_name
        user["tz"] = tz
        user.update(extra)
        self.users[user_id] = user
        return user

    def add_file(
        self,
        content: bytes,
        name: str,
        mimetype: str,
        filetype: str,
        file_id: str | None = None,
        subtype: str | None = None,
        login_page: bool = False,
        size: int | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Store a downloadable file and return its Slack file object (extra keys are merged in)."""
        obj = self._store_file(
            content, name, mimetype, filetype, file_id=file_id, title=name, login_page=login_page
        )
        if size is not None:
            obj["size"] = size
        if subtype is not None:
            obj["subtype"] = subtype
        obj.update(extra)
        return obj

    def file_stub(self, file_id: str) -> dict[str, Any]:
        """A Slack Connect style stub (``file_access: check_file_info``); files.info gives the full object."""
        return {
            "id": file_id,
            "mode": "hosted",
            "file_access": "check_file_info",
            "created": 0,
            "timestamp": 0,
        }

    def file_content(self, file_id: str) -> bytes:
        return self.files[file_id].content

    def expire_stream(self, channel: str, ts: str) -> None:
        """Make an open stream expire now: later append/stop calls answer message_not_in_streaming_state."""
        self.message(channel, ts).streaming = False

    # ------------------------------------------------------------------ socket mode helpers

    @property
    def socket_connected(self) -> bool:
        return any(not ws.closed for ws in self._sockets)

    async def wait_socket_connected(self, timeout: float = 10.0, count: int = 1) -> None:
        """Wait for a connected Socket Mode client (``count``: connections so far, for reconnect tests)."""
        await self.wait_until(
            lambda: self.socket_connected and self.socket_connections >= count,
            timeout,
            f"socket mode connection #{count}",
        )

    async def send_socket_message(self, message: dict[str, Any]) -> None:
        """Send any JSON message to the newest connected Socket Mode client."""
        await self.wait_socket_connected()
        ws = next(ws for ws in reversed(self._sockets) if not ws.closed)
        self.socket_sent.append(message)
        await ws.send_str(json.dumps(message))

    async def send_envelope(
        self,
        type: str,
        payload: dict[str, Any],
        retry_attempt: int = 0,
        retry_reason: str = "",
        accepts_response_payload: bool | None = None,
    ) -> str:
        """Send an envelope (events_api | slash_commands | interactive); returns its envelope_id."""
        envelope_id = str(uuid.uuid4())
        if accepts_response_payload is None:
            accepts_response_payload = type != "events_api"
        await self.send_socket_message(
            {
                "envelope_id": envelope_id,
                "type": type,
                "payload": payload,
                "accepts_response_payload": accepts_response_payload,
                "retry_attempt": retry_attempt,
                "retry_reason": retry_reason,
            }
        )
        return envelope_id

    def event_payload(self, event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
        """Wrap an event (app_mention, message, ...) in an Events API ``event_callback`` body."""
        return {
            "token": "fake-verification-token",
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "api_app_id": "A0TEST",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-fake-{uuid.uuid4().hex[:8]}",
        }

    async def send_event(
        self,
        event: dict[str, Any],
        event_id: str | None = None,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        """send_envelope("events_api", event_payload(event)); returns the envelope_id."""
        return await self.send_envelope(
            "events_api", self.event_payload(event, event_id), retry_attempt, retry_reason
        )

    async def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """The ack the client sent for that envelope: ``{"envelope_id": ..., "payload"?: ...}``."""

        def find() -> dict[str, Any] | None:
            return next((a for a in self.socket_acks if a.get("envelope_id") == envelope_id), None)

        result = await self.wait_until(find, timeout, f"ack of envelope {envelope_id}")
        assert result is not None
        return result

    async def send_disconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's ``disconnect`` message; slack_sdk then reconnects via apps.connections.open."""
        await self.send_socket_message(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": "fake"}}
        )

    async def drop_socket(self, *, abrupt: bool = True) -> int:
        """Cut every Socket Mode connection with no ``disconnect`` message first; returns how many.

        ``abrupt``: the TCP connection is dropped as a network cut would (no close frame, the client
        sees 1006); otherwise the server sends a plain close frame. The client must notice by itself.
        """
        dropped = 0
        for ws in [ws for ws in self._sockets if not ws.closed]:
            request = ws._req  # aiohttp keeps the upgraded request (and its transport) there
            if abrupt and request is not None and request.transport is not None:
                request.transport.abort()
            else:
                await ws.close(code=1011, message=b"fake slack dropped the connection")
            dropped += 1
        return dropped

    # ------------------------------------------------------------------ HTTP plumbing

    async def _read_args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                try:
                    body = await request.json()
                except json.JSONDecodeError:
                    body = None
                if isinstance(body, dict):
                    args.update(body)
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        args[key] = {
                            "filename": value.filename,
                            "content_type": value.content_type,
                            "content": value.file.read(),
                        }
                    else:
                        args[key] = value
        return {k: _maybe_json(k, v) for k, v in args.items()}

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        args = await self._read_args(request)
        headers = {k.lower(): v for k, v in request.headers.items()}
        token = _bearer(headers)
        arg_token = args.pop("token", None)
        if token is None and isinstance(arg_token, str):
            token = arg_token
        call = SlackCall(method, args, headers, token, request.method)
        self.calls.append(call)

        failure = self._take_failure(method)
        if failure is not None:
            return web.json_response(
                {"ok": False, "error": failure.error}, status=failure.status, headers=failure.headers
            )
        handler = self._handlers.get(method)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        if method == "oauth.v2.access":
            try:
                return web.json_response({"ok": True, **self._oauth_v2_access_with(headers, args)})
            except _SlackError as e:
                return web.json_response({"ok": False, "error": e.error})
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if not token:
            return web.json_response({"ok": False, "error": "not_authed"})
        if token in self.revoked_tokens:
            return web.json_response({"ok": False, "error": "token_revoked"})
        if token != expected and not (method != "apps.connections.open" and token in self.workspaces):
            return web.json_response({"ok": False, "error": "invalid_auth"})
        self._token = token
        retry_after = self._admit(self._team_of(token), method, args)
        if retry_after is not None:
            call.rate_limited = True
            self.rate_limited_calls[method] += 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(retry_after)}
            )
        hold = self._holds.pop(method, None)
        if hold is not None and hold.before:
            await hold.keep(request)
            if request.transport is None or request.transport.is_closing():
                return web.json_response({"ok": False, "error": "client_went_away"})
        try:
            result = handler(args)
        except _SlackError as e:
            return web.json_response({"ok": False, "error": e.error})
        if hold is not None and not hold.before:
            await hold.keep(request)
        extra_headers = {"x-oauth-scopes": self.scopes} if method == "auth.test" else {}
        return web.json_response({"ok": True, **result}, headers=extra_headers)

    def _team_of(self, token: str) -> str:
        """The workspace a token belongs to: the default one, or one added with add_workspace."""
        workspace = self.workspaces.get(token)
        return workspace.team_id if workspace is not None else self.team_id

    # ------------------------------------------------------------------ many workspaces (OAuth)

    def add_workspace(self, team_id: str, name: str) -> FakeWorkspace:
        workspace = FakeWorkspace(
            team_id=team_id,
            name=name,
            bot_token=f"xoxb-{team_id.lower()}-{next(self._id_counter):04d}-token",
            bot_user_id=f"UBOT{team_id}",
            bot_id=f"B{team_id}",
        )
        self.workspaces[workspace.bot_token] = workspace
        return workspace

    def workspace(self, team_id: str) -> FakeWorkspace:
        return next(w for w in self.workspaces.values() if w.team_id == team_id)

    def oauth_code(self, team_id: str, org_wide: bool = False) -> str:
        """A code Slack would hand the browser after someone allowed the app in that workspace (or,
        ``org_wide``, in the whole Enterprise Grid organization it belongs to)."""
        code = f"code-{team_id}-{next(self._id_counter):04d}"
        self.oauth_codes[code] = team_id
        if org_wide:
            self.org_wide_codes.add(code)
        return code

    def uninstall(self, team_id: str) -> None:
        workspace = self.workspace(team_id)
        workspace.installed = False
        self.revoked_tokens.add(workspace.bot_token)

    def calls_by_team(self, team_id: str) -> list[SlackCall]:
        return [c for c in self.calls if c.token is not None and self._team_of(c.token) == team_id]

    def _oauth_v2_access_with(self, headers: dict[str, str], args: dict[str, Any]) -> dict[str, Any]:
        client_id, client_secret = args.get("client_id"), args.get("client_secret")
        auth = headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
        if client_id != self.client_id or client_secret != self.client_secret:
            raise _SlackError("invalid_client_id" if client_id != self.client_id else "bad_client_secret")
        code = str(args.get("code") or "")
        team_id = self.oauth_codes.pop(code, None)
        if team_id is None:
            raise _SlackError("invalid_code")
        workspace = self.workspace(team_id)
        workspace.installed = True
        self.revoked_tokens.discard(workspace.bot_token)
        if code in self.org_wide_codes:  # Slack's answer to an org-wide install: no team, the org
            return {
                "access_token": workspace.bot_token,
                "token_type": "bot",
                "scope": self.scopes,
                "bot_user_id": workspace.bot_user_id,
                "app_id": "A0FAKEAPP",
                "team": None,
                "enterprise": {"id": "E0GRID", "name": "Grid Org"},
                "authed_user": {"id": "U0INSTALLER"},
                "is_enterprise_install": True,
            }
        return {
            "access_token": workspace.bot_token,
            "token_type": "bot",
            "scope": self.scopes,
            "bot_user_id": workspace.bot_user_id,
            "app_id": "A0FAKEAPP",
            "team": {"id": workspace.team_id, "name": workspace.name},
            "enterprise": None,
            "authed_user": {"id": "U0INSTALLER"},
            "is_enterprise_install": False,
        }

    def _oauth_v2_access(self, args: dict[str, Any]) -> dict[str, Any]:
        raise _SlackError("not_allowed_token_type")  # answered before the token checks

    def _admit(self, team: str, method: str, args: dict[str, Any]) -> int | None:
        """Record a call that reached its method, or (limits enforced and exceeded) return Retry-After."""
        now = time.monotonic()
        channel = str(args.get("channel") or args.get("channel_id") or "")
        limit = self.rate_limits.get(method)
        if self.enforce_rate_limits and limit is not None:
            if isinstance(limit, Tier):
                retry_after = self._window_retry_after(self._served.get((team, method), []), limit, now)
            else:
                retry_after = self._bucket_retry_after((team, method, channel), limit, now)
            if retry_after is not None:
                return retry_after
        self._served.setdefault((team, method), []).append(now)
        if channel:
            self._served_in_channel.setdefault((team, method, channel), []).append(now)
        return None

    def _window_retry_after(self, times: list[float], tier: Tier, now: float) -> int | None:
        """Whole seconds until the oldest call in the full window leaves it; None while under the tier."""
        first = bisect_right(times, now - self.rate_window_seconds)
        if len(times) - first < tier.per_minute:
            return None
        leaves = times[len(times) - tier.per_minute] + self.rate_window_seconds
        return max(1, math.ceil(leaves - now))

    def _bucket_retry_after(self, key: tuple[str, str, str], limit: ChannelBucket, now: float) -> int | None:
        """Take a token from the channel's bucket, or return whole seconds until one is there."""
        bucket = self._buckets.setdefault(key, _Bucket(float(limit.burst), now))
        bucket.tokens = min(float(limit.burst), bucket.tokens + (now - bucket.updated) * limit.per_second)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - bucket.tokens) / limit.per_second))

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.remaining -= 1
        if failure.remaining <= 0:
            queue.pop(0)
        return failure

    def _next_ts(self) -> str:
        n = next(self._ts_counter)
        return f"{1700000100 + n // 10000}.{(n % 10000) * 100:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}0FAKE{next(self._id_counter):04d}"

    def _find(self, channel: Any, ts: Any) -> SlackMessage:
        for m in self.messages:
            if m.channel == channel and m.ts == ts and not m.deleted:
                return m
        raise _SlackError("message_not_found")

    # ------------------------------------------------------------------ methods: auth, chat

    def _auth_revoke(self, args: dict[str, Any]) -> dict[str, Any]:
        self.revoked_tokens.add(self._token or "")
        return {"revoked": True}

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        workspace = self.workspaces.get(self._token or "")
        if workspace is not None:
            return {
                "url": f"https://{workspace.team_id.lower()}.slack.com/",
                "team": workspace.name,
                "user": "fakebot",
                "team_id": workspace.team_id,
                "user_id": workspace.bot_user_id,
                "bot_id": workspace.bot_id,
                "is_enterprise_install": False,
            }
        return {
            "url": "https://fake-workspace.slack.com/",
            "team": "Fake Workspace",
            "user": "fakebot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    @staticmethod
    def _check_content(args: dict[str, Any], require: bool = True) -> None:
        text, md, blocks = args.get("text"), args.get("markdown_text"), args.get("blocks")
        if md is not None and (text is not None or blocks is not None):
            raise _SlackError("markdown_text_conflict")
        if require and not (text or md or blocks or args.get("attachments")):
            raise _SlackError("no_text")
        if md is not None and len(str(md)) > MARKDOWN_TEXT_LIMIT:
            raise _SlackError("msg_too_long")
        if text is not None and len(str(text)) > TEXT_LIMIT:
            raise _SlackError("msg_too_long")

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = args.get("channel")
        if not channel:
            raise _SlackError("channel_not_found")
        self._check_content(args)
        msg = SlackMessage(
            channel=channel,
            ts=self._next_ts(),
            thread_ts=args.get("thread_ts") or None,
            text=args.get("text"),
            markdown_text=args.get("markdown_text"),
            blocks=args.get("blocks"),
            user=self.bot_user_id,
            metadata=args.get("metadata"),
            is_bot=True,
            args=args,
            created_by="chat.postMessage",
        )
        self.messages.append(msg)
        return {"channel": channel, "ts": msg.ts, "message": msg.to_api(self.bot_id)}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        msg = self._find(args.get("channel"), args.get("ts"))
        if msg.streaming and self.update_streaming_conflict:
            raise _SlackError("streaming_state_conflict")
        self._check_content(args, require=False)
        text, markdown_text, blocks = msg.text, msg.markdown_text, msg.blocks
        if "text" in args or "markdown_text" in args:
            text, markdown_text = args.get("text"), args.get("markdown_text")
        if "blocks" in args:
            blocks = args["blocks"] or None
        if not (text or markdown_text or blocks):
            raise _SlackError("no_text")
        msg.text, msg.markdown_text, msg.blocks = text, markdown_text, blocks
        if "metadata" in args:
            msg.metadata = args["metadata"]
        msg.updates.append({"text": msg.text, "markdown_text": msg.markdown_text, "blocks": msg.blocks})
        return {
            "channel": msg.channel,
            "ts": msg.ts,
            "text": msg.visible_text,
            "message": msg.to_api(self.bot_id),
        }

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, user = args.get("channel"), args.get("user")
        if not channel:
            raise _SlackError("channel_not_found")
        if not user:
            raise _SlackError("user_not_in_channel")
        self._check_content(args)
        msg = SlackMessage(
            channel=channel,
            ts=self._next_ts(),
            thread_ts=args.get("thread_ts") or None,
            text=args.get("text"),
            markdown_text=args.get("markdown_text"),
            blocks=args.get("blocks"),
            user=self.bot_user_id,
            is_bot=True,
            ephemeral_user=user,
            args=args,
            created_by="chat.postEphemeral",
        )
        self.ephemerals.append(msg)
        return {"message_ts": msg.ts}

    def _chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = args.get("channel"), args.get("message_ts")
        if not channel or not ts:
            raise _SlackError("invalid_arguments")
        link = f"https://fake-workspace.slack.com/archives/{channel}/p{str(ts).replace('.', '')}"
        return {"channel": channel, "permalink": link}

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        msg = self._find(args.get("channel"), args.get("ts"))
        msg.deleted = True
        return {"channel": msg.channel, "ts": msg.ts}

    # ------------------------------------------------------------------ methods: streaming

    @staticmethod
    def _stream_text(args: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        """Text to append and the chunks received (markdown_text arg counts as a markdown chunk)."""
        chunks: list[dict[str, Any]] = []
        md = args.get("markdown_text")
        if md:
            chunks.append({"type": "markdown_text", "text": str(md)})
        raw = args.get("chunks")
        if raw is not None:
            if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
                raise _SlackError("invalid_chunks")
            chunks.extend(raw)
        for chunk in chunks:
            if chunk.get("type") == "markdown_text" and len(str(chunk.get("text", ""))) > MARKDOWN_TEXT_LIMIT:
                raise _SlackError("msg_too_long")
        text = "".join(str(c.get("text", "")) for c in chunks if c.get("type") == "markdown_text")
        return text, chunks

    def _chat_start_stream(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = args.get("channel")
        if not channel:
            raise _SlackError("channel_not_found")
        if self.refuse_streaming:
            raise _SlackError(self.streaming_refusal_error)
        if not args.get("thread_ts"):
            raise _SlackError("invalid_arguments")
        if str(channel)[:1] in ("C", "G"):
            if not args.get("recipient_user_id"):
                raise _SlackError("missing_recipient_user_id")
            if not args.get("recipient_team_id"):
                raise _SlackError("missing_recipient_team_id")
        text, chunks = self._stream_text(args)
        msg = SlackMessage(
            channel=channel,
            ts=self._next_ts(),
            thread_ts=args["thread_ts"],
            markdown_text=text,
            user=self.bot_user_id,
            streaming=True,
            chunks=chunks,
            is_bot=True,
            args=args,
            created_by="chat.startStream",
        )
        self.messages.append(msg)
        self._append_counts[(msg.channel, msg.ts)] = 0
        return {"channel": channel, "ts": msg.ts}

    def _streaming_message(self, args: dict[str, Any]) -> SlackMessage:
        msg = self._find(args.get("channel"), args.get("ts"))
        key = (msg.channel, msg.ts)
        limit = self.expire_streams_after_appends
        if msg.streaming and limit is not None and self._append_counts.get(key, 0) >= limit:
            msg.streaming = False
        if not msg.streaming:
            raise _SlackError("message_not_in_streaming_state")
        return msg

    def _chat_append_stream(self, args: dict[str, Any]) -> dict[str, Any]:
        msg = self._streaming_message(args)
        text, chunks = self._stream_text(args)
        if not chunks:
            raise _SlackError("no_text")
        msg.markdown_text = (msg.markdown_text or "") + text
        msg.chunks.extend(chunks)
        key = (msg.channel, msg.ts)
        self._append_counts[key] = self._append_counts.get(key, 0) + 1
        return {"channel": msg.channel, "ts": msg.ts}

    def _chat_stop_stream(self, args: dict[str, Any]) -> dict[str, Any]:
        msg = self._streaming_message(args)
        text, chunks = self._stream_text(args)
        msg.markdown_text = (msg.markdown_text or "") + text
        msg.chunks.extend(chunks)
        if args.get("blocks"):
            msg.blocks = args["blocks"]
        if args.get("metadata"):
            msg.metadata = args["metadata"]
        msg.streaming = False
        return {"channel": msg.channel, "ts": msg.ts, "message": msg.to_api(self.bot_id)}

    # ------------------------------------------------------------------ methods: assistant

    @staticmethod
    def _require_thread(args: dict[str, Any]) -> None:
        if not args.get("channel_id") or not args.get("thread_ts"):
            raise _SlackError("invalid_arguments")

    def _assistant_set_status(self, args: dict[str, Any]) -> dict[str, Any]:
        self._require_thread(args)
        if "status" not in args:
            raise _SlackError("invalid_arguments")
        return {}

    def _assistant_set_suggested_prompts(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel_id") or not isinstance(args.get("prompts"), list):
            raise _SlackError("invalid_arguments")
        return {}

    def _assistant_set_title(self, args: dict[str, Any]) -> dict[str, Any]:
        self._require_thread(args)
        if not args.get("title"):
            raise _SlackError("invalid_arguments")
        return {}

    # ------------------------------------------------------------------ methods: conversations, users

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, root = args.get("channel"), args.get("ts")
        if not channel:
            raise _SlackError("channel_not_found")
        if not root:
            raise _SlackError("invalid_arguments")
        thread = [
            m for m in self.messages
            if m.channel == channel and not m.deleted and (m.ts == root or m.thread_ts == root)
        ]  # fmt: skip
        if not thread:
            raise _SlackError("thread_not_found")
        thread.sort(key=lambda m: (m.ts != root, float(m.ts)))
        limit = max(1, min(int(args.get("limit") or 1000), self.replies_max_limit))
        offset = _decode_cursor(args.get("cursor"))
        page = thread[offset : offset + limit]
        has_more = offset + limit < len(thread)
        messages = [m.to_api(self.bot_id) for m in page]
        replies = [m for m in thread if m.ts != root]
        for item in messages:
            if item["ts"] == root and replies:
                item["reply_count"] = len(replies)
                item["latest_reply"] = replies[-1].ts
                item["thread_ts"] = root
        return {
            "messages": messages,
            "has_more": has_more,
            "response_metadata": {"next_cursor": _encode_cursor(offset + limit) if has_more else ""},
        }

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        cid = args.get("channel")
        if not cid:
            raise _SlackError("channel_not_found")
        cid = str(cid)
        info: dict[str, Any] = {
            "id": cid,
            "name": cid.lower(),
            "is_channel": cid.startswith("C"),
            "is_group": cid.startswith("G"),
            "is_im": cid.startswith("D"),
            "is_mpim": False,
            "is_private": cid[:1] in ("G", "D"),
            "is_archived": False,
            "is_member": True,
            "is_ext_shared": False,
            "context_team_id": self.team_id,
            "created": 1700000000,
        }
        if cid.startswith("D"):
            info.pop("name")
            info["user"] = "U0USER"
        info.update(self.channels.get(cid, {}))
        return {"channel": info}

    def _default_user(self, user_id: str) -> dict[str, Any]:
        is_bot = user_id == self.bot_user_id
        name = "fakebot" if is_bot else user_id.lower()
        real_name = "Fake Bot" if is_bot else f"User {user_id}"
        return {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "real_name": real_name,
            "deleted": False,
            "is_bot": is_bot,
            "tz": "UTC",
            "tz_label": "Coordinated Universal Time",
            "tz_offset": 0,
            "profile": {"display_name": name, "real_name": real_name, "team": self.team_id},
        }

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        uid = args.get("user")
        if not uid:
            raise _SlackError("user_not_found")
        user = self._default_user(str(uid))
        stored = self.users.get(str(uid), {})
        user.update({k: v for k, v in stored.items() if k != "profile"})
        user["profile"].update(stored.get("profile", {}))
        return {"user": user}

    # ------------------------------------------------------------------ methods: files

    def _store_file(
        self,
        content: bytes,
        name: str,
        mimetype: str,
        filetype: str,
        *,
        file_id: str | None = None,
        title: str | None = None,
        login_page: bool = False,
    ) -> dict[str, Any]:
        fid = file_id or self._next_id("F")
        key = f"{self.team_id}-{fid}"
        qname = quote(name)
        now = int(time.time())
        obj: dict[str, Any] = {
            "id": fid,
            "created": now,
            "timestamp": now,
            "name": name,
            "title": title or name,
            "mimetype": mimetype,
            "filetype": filetype,
            "pretty_type": filetype.upper(),
            "user": self.bot_user_id,
            "user_team": self.team_id,
            "mode": "hosted",
            "editable": False,
            "is_external": False,
            "external_type": "",
            "is_public": False,
            "size": len(content),
            "url_private": f"{self.base}/files-pri/{key}/{qname}",
            "url_private_download": f"{self.base}/files-pri/{key}/download/{qname}",
            "permalink": f"https://fake-workspace.slack.com/files/{self.bot_user_id}/{fid}/{qname}",
        }
        self.files[fid] = _StoredFile(obj=obj, content=content, login_page=login_page)
        return obj

    def _files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        stored = self.files.get(str(args.get("file")))
        if stored is None:
            raise _SlackError("file_not_found")
        return {"file": stored.obj, "comments": [], "response_metadata": {"next_cursor": ""}}

    def _files_get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        filename, length = args.get("filename"), args.get("length")
        if not filename or length in (None, ""):
            raise _SlackError("invalid_arguments")
        fid = self._next_id("F")
        self._pending_uploads[fid] = _PendingUpload(fid, str(filename), int(length), args.get("alt_txt"))
        return {"upload_url": f"{self.base}/upload/{fid}", "file_id": fid}

    def _files_complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        items = args.get("files")
        if not isinstance(items, list) or not items:
            raise _SlackError("invalid_arguments")
        channel = args.get("channel_id")
        if not channel and args.get("channels"):
            channel = str(args["channels"]).split(",")[0]
        thread_ts = args.get("thread_ts") or None
        comment = args.get("initial_comment")
        pendings: list[tuple[_PendingUpload, str]] = []
        for item in items:
            pending = self._pending_uploads.get(str(item.get("id")))
            if pending is None or pending.content is None:
                raise _SlackError("file_not_found")
            pendings.append((pending, str(item.get("title") or pending.filename)))
        batch: list[UploadedFile] = []
        objs: list[dict[str, Any]] = []
        for pending, title in pendings:
            del self._pending_uploads[pending.file_id]
            content = pending.content or b""
            mimetype = mimetypes.guess_type(pending.filename)[0] or "application/octet-stream"
            filetype = pending.filename.rsplit(".", 1)[-1].lower() if "." in pending.filename else "binary"
            objs.append(
                self._store_file(
                    content, pending.filename, mimetype, filetype, file_id=pending.file_id, title=title
                )
            )
            batch.append(
                UploadedFile(
                    file_id=pending.file_id,
                    filename=pending.filename,
                    title=title,
                    content=content,
                    channel=str(channel) if channel else None,
                    thread_ts=thread_ts,
                    initial_comment=comment,
                    length=pending.length,
                )
            )
        self.uploads.extend(batch)
        self.upload_batches.append(batch)
        if channel:
            ts = self._next_ts()
            scope = "public" if str(channel).startswith("C") else "private"
            for obj in objs:  # as files.info tells afterwards: where the file was shared
                obj["channels" if scope == "public" else "groups"] = [str(channel)]
                obj["shares"] = {scope: {str(channel): [{"ts": ts, "thread_ts": thread_ts}]}}
            self.messages.append(
                SlackMessage(
                    channel=str(channel),
                    ts=ts,
                    thread_ts=thread_ts,
                    text=comment or "",
                    user=self.bot_user_id,
                    files=objs,
                    is_bot=True,
                    args=args,
                    created_by="files.completeUploadExternal",
                )
            )
        return {"files": objs}

    async def _handle_upload(self, request: web.Request) -> web.StreamResponse:
        fid = request.match_info["file_id"]
        headers = {k.lower(): v for k, v in request.headers.items()}
        if request.content_type == "multipart/form-data":
            form = await request.post()
            file_fields = [v for v in form.values() if isinstance(v, web.FileField)]
            data = file_fields[0].file.read() if file_fields else b""
        else:
            data = await request.read()
        record = FileTransfer(request.path, fid, headers, _bearer(headers), 200, "stored", len(data))
        self.upload_posts.append(record)
        failure = self._take_failure("upload")
        if failure is not None:
            record.status, record.served = failure.status, "failed"
            return web.Response(text=failure.error, status=failure.status, headers=failure.headers)
        pending = self._pending_uploads.get(fid)
        if pending is None:
            record.status, record.served = 404, "not_found"
            return web.Response(text="Not Found", status=404)
        pending.content = data
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    async def _handle_download(self, request: web.Request) -> web.StreamResponse:
        key = request.match_info["key"]
        fid = key.rsplit("-", 1)[-1]
        headers = {k.lower(): v for k, v in request.headers.items()}
        token = _bearer(headers)
        record = FileTransfer(request.path, fid, headers, token, 200, "file")
        self.downloads.append(record)
        failure = self._take_failure("download")
        if failure is not None:
            record.status, record.served = failure.status, "failed"
            return web.Response(text=failure.error, status=failure.status, headers=failure.headers)
        stored = self.files.get(fid)
        if stored is None:
            record.status, record.served = 404, "not_found"
            return web.Response(text="Not Found", status=404)
        if stored.login_page or (token != self.bot_token and token not in self.workspaces):
            record.served = "login_page"
            return web.Response(text=LOGIN_PAGE_HTML, content_type="text/html", charset="utf-8")
        record.size = len(stored.content)
        mimetype = stored.obj.get("mimetype") or "application/octet-stream"
        return web.Response(
            body=stored.content,
            content_type=mimetype,
            headers={"Content-Disposition": f'attachment; filename="{quote(stored.obj["name"])}"'},
        )

    # ------------------------------------------------------------------ methods: views, reactions

    def _make_view(self, view: Any, view_id: str | None = None) -> dict[str, Any]:
        if not isinstance(view, dict) or "type" not in view:
            raise _SlackError("invalid_arguments")
        vid = view_id or self._next_id("V")
        obj = {
            **view,
            "id": vid,
            "team_id": self.team_id,
            "app_id": "A0TEST",
            "bot_id": self.bot_id,
            "state": {"values": {}},
            "hash": "h",
            "root_view_id": vid,
            "previous_view_id": None,
        }
        self.views[vid] = obj
        return obj

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("trigger_id") and not args.get("interactivity_pointer"):
            raise _SlackError("invalid_arguments")
        return {"view": self._make_view(args.get("view"))}

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        vid = args.get("view_id")
        if not vid and args.get("external_id"):
            vid = next(
                (k for k, v in self.views.items() if v.get("external_id") == args["external_id"]), None
            )
        if not vid or vid not in self.views:
            raise _SlackError("not_found")
        return {"view": self._make_view(args.get("view"), str(vid))}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = args.get("user_id")
        if not user_id:
            raise _SlackError("invalid_arguments")
        view = self._make_view(args.get("view"))
        self.home_views[str(user_id)] = view
        return {"view": view}

    def _reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        key = (str(args.get("channel")), str(args.get("timestamp")), str(args.get("name")))
        if not all(args.get(k) for k in ("channel", "timestamp", "name")):
            raise _SlackError("invalid_arguments")
        if key in self.reactions:
            raise _SlackError("already_reacted")
        self.reactions.append(key)
        return {}

    def _reactions_remove(self, args: dict[str, Any]) -> dict[str, Any]:
        key = (str(args.get("channel")), str(args.get("timestamp")), str(args.get("name")))
        if key not in self.reactions:
            raise _SlackError("no_reaction")
        self.reactions.remove(key)
        return {}

    # ------------------------------------------------------------------ socket mode

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        ticket = uuid.uuid4()
        return {"url": f"ws://127.0.0.1:{self.port}/socket-mode/link/?ticket={ticket}&app_id=A0TEST"}

    async def _handle_socket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True, timeout=2.0)
        await ws.prepare(request)
        self._sockets.append(ws)
        self.socket_connections += 1
        hello = {
            "type": "hello",
            "num_connections": sum(1 for s in self._sockets if not s.closed),
            "debug_info": {"host": "fake-slack", "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": "A0TEST"},
        }
        await ws.send_str(json.dumps(hello))
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    data = json.loads(msg.data)
                except json.JSONDecodeError:
                    continue
                if isinstance(data, dict):
                    self.socket_received.append(data)
                    if "envelope_id" in data:
                        self.socket_acks.append(data)
        finally:
            self._sockets.remove(ws)
        return ws


# --------------------------------------------------------------------------- helpers


def _bearer(headers: dict[str, str]) -> str | None:
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return None


def _maybe_json(key: str, value: Any) -> Any:
    if key in _PLAIN_TEXT_ARGS or not isinstance(value, str):
        return value
    stripped = value.strip()
    if stripped[:1] in ("[", "{"):
        try:
            return json.loads(stripped)
        except json.JSONDecodeError:
            return value
    return value


def _peak(times: list[float], window: float) -> int:
    """The most of ``times`` (ascending) that fall within any span shorter than ``window``."""
    best, first = 0, 0
    for last, t in enumerate(times):
        while t - times[first] >= window:
            first += 1
        best = max(best, last - first + 1)
    return best


def _encode_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _decode_cursor(cursor: Any) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.b64decode(str(cursor)).decode().split(":", 1)[1])
    except (ValueError, IndexError) as e:
        raise _SlackError("invalid_cursor") from e


__all__ = [
    "DEFAULT_SCOPES",
    "LOGIN_PAGE_HTML",
    "RATE_LIMITS",
    "TIER_1",
    "TIER_2",
    "TIER_3",
    "TIER_4",
    "ChannelBucket",
    "FakeSlack",
    "FileTransfer",
    "RateLimit",
    "SlackCall",
    "SlackMessage",
    "Tier",
    "UploadedFile",
]
