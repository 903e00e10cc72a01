"""A fake OpenAI HTTP API for end-to-end tests.

FakeOpenAI is a real aiohttp server on 127.0.0.1 (ephemeral port). Point the bot at it with
``OPENAI_BASE_URL=fake.url`` (``http://127.0.0.1:PORT/v1``) and ``OPENAI_API_KEY=fake.api_key``.

Every request is recorded (``requests``: ``OpenAIRequest``), unauthorised ones included.

Scripting: each endpoint has a FIFO queue of replies (``queue(path, *replies)``;
``queue_chat(*replies)`` for chat completions). An empty queue gives the default answer:

* chat completions: ``"Echo: " + <text of the last user message>`` (list contents: the text parts
  joined with a space). With ``n > 1`` and no ``ChatReply.choices``, choice i (0-based) gets the text
  plus ``" (choice {i+1})"``.
* images: one tiny valid PNG per ``n`` as ``b64_json`` (``revised_prompt`` = the prompt); legacy
  models asked for ``response_format="url"`` get URLs served (without auth) by this fake.
* speech: ``speech_payload(format)`` bytes with the format's content type.
* transcriptions/translations: ``transcription_text`` / ``translation_text`` in the asked format.

Reply types usable on any endpoint: ``ErrorReply``, ``Hang``, ``Disconnect``, ``JsonReply``,
``RawReply``; ``ChatReply`` only on chat completions. ``ErrorReply``, ``Hang`` and ``Disconnect``
take ``repeat`` (answer that many consecutive requests the same way). Remember the SDK retries
408/409/429/5xx, timeouts and connection errors (``max_retries=2`` by default): one scripted failure
with a default client is followed by a retry that gets the next reply (or the default one).
429/5xx/408/409 error replies carry ``retry-after-ms: 1`` unless given other headers, so retries are
immediate.

Realistic checks the fake makes (400 unless said): chat without ``model`` or ``messages``; unknown
model with ``strict_models=True`` (404 ``model_not_found``); images without ``prompt``, ``n`` over
10, ``response_format``/``style`` sent to a ``gpt-image*`` model (``unknown_parameter``); speech
without ``input`` or over 4096 chars; transcription without file, with an unsupported extension,
over 25 MB (413), ``srt``/``vtt``/``verbose_json`` on any model but ``whisper-1``
(``unsupported_value``); translations with any model but ``whisper-1``.

Realtime: a websocket at ``GET /v1/realtime?model=…`` (what ``client.realtime.connect(model=…)`` opens
from ``base_url``), same Bearer key as the HTTP endpoints (the upgrade request is recorded in
``requests`` too; a wrong key is a 401 before the upgrade). See ``FakeOpenAI`` for its behaviour.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import io
import itertools
import json
import math
import struct
import time
import wave
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import BodyPartReader, MultipartReader, WSMsgType, web
from aiohttp.streams import StreamReader

from tests.fakes import openai_responses
from tests.fakes.openai_responses import ResponsesReply

T = TypeVar("T")

# --------------------------------------------------------------------------- reply script types


@dataclass
class ChatReply:
    """A scripted chat completion.

    ``chunks`` are the streamed content deltas (default: ``text`` cut into 8-character pieces; the
    non-streaming answer is ``"".join(chunks)`` when chunks are given). ``first_delay`` is waited
    after the response headers and before the first chunk (before the whole answer when not
    streaming); ``chunk_delay`` between content chunks. ``tool_calls``: ``[{"name", "arguments":
    json-string, "id"?}]``; with tool calls a ``finish_reason`` of "stop" becomes "tool_calls".
    ``choices``: explicit texts for several choices (``n`` is then ignored). ``usage`` replaces the
    estimated usage. ``stall_after``: after that many content chunks, send nothing more until the
    client goes away (or the fake stops). ``disconnect_after``: after that many content chunks,
    drop the connection mid-stream. ``close_after``: after that many content chunks, end the
    response cleanly with no finish reason and no ``[DONE]`` (a stream cut short that looks whole).
    """

    text: str = ""
    chunks: list[str] | None = None
    first_delay: float = 0.0
    chunk_delay: float = 0.0
    tool_calls: list[dict[str, Any]] | None = None
    choices: list[str] | None = None
    finish_reason: str = "stop"
    usage: dict[str, Any] | None = None
    stall_after: int | None = None
    disconnect_after: int | None = None
    close_after: int | None = None


@dataclass
class ErrorReply:
    """An OpenAI-style error: ``{"error": {"message", "type", "param", "code"}}``.

    ``type`` defaults by status (429 "requests", 5xx "server_error", else "invalid_request_error");
    ``code`` defaults to "rate_limit_exceeded" on 429. ``repeat``: answer that many requests.
    """

    status: int
    message: str = "The fake OpenAI server was scripted to fail this request."
    type: str | None = None
    code: str | None = None
    param: str | None = None
    headers: dict[str, str] | None = None
    repeat: int = 1


@dataclass
class Hang:
    """Accept the request and send nothing for ``seconds`` (``after_headers``: send a 200 status line
    and headers first), then drop the connection. Ends early when the client goes away or the fake
    stops."""

    seconds: float = 3600
    after_headers: bool = False
    repeat: int = 1


@dataclass
class Disconnect:
    """Drop the connection without answering (the SDK sees a connection error and retries)."""

    repeat: int = 1


@dataclass
class JsonReply:
    """Answer with this JSON body as is."""

    body: Any
    status: int = 200
    headers: dict[str, str] | None = None


@dataclass
class RawReply:
    """Answer with these bytes (or text) as is."""

    body: bytes | str
    content_type: str = "application/octet-stream"
    status: int = 200
    headers: dict[str, str] | None = None


Reply = ChatReply | ErrorReply | Hang | Disconnect | JsonReply | RawReply | ResponsesReply


# --------------------------------------------------------------------------- records


@dataclass
class OpenAIRequest:
    method: str
    path: str  # full path, e.g. "/v1/chat/completions"
    headers: dict[str, str]  # lower-cased names
    json: dict[str, Any] | None
    body: bytes
    form: dict[str, Any] | None = None  # multipart text fields (a repeated field becomes a list)
    files: dict[str, tuple[str, str, bytes]] | None = None  # field -> (filename, content_type, bytes)
    query: dict[str, str] = field(default_factory=dict)


@dataclass
class RealtimeSession:
    """One websocket session on /v1/realtime: the ``model`` query parameter, the upgrade request's
    headers (lower-cased names), every client event received (parsed JSON, in order; unparsable
    frames are kept as ``{"_raw": text}``), and the scripted ``behaviour`` it got."""

    model: str
    headers: dict[str, str]
    events: list[dict[str, Any]] = field(default_factory=list)
    behaviour: str = "ok"

    def events_of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e.get("type") == kind]


# --------------------------------------------------------------------------- constants

_RECORD = web.RequestKey("record", OpenAIRequest)


def _png(width: int = 1, height: int = 1, rgba: tuple[int, int, int, int] = (255, 99, 71, 255)) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgba) * width
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


TINY_PNG = _png()

SPEECH_CONTENT_TYPES = {
    "mp3": "audio/mpeg",
    "opus": "audio/opus",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}

REALTIME_VOICES = ("alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar")
REALTIME_BEHAVIOURS = ("ok", "error", "close", "drop", "hang")
REALTIME_CLIENT_EVENTS = (
    "session.update",
    "input_audio_buffer.append",
    "input_audio_buffer.commit",
    "input_audio_buffer.clear",
    "output_audio_buffer.clear",
    "conversation.item.create",
    "conversation.item.retrieve",
    "conversation.item.truncate",
    "conversation.item.delete",
    "response.create",
    "response.cancel",
)

TRANSCRIPTION_EXTENSIONS = ("flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm")
MAX_AUDIO_BYTES = 25 * 1024 * 1024


def _default_models() -> list[dict[str, Any]]:
    def model(
        mid: str, created: int, owned_by: str = "system", shutdown: str | None = None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"id": mid, "object": "model", "created": created, "owned_by": owned_by}
        if shutdown:
            out["shutdown_date"] = shutdown
        return out

    return [
        model("gpt-6-luna", 1775000000),
        model("gpt-6-sol", 1775000100),
        model("gpt-5", 1754400000, shutdown="2026-12-11"),
        model("gpt-image-2.6-flare", 1776000000),
        model("gpt-transcribe", 1774000000),
        model("whisper-1", 1677532384, "openai-internal", shutdown="2027-02-26"),
        model("gpt-4o-mini-tts", 1742403959, shutdown="2027-01-06"),
        model("gpt-realtime-2.1-mini", 1777000000),
    ]


def _status_type(status: int) -> str:
    if status == 429:
        return "requests"
    if status >= 500:
        return "server_error"
    return "invalid_request_error"


def _error_body(message: str, type: str, param: str | None = None, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def _estimate_tokens(text: str) -> int:
    return max(1, len(text) // 4) if text else 0


def _message_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            str(p.get("text", ""))
            for p in content
            if isinstance(p, dict) and p.get("type") in ("text", "input_text")
        )
    return ""


async def _parse_multipart(
    request: web.Request, body: bytes
) -> tuple[dict[str, Any], dict[str, tuple[str, str, bytes]]]:
    """Parse an already-read multipart body: (text fields, file fields)."""
    stream = StreamReader(request.protocol, 2**31, loop=asyncio.get_running_loop())
    stream.feed_data(body)
    stream.feed_eof()
    reader = MultipartReader(request.headers, stream)
    form: dict[str, Any] = {}
    files: dict[str, tuple[str, str, bytes]] = {}
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        data = await part.read(decode=False)
        if part.filename is not None:
            files[part.name] = (part.filename, part.headers.get("Content-Type", ""), bytes(data))
            continue
        value = bytes(data).decode("utf-8", errors="replace")
        if part.name in form:
            prev = form[part.name]
            form[part.name] = [*prev, value] if isinstance(prev, list) else [prev, value]
        else:
            form[part.name] = value
    return form, files


def _split(text: str, size: int = 8) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


# --------------------------------------------------------------------------- server


class FakeOpenAI:
    """Fake OpenAI. ``async with FakeOpenAI() as openai:`` or ``await fake.start()`` / ``stop()``.

    Realtime websocket (``GET /v1/realtime?model=…``, Bearer auth; a missing ``model`` is a 400, and
    with ``strict_models`` an unknown one a 404, before the upgrade; the ``realtime`` subprotocol is
    accepted when offered). Each connection is recorded in ``realtime_sessions``
    (``RealtimeSession``: model, headers, events). The server sends ``session.created`` on connect,
    answers ``session.update`` with ``session.updated`` (or an ``error`` event for a voice outside
    ``REALTIME_VOICES`` or a speed outside 0.25–1.5), ``conversation.item.create`` with
    ``conversation.item.added`` and ``conversation.item.done``, and an unknown event type or bad JSON
    with an ``error`` event. ``response.create`` is answered according to the session's behaviour,
    taken from the front of ``realtime_script`` when the socket opens (one entry per session; empty
    script: "ok"):

    * "ok": ``response.created``, several ``response.output_audio.delta`` (base64 PCM16) whose
      concatenation is ``realtime_pcm(text)``, ``response.output_audio.done``, ``response.done``
      (status "completed"). ``text`` is the text of the last user message item received (its
      ``input_text``/``text`` parts joined with a space).
    * "error": an ``error`` event (``realtime_error_message``, code "fake_scripted_error") instead.
    * "close": ``response.created`` and the first delta, then a clean close (code 1000).
    * "drop": ``response.created`` and the first delta, then the TCP connection is cut (no close
      frame: the client sees code 1006).
    * "hang": ``response.created``, then nothing more (for client timeouts).
    """

    def __init__(self, *, api_key: str = "sk-test-key", strict_models: bool = False) -> None:
        self.api_key = api_key
        # Other keys accepted too (a workspace's own key); requests record which key they carried.
        self.other_keys: set[str] = set()
        self.strict_models = strict_models
        self.models: list[dict[str, Any]] = _default_models()
        self.requests: list[OpenAIRequest] = []
        self.scripts: dict[str, list[Reply]] = {}
        self.transcription_text = "This is a fake transcription."
        self.translation_text = "This is a fake translation."
        self.image_bytes = TINY_PNG
        self.realtime_sessions: list[RealtimeSession] = []
        # Models shut down: any request naming one (JSON ``model``, form ``model``, realtime
        # ``?model=``) is answered 404 ``model_not_found``, whether they are listed or not.
        self.gone: set[str] = set()
        # The Responses API and what its hosted tools use (tests/fakes/openai_responses.py).
        self.uploaded_files: dict[str, tuple[str, str, bytes]] = {}
        self.vector_stores: dict[str, list[str]] = {}
        self.container_files: dict[tuple[str, str], bytes] = {}
        self.realtime_script: list[str] = []
        self.realtime_error_message = "The fake OpenAI Realtime server was scripted to fail this response."
        self._sockets: set[web.WebSocketResponse] = set()
        # Set to answer /audio/speech with bytes made from the input (to check parts' order).
        self.speech_by_input: Callable[[str, str], bytes] | None = None
        self._ids = itertools.count(1)
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeOpenAI:
        self._stopping = asyncio.Event()
        app = web.Application(client_max_size=200 * 1024 * 1024)
        app.router.add_get("/v1/models", self._models)
        app.router.add_get("/v1/models/{model_id:.+}", self._model)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/images/generations", self._images)
        app.router.add_post("/v1/audio/speech", self._speech)
        app.router.add_post("/v1/audio/transcriptions", self._transcriptions)
        app.router.add_post("/v1/audio/translations", self._translations)
        app.router.add_get("/v1/realtime", self._realtime)
        app.router.add_get("/files/{name}", self._image_file)
        # Azure OpenAI's shape: /openai/deployments/{deployment}/…?api-version=…, key in `api-key`.
        for tail, handler in (
            ("chat/completions", self._chat),
            ("images/generations", self._images),
            ("audio/speech", self._speech),
            ("audio/transcriptions", self._transcriptions),
            ("audio/translations", self._translations),
        ):
            app.router.add_post("/openai/deployments/{deployment}/" + tail, handler)
        app.router.add_get("/openai/models", self._models)
        app.router.add_get("/openai/realtime", self._realtime)  # ?api-version=…&deployment=…
        openai_responses.add_routes(app, self)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        app.middlewares.append(self._record_and_auth)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        self._stopping.set()
        for ws in list(self._sockets):
            await ws.close(code=1001, message=b"server shutting down")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeOpenAI:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeOpenAI is not started")
        return self._port

    @property
    def url(self) -> str:
        """OpenAI base_url: http://127.0.0.1:PORT/v1"""
        return f"http://127.0.0.1:{self.port}/v1"

    # ------------------------------------------------------------------ scripting and inspection

    @staticmethod
    def _norm(path: str) -> str:
        path = "/" + path.lstrip("/")
        return path if path.startswith("/v1/") else "/v1" + path

    def queue(self, path: str, *replies: Reply) -> None:
        """Append replies to the FIFO script of an endpoint, e.g. queue("/audio/speech", ErrorReply(500))."""
        self.scripts.setdefault(self._norm(path), []).extend(replies)

    def queue_chat(self, *replies: Reply) -> None:
        self.queue("/chat/completions", *replies)

    @property
    def chat_script(self) -> list[Reply]:
        return self.scripts.setdefault("/v1/chat/completions", [])

    @chat_script.setter
    def chat_script(self, replies: list[Reply]) -> None:
        self.scripts["/v1/chat/completions"] = replies

    def requests_to(self, path: str) -> list[OpenAIRequest]:
        """Requests to that path ("/chat/completions" and "/v1/chat/completions" both work)."""
        target = self._norm(path)
        return [r for r in self.requests if r.path == target]

    def chat_bodies(self) -> list[dict[str, Any]]:
        """The JSON bodies of every chat completion request, in order."""
        return [r.json or {} for r in self.requests_to("/chat/completions")]

    async def wait_for(self, path: str, count: int = 1, timeout: float = 10.0) -> list[OpenAIRequest]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.requests_to(path)
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                seen = [f"{r.method} {r.path}" for r in self.requests]
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {count} request(s) to {self._norm(path)} "
                    f"(got {len(found)}); requests seen: {seen}"
                )
            await asyncio.sleep(0.01)

    def speech_payload(self, response_format: str = "mp3") -> bytes:
        """The bytes /audio/speech answers for that format (deterministic, so tests can compare)."""
        if response_format == "wav":
            buf = io.BytesIO()
            with wave.open(buf, "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(24000)
                w.writeframes(b"\x00\x00" * 2400)
            return buf.getvalue()
        if response_format == "pcm":
            return b"\x00\x00" * 2400
        if response_format == "mp3":
            return b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 413
        return f"FAKE-{response_format.upper()}-AUDIO".encode() + b"\x00" * 256

    # ------------------------------------------------------------------ plumbing

    record_key = _RECORD

    def next_reply(self, path: str) -> Reply | None:
        return self._next_reply(path)

    def json(self, body: Any, status: int = 200) -> web.Response:
        return self._json(body, status)

    def error(self, status: int, message: str, param: str | None = None) -> web.Response:
        return self._error(status, message, param=param)

    async def generic(self, request: web.Request, reply: Reply, stream: bool) -> web.StreamResponse | None:
        return await self._generic(request, reply, stream)

    def misused(self, reply: Reply) -> web.Response:
        return self._misused(reply)

    async def wait(self, request: web.Request, seconds: float) -> None:
        await self._wait(request, seconds)

    def drop(self, request: web.Request) -> web.Response:
        return self._drop(request)

    def _next_reply(self, path: str) -> Reply | None:
        queue = self.scripts.get(path)
        if not queue:
            return None
        item = queue[0]
        repeat = getattr(item, "repeat", 1)
        if repeat > 1:
            queue[0] = dataclasses.replace(item, repeat=repeat - 1)  # type: ignore[type-var]
        else:
            queue.pop(0)
        return item

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"x-request-id": f"req_fake{next(self._ids):06d}", "openai-processing-ms": "1"}
        headers.update(extra or {})
        return headers

    def _json(self, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        return web.json_response(body, status=status, headers=self._headers(headers))

    def _error(
        self,
        status: int,
        message: str,
        type: str | None = None,
        param: str | None = None,
        code: str | None = None,
    ) -> web.Response:
        return self._json(_error_body(message, type or _status_type(status), param, code), status)

    @web.middleware
    async def _record_and_auth(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        if request.path.startswith("/files/"):
            return await handler(request)
        body = await request.read()
        record = OpenAIRequest(
            method=request.method,
            path=request.path,
            headers={k.lower(): v for k, v in request.headers.items()},
            json=None,
            body=body,
            query=dict(request.query),
        )
        if request.content_type == "application/json" and body:
            try:
                parsed = json.loads(body)
                record.json = parsed if isinstance(parsed, dict) else {"_": parsed}
            except json.JSONDecodeError:
                pass
        elif request.content_type == "multipart/form-data":
            record.form, record.files = await _parse_multipart(request, body)
        self.requests.append(record)
        request[_RECORD] = record

        auth = record.headers.get("authorization", "")
        if request.path.startswith("/openai/") and "api-key" in record.headers:
            auth = "Bearer " + record.headers["api-key"]
        if not auth:
            return self._error(
                401,
                "You didn't provide an API key. You need to provide your API key in an Authorization header "
                "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                "invalid_request_error",
                code="invalid_api_key",
            )
        if auth not in {f"Bearer {key}" for key in (self.api_key, *self.other_keys)}:
            shown = auth.removeprefix("Bearer ")
            shown = shown[:3] + "*" * 6 + shown[-4:] if len(shown) > 8 else shown
            return self._error(
                401,
                f"Incorrect API key provided: {shown}. You can find your API key at "
                "https://platform.openai.com/account/api-keys.",
                "invalid_request_error",
                code="invalid_api_key",
            )
        named = (
            (record.json or {}).get("model") or (record.form or {}).get("model") or record.query.get("model")
        )
        if isinstance(named, str) and named in self.gone:
            return self._unknown_model(named)
        return await handler(request)

    async def _not_found(self, request: web.Request) -> web.StreamResponse:
        return self._error(404, f"Invalid URL ({request.method} {request.path})", "invalid_request_error")

    async def _wait(self, request: web.Request, seconds: float) -> None:
        """Sleep up to ``seconds``; return early when the client disconnects or the fake stops."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self._stopping.is_set():
            transport = request.transport
            if transport is None or transport.is_closing():
                return
            await asyncio.sleep(min(0.05, max(0.0, deadline - time.monotonic())))

    @staticmethod
    def _drop(request: web.Request) -> web.Response:
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=499)

    async def _generic(
        self, request: web.Request, reply: Reply, stream: bool = False
    ) -> web.StreamResponse | None:
        """Answer with a reply type valid on any endpoint; None if ``reply`` is endpoint-specific."""
        if isinstance(reply, ErrorReply):
            headers = dict(reply.headers) if reply.headers is not None else {}
            if reply.headers is None and (reply.status in (408, 409, 429) or reply.status >= 500):
                headers["retry-after-ms"] = "1"
            body = _error_body(
                reply.message, reply.type or _status_type(reply.status), reply.param, reply.code
            )
            if reply.status == 429 and reply.code is None:
                body["error"]["code"] = "rate_limit_exceeded"
            return self._json(body, reply.status, headers)
        if isinstance(reply, Hang):
            if reply.after_headers:
                resp = web.StreamResponse(status=200, headers=self._headers())
                resp.content_type = "text/event-stream" if stream else "application/json"
                await resp.prepare(request)
                await self._wait(request, reply.seconds)
                self._drop(request)
                return resp
            await self._wait(request, reply.seconds)
            return self._drop(request)
        if isinstance(reply, Disconnect):
            return self._drop(request)
        if isinstance(reply, JsonReply):
            return self._json(reply.body, reply.status, reply.headers)
        if isinstance(reply, RawReply):
            body = reply.body.encode() if isinstance(reply.body, str) else reply.body
            return web.Response(
                body=body,
                status=reply.status,
                content_type=reply.content_type,
                headers=self._headers(reply.headers),
            )
        return None

    def _misused(self, reply: Reply) -> web.Response:
        return self._error(500, f"FakeOpenAI: {type(reply).__name__} is not valid for this endpoint")

    def _model_known(self, model: str) -> bool:
        return any(m["id"] == model for m in self.models)

    def _unknown_model(self, model: str) -> web.Response:
        return self._error(
            404,
            f"The model `{model}` does not exist or you do not have access to it.",
            "invalid_request_error",
            code="model_not_found",
        )

    # ------------------------------------------------------------------ models

    async def _models(self, request: web.Request) -> web.StreamResponse:
        return self._json({"object": "list", "data": self.models})

    async def _model(self, request: web.Request) -> web.StreamResponse:
        mid = request.match_info["model_id"]
        for m in self.models:
            if m["id"] == mid:
                return self._json(m)
        return self._unknown_model(mid)

    # ------------------------------------------------------------------ chat completions

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body = request[_RECORD].json
        if body is None:
            return self._error(400, "We could not parse the JSON body of your request.")
        model = body.get("model")
        if not model:
            return self._error(400, "you must provide a model parameter")
        if not isinstance(body.get("messages"), list):
            return self._error(
                400,
                "Missing required parameter: 'messages'.",
                param="messages",
                code="missing_required_parameter",
            )
        if self.strict_models and not self._model_known(model):
            return self._unknown_model(model)
        stream = body.get("stream") is True
        reply = self._next_reply("/v1/chat/completions")
        if reply is not None and not isinstance(reply, ChatReply):
            return await self._generic(request, reply, stream) or self._misused(reply)
        if reply is None:
            last_user = next((m for m in reversed(body["messages"]) if m.get("role") == "user"), None)
            reply = ChatReply(text="Echo: " + (_message_text(last_user.get("content")) if last_user else ""))

        n = int(body.get("n") or 1)
        content_chunks = reply.chunks if reply.chunks is not None else _split(reply.text)
        full = "".join(reply.chunks) if reply.chunks is not None else reply.text
        if reply.choices is not None:
            texts = list(reply.choices)
        elif n > 1:
            texts = [f"{full} (choice {i + 1})" for i in range(n)]
        else:
            texts = [full]
        finish = "tool_calls" if reply.tool_calls and reply.finish_reason == "stop" else reply.finish_reason
        prompt_text = " ".join(
            _message_text(m.get("content")) for m in body["messages"] if isinstance(m, dict)
        )
        usage = reply.usage or {
            "prompt_tokens": _estimate_tokens(prompt_text) + 3 * len(body["messages"]),
            "completion_tokens": sum(_estimate_tokens(t) for t in texts),
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
        }
        if "total_tokens" not in usage and "prompt_tokens" in usage and "completion_tokens" in usage:
            usage = {**usage, "total_tokens": usage["prompt_tokens"] + usage["completion_tokens"]}
        cid = f"chatcmpl-fake{next(self._ids):06d}"
        created = int(time.time())
        tool_calls = [
            {
                "id": tc.get("id") or f"call_fake{k + 1}",
                "type": "function",
                "function": {"name": tc["name"], "arguments": tc.get("arguments", "{}")},
            }
            for k, tc in enumerate(reply.tool_calls or [])
        ]

        if not stream:
            await self._wait(request, reply.first_delay)
            choices = []
            for i, text in enumerate(texts):
                message: dict[str, Any] = {
                    "role": "assistant",
                    "content": text if (text or not tool_calls) else None,
                    "refusal": None,
                    "annotations": [],
                }
                if tool_calls:
                    message["tool_calls"] = tool_calls
                choices.append({"index": i, "message": message, "logprobs": None, "finish_reason": finish})
            return self._json(
                {
                    "id": cid,
                    "object": "chat.completion",
                    "created": created,
                    "model": model,
                    "choices": choices,
                    "usage": usage,
                    "service_tier": "default",
                    "system_fingerprint": "fp_fake",
                }
            )

        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        resp = web.StreamResponse(status=200, headers=self._headers({"Cache-Control": "no-cache"}))
        resp.content_type = "text/event-stream"
        resp.charset = "utf-8"
        await resp.prepare(request)

        def chunk(index: int, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
            out: dict[str, Any] = {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "service_tier": "default",
                "system_fingerprint": "fp_fake",
                "choices": [
                    {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
                ],
            }
            if include_usage:
                out["usage"] = None
            return out

        async def send(data: dict[str, Any] | str) -> None:
            payload = data if isinstance(data, str) else json.dumps(data)
            await resp.write(f"data: {payload}\n\n".encode())

        sent = 0

        async def interrupted() -> bool:
            """Apply stall_after / disconnect_after before the next chunk; True = send nothing more."""
            if reply.stall_after is not None and sent >= reply.stall_after:
                await self._wait(request, math.inf)
                return True
            if reply.disconnect_after is not None and sent >= reply.disconnect_after:
                self._drop(request)
                return True
            if reply.close_after is not None and sent >= reply.close_after:
                await resp.write_eof()
                return True
            return False

        try:
            await self._wait(request, reply.first_delay)
            for i, text in enumerate(texts):
                await send(chunk(i, {"role": "assistant", "content": "", "refusal": None}))
                pieces = content_chunks if reply.choices is None and n == 1 else _split(text)
                for piece in pieces:
                    if await interrupted():
                        return resp
                    if sent and reply.chunk_delay:
                        await self._wait(request, reply.chunk_delay)
                    await send(chunk(i, {"content": piece}))
                    sent += 1
                for k, tc in enumerate(tool_calls):
                    function = {"name": tc["function"]["name"], "arguments": ""}
                    await send(
                        chunk(
                            i,
                            {
                                "tool_calls": [
                                    {"index": k, "id": tc["id"], "type": "function", "function": function}
                                ]
                            },
                        )
                    )
                    for part in _split(tc["function"]["arguments"], 16):
                        await send(chunk(i, {"tool_calls": [{"index": k, "function": {"arguments": part}}]}))
                if i == len(texts) - 1 and await interrupted():
                    return resp
                await send(chunk(i, {}, finish))
            if include_usage:
                await send({**chunk(0, {}), "choices": [], "usage": usage})
            await send("[DONE]")
            await resp.write_eof()
        except ConnectionError:
            pass
        return resp

    # ------------------------------------------------------------------ images

    async def _images(self, request: web.Request) -> web.StreamResponse:
        body = request[_RECORD].json
        if body is None:
            return self._error(400, "We could not parse the JSON body of your request.")
        prompt, model = body.get("prompt"), str(body.get("model") or "gpt-image-1")
        if not prompt:
            return self._error(
                400,
                "Missing required parameter: 'prompt'.",
                param="prompt",
                code="missing_required_parameter",
            )
        n = int(body.get("n") or 1)
        if n > 10 or n < 1:
            return self._error(
                400,
                f"Invalid 'n': integer {'above maximum' if n > 10 else 'below minimum'} value.",
                param="n",
                code="integer_above_max_value" if n > 10 else "integer_below_min_value",
            )
        if model.startswith("gpt-image"):
            for param in ("response_format", "style"):
                if param in body:
                    return self._error(
                        400, f"Unknown parameter: '{param}'.", param=param, code="unknown_parameter"
                    )
        if self.strict_models and not self._model_known(model):
            return self._unknown_model(model)
        reply = self._next_reply("/v1/images/generations")
        if reply is not None:
            return await self._generic(request, reply) or self._misused(reply)
        as_url = body.get("response_format") == "url"
        data = []
        for i in range(n):
            item: dict[str, Any] = {"revised_prompt": prompt}
            if as_url:
                item["url"] = f"http://127.0.0.1:{self.port}/files/image-{next(self._ids)}-{i}.png"
            else:
                item["b64_json"] = base64.b64encode(self.image_bytes).decode()
            data.append(item)
        out: dict[str, Any] = {"created": int(time.time()), "data": data}
        if model.startswith("gpt-image"):
            out.update(
                {
                    "background": body.get("background") or "opaque",
                    "output_format": body.get("output_format") or "png",
                    "quality": body.get("quality") or "medium",
                    "size": body.get("size") or "1024x1024",
                    "usage": {
                        "input_tokens": _estimate_tokens(str(prompt)),
                        "input_tokens_details": {
                            "text_tokens": _estimate_tokens(str(prompt)),
                            "image_tokens": 0,
                        },
                        "output_tokens": 1056 * n,
                        "total_tokens": _estimate_tokens(str(prompt)) + 1056 * n,
                    },
                }
            )
        return self._json(out)

    async def _image_file(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=self.image_bytes, content_type="image/png")

    # ------------------------------------------------------------------ audio

    async def _speech(self, request: web.Request) -> web.StreamResponse:
        body = request[_RECORD].json
        if body is None:
            return self._error(400, "We could not parse the JSON body of your request.")
        text = body.get("input")
        if not text:
            return self._error(
                400, "Missing required parameter: 'input'.", param="input", code="missing_required_parameter"
            )
        if len(str(text)) > 4096:
            return self._error(
                400,
                f"Invalid 'input': string too long. Expected a string with maximum length 4096, "
                f"but got a string with length {len(str(text))} instead.",
                param="input",
                code="string_above_max_length",
            )
        if self.strict_models and not self._model_known(str(body.get("model"))):
            return self._unknown_model(str(body.get("model")))
        reply = self._next_reply("/v1/audio/speech")
        if reply is not None:
            return await self._generic(request, reply) or self._misused(reply)
        fmt = str(body.get("response_format") or "mp3")
        if fmt not in SPEECH_CONTENT_TYPES:
            return self._error(
                400,
                f"Invalid value: '{fmt}'. Supported values are: "
                f"{', '.join(map(repr, SPEECH_CONTENT_TYPES))}.",
                param="response_format",
                code="invalid_value",
            )
        payload = self.speech_by_input(str(text), fmt) if self.speech_by_input else self.speech_payload(fmt)
        return web.Response(body=payload, content_type=SPEECH_CONTENT_TYPES[fmt], headers=self._headers())

    async def _transcriptions(self, request: web.Request) -> web.StreamResponse:
        return await self._audio_text(request, "transcribe")

    async def _translations(self, request: web.Request) -> web.StreamResponse:
        return await self._audio_text(request, "translate")

    async def _audio_text(self, request: web.Request, task: str) -> web.StreamResponse:
        record: OpenAIRequest = request[_RECORD]
        form, files = record.form or {}, record.files or {}
        model = str(form.get("model") or "")
        if not model:
            return self._error(400, "you must provide a model parameter")
        upload = files.get("file")
        if upload is None:
            return self._error(
                400, "Missing required parameter: 'file'.", param="file", code="missing_required_parameter"
            )
        filename, _ctype, content = upload
        ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if ext not in TRANSCRIPTION_EXTENSIONS:
            return self._error(
                400,
                f"Invalid file format. Supported formats: {list(TRANSCRIPTION_EXTENSIONS)}",
            )
        if len(content) > MAX_AUDIO_BYTES:
            return self._error(
                413, f"Maximum content size limit ({MAX_AUDIO_BYTES}) exceeded ({len(content)} bytes read)"
            )
        if task == "translate" and model != "whisper-1":
            return self._error(
                400, f"The model `{model}` does not support translations. Use whisper-1.", param="model",
                code="unsupported_value",
            )  # fmt: skip
        fmt = str(form.get("response_format") or "json")
        if fmt in ("srt", "vtt", "verbose_json") and model != "whisper-1":
            return self._error(
                400,
                f"response_format '{fmt}' is not compatible with model '{model}'. "
                "Use 'json' or 'text' instead.",
                param="response_format",
                code="unsupported_value",
            )
        if fmt not in ("json", "text", "srt", "vtt", "verbose_json", "diarized_json"):
            return self._error(400, f"Invalid value: '{fmt}'.", param="response_format", code="invalid_value")
        if self.strict_models and not self._model_known(model):
            return self._unknown_model(model)
        path = "/v1/audio/transcriptions" if task == "transcribe" else "/v1/audio/translations"
        reply = self._next_reply(path)
        if reply is not None:
            return await self._generic(request, reply) or self._misused(reply)
        text = self.transcription_text if task == "transcribe" else self.translation_text
        if fmt == "text":
            return web.Response(text=text, content_type="text/plain", headers=self._headers())
        if fmt == "srt":
            srt = f"1\n00:00:00,000 --> 00:00:01,500\n{text}\n\n"
            return web.Response(text=srt, content_type="text/plain", headers=self._headers())
        if fmt == "vtt":
            vtt = f"WEBVTT\n\n00:00:00.000 --> 00:00:01.500\n{text}\n\n"
            return web.Response(text=vtt, content_type="text/plain", headers=self._headers())
        if fmt == "verbose_json":
            return self._json(
                {
                    "task": task,
                    "language": "english",
                    "duration": 1.5,
                    "text": text,
                    "segments": [
                        {
                            "id": 0,
                            "seek": 0,
                            "start": 0.0,
                            "end": 1.5,
                            "text": " " + text,
                            "tokens": [50364, 400, 307, 257, 50439],
                            "temperature": 0.0,
                            "avg_logprob": -0.25,
                            "compression_ratio": 1.0,
                            "no_speech_prob": 0.01,
                        }
                    ],
                    "usage": {"type": "duration", "seconds": 2},
                }
            )
        return self._json({"text": text, "usage": {"type": "duration", "seconds": 2}})

    # ------------------------------------------------------------------ realtime (websocket)

    @staticmethod
    def realtime_pcm(text: str) -> bytes:
        """The PCM16 (24 kHz mono, little-endian) the fake Realtime API speaks for ``text``: 5 ms of a
        sawtooth per UTF-8 byte (pitch and loudness from the byte; one byte for an empty text)."""
        samples: list[int] = []
        for b in text.encode() or b"\x00":
            period, amp = 8 + b % 32, 2000 + 40 * b
            samples.extend(amp * (2 * (i % period) - period) // period for i in range(120))
        return struct.pack(f"<{len(samples)}h", *samples)

    def _event_id(self) -> str:
        return f"event_fake{next(self._ids):06d}"

    async def _realtime(self, request: web.Request) -> web.StreamResponse:
        record: OpenAIRequest = request[_RECORD]
        model = request.query.get("model") or request.query.get("deployment", "")  # Azure: the deployment
        if not model:
            return self._error(
                400, "Missing required parameter: 'model'.", param="model", code="missing_required_parameter"
            )
        if self.strict_models and not self._model_known(model):
            return self._unknown_model(model)
        ws = web.WebSocketResponse(protocols=("realtime",), max_msg_size=0)
        if not ws.can_prepare(request).ok:
            return self._error(400, "Expected a WebSocket upgrade request for /v1/realtime.")
        behaviour = self.realtime_script.pop(0) if self.realtime_script else "ok"
        if behaviour not in REALTIME_BEHAVIOURS:
            return self._error(500, f"FakeOpenAI: unknown realtime behaviour {behaviour!r}")
        session = RealtimeSession(model=model, headers=record.headers, behaviour=behaviour)
        self.realtime_sessions.append(session)
        state: dict[str, Any] = {
            "type": "realtime",
            "object": "realtime.session",
            "id": f"sess_fake{next(self._ids):06d}",
            "model": model,
            "output_modalities": ["audio"],
            "instructions": "",
            "audio": {
                "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "marin", "speed": 1.0}
            },
        }
        await ws.prepare(request)
        self._sockets.add(ws)

        async def send(kind: str, **fields: Any) -> None:
            await ws.send_json({"type": kind, "event_id": self._event_id(), **fields})

        async def error(message: str, code: str, param: str | None = None, client_event: Any = None) -> None:
            await send(
                "error",
                error={
                    "type": "invalid_request_error" if code != "fake_scripted_error" else "server_error",
                    "code": code,
                    "message": message,
                    "param": param,
                    "event_id": client_event,
                },
            )

        text = ""
        try:
            await send("session.created", session=state)
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    event = json.loads(msg.data)
                    if not isinstance(event, dict):
                        raise ValueError("not an object")
                except ValueError:
                    session.events.append({"_raw": msg.data})
                    await error("Invalid JSON in the client event.", "invalid_json")
                    continue
                session.events.append(event)
                kind, eid = event.get("type"), event.get("event_id")
                if kind == "session.update":
                    update = event.get("session") or {}
                    output = (update.get("audio") or {}).get("output") or {}
                    voice, speed = output.get("voice"), output.get("speed")
                    if voice is not None and voice not in REALTIME_VOICES:
                        await error(
                            f"Invalid value: '{voice}'. Supported values are: {', '.join(REALTIME_VOICES)}.",
                            "invalid_value", "session.audio.output.voice", eid,
                        )  # fmt: skip
                    elif speed is not None and not 0.25 <= float(speed) <= 1.5:
                        await error(
                            f"Invalid 'session.audio.output.speed': {speed} is outside [0.25, 1.5].",
                            "decimal_out_of_range", "session.audio.output.speed", eid,
                        )  # fmt: skip
                    else:
                        _deep_merge(state, update)
                        await send("session.updated", session=state)
                elif kind == "conversation.item.create":
                    item = {"id": f"item_fake{next(self._ids):06d}", "object": "realtime.item"}
                    item.update(event.get("item") or {})
                    if item.get("type") == "message" and item.get("role") == "user":
                        text = _message_text(item.get("content"))
                    await send("conversation.item.added", previous_item_id=None, item=item)
                    await send("conversation.item.done", previous_item_id=None, item=item)
                elif kind == "response.create":
                    if not await self._realtime_respond(request, ws, session, state, text):
                        break
                elif kind not in REALTIME_CLIENT_EVENTS:
                    await error(f"Invalid value: '{kind}'.", "invalid_value", "type", eid)
        except ConnectionError:
            pass
        finally:
            self._sockets.discard(ws)
        return ws

    async def _realtime_respond(
        self,
        request: web.Request,
        ws: web.WebSocketResponse,
        session: RealtimeSession,
        state: dict[str, Any],
        text: str,
    ) -> bool:
        """Answer a response.create per ``session.behaviour``; False once the socket is closed."""

        async def send(kind: str, **fields: Any) -> None:
            await ws.send_json({"type": kind, "event_id": self._event_id(), **fields})

        if session.behaviour == "error":
            await send(
                "error",
                error={
                    "type": "server_error",
                    "code": "fake_scripted_error",
                    "message": self.realtime_error_message,
                    "param": None,
                    "event_id": None,
                },
            )
            return True
        rid, iid = f"resp_fake{next(self._ids):06d}", f"item_fake{next(self._ids):06d}"
        response: dict[str, Any] = {
            "object": "realtime.response",
            "id": rid,
            "status": "in_progress",
            "status_details": None,
            "output": [],
            "conversation_id": "conv_fake",
            "output_modalities": state.get("output_modalities", ["audio"]),
            "audio": {"output": state.get("audio", {}).get("output", {})},
        }
        await send("response.created", response=response)
        if session.behaviour == "hang":
            return True
        pcm = self.realtime_pcm(text)
        step = max(2, (len(pcm) // 4 + 1) // 2 * 2)
        where = {"response_id": rid, "item_id": iid, "output_index": 0, "content_index": 0}
        for start in range(0, len(pcm), step):
            await send(
                "response.output_audio.delta",
                delta=base64.b64encode(pcm[start : start + step]).decode(),
                **where,
            )
            if session.behaviour == "close":
                await ws.close(code=1000, message=b"fake: closed early")
                return False
            if session.behaviour == "drop":
                if request.transport is not None:
                    request.transport.abort()
                return False
        await send("response.output_audio.done", **where)
        item = {
            "id": iid,
            "object": "realtime.item",
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_audio", "transcript": text}],
        }
        usage = {
            "input_tokens": _estimate_tokens(text),
            "output_tokens": len(pcm) // 2 // 480,
            "total_tokens": _estimate_tokens(text) + len(pcm) // 2 // 480,
        }
        await send(
            "response.done",
            response={**response, "status": "completed", "output": [item], "usage": usage},
        )
        return True


def _deep_merge(dst: dict[str, Any], src: dict[str, Any]) -> None:
    for key, value in src.items():
        if isinstance(value, dict) and isinstance(dst.get(key), dict):
            _deep_merge(dst[key], value)
        else:
            dst[key] = value


__all__ = [
    "REALTIME_BEHAVIOURS",
    "REALTIME_VOICES",
    "SPEECH_CONTENT_TYPES",
    "TINY_PNG",
    "ChatReply",
    "Disconnect",
    "ErrorReply",
    "FakeOpenAI",
    "Hang",
    "JsonReply",
    "OpenAIRequest",
    "RawReply",
    "RealtimeSession",
    "Reply",
    "ResponsesReply",
]
