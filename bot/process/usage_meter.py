"""What every OpenAI call used, read from OpenAI's own answers (issue 14: usage).

The OpenAI client's HTTP responses pass through `observe`, an httpx response hook set on the HTTP
client we hand the SDK (bot/process/clients.py `openai_http_client`): while a job
runs with a `Meter` set (`metering`), the answer's body is read as it streams by (untouched) and
its usage is added to the meter: tokens in and out (Chat Completions, Responses, images), images
returned, seconds of audio transcribed. The job runners do not need to know. A Realtime session
(speech through the websocket, which no HTTP hook sees) is counted by `count_realtime`, which the
speech action hands the handler: the tokens its `response.done` reported and the audio's seconds.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpx2

from handlers.realtime_speech import RealtimeUsage

log = logging.getLogger(__name__)

# Bodies larger than this (an image as base64, speech audio) are not parsed for usage.
MAX_PARSED_BYTES = 32 * 1024 * 1024
_MULTIPART_MODEL = re.compile(rb'name="model"\r\n\r\n([^\r\n]{1,128})')


@dataclass
class Call:
    endpoint: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    images: int = 0
    audio_seconds: float = 0.0


@dataclass
class Meter:
    calls: list[Call] = field(default_factory=list)


_current: ContextVar[Meter | None] = ContextVar("usage_meter", default=None)


@contextlib.contextmanager
def metering(meter: Meter) -> Iterator[Meter]:
    """OpenAI calls made in this block (and the tasks it starts) are counted into `meter`."""
    token = _current.set(meter)
    try:
        yield meter
    finally:
        _current.reset(token)


def _model_of(request: Any) -> str:
    try:
        content: bytes = request.content
    except Exception:  # a streamed upload that was not kept
        return ""
    if content[:1] == b"{":
        with contextlib.suppress(ValueError):
            return str(json.loads(content).get("model") or "")
    found = _MULTIPART_MODEL.search(content)
    return found.group(1).decode(errors="replace") if found else ""


async def observe(response: Any) -> None:
    meter = _current.get()
    if meter is None or response.status_code >= 400:
        return
    path = str(response.request.url.path)
    endpoint = path.split("/v1/", 1)[-1] if "/v1/" in path else path.rsplit("/openai/", 1)[-1]
    if not endpoint.startswith(("chat/completions", "responses", "images/", "audio/", "deployments/")):
        return
    call = Call(endpoint=endpoint, model=_model_of(response.request))
    meter.calls.append(call)
    if isinstance(response.stream, httpx2.AsyncByteStream):
        response.stream = _Tee(response.stream, call)


class _Tee(httpx2.AsyncByteStream):
    """The response body, passed on unchanged and read for its usage on the way."""

    def __init__(self, inner: Any, call: Call) -> None:
        self._inner = inner
        self._call = call
        self._buffer = bytearray()
        self._too_large = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._inner:
                if not self._too_large:
                    self._buffer += chunk
                    self._too_large = len(self._buffer) > MAX_PARSED_BYTES
                yield chunk
        finally:
            self._finish()

    async def aclose(self) -> None:
        await self._inner.aclose()

    def _finish(self) -> None:
        if self._too_large or not self._buffer:
            return
        text = bytes(self._buffer).decode("utf-8", "replace")
        self._buffer.clear()
        try:
            documents = [json.loads(text)] if text.lstrip()[:1] == "{" else _sse_documents(text)
            for document in documents:
                read_usage(document, self._call)
        except Exception:
            log.debug("could not read the usage of an OpenAI answer", exc_info=True)


def _sse_documents(text: str) -> list[Any]:
    found = []
    for line in text.splitlines():
        if line.startswith("data:") and "usage" in line:
            with contextlib.suppress(ValueError):
                found.append(json.loads(line[5:].strip()))
    return found


def read_usage(document: Any, call: Call) -> None:
    """Add what one JSON answer (or streamed event) says it used."""
    if not isinstance(document, dict):
        return
    if isinstance(document.get("response"), dict):  # Responses API events: response.completed
        document = document["response"]
    if not call.model and isinstance(document.get("model"), str):
        call.model = document["model"]
    usage = document.get("usage")
    if isinstance(usage, dict):
        if usage.get("type") == "duration":
            call.audio_seconds += float(usage.get("seconds") or 0)
        call.prompt_tokens += int(usage.get("prompt_tokens") or usage.get("input_tokens") or 0)
        call.completion_tokens += int(usage.get("completion_tokens") or usage.get("output_tokens") or 0)
    elif isinstance(document.get("duration"), int | float):
        call.audio_seconds += float(document["duration"])
    if call.endpoint.startswith("images/") and isinstance(document.get("data"), list):
        call.images += len(document["data"])


def count_spoken_seconds(seconds: float) -> None:
    """Seconds of speech an /audio/speech answer held (its body is the audio, with no usage in
    it): added to the first such call of the current meter not yet given its seconds."""
    meter = _current.get()
    if meter is None or seconds <= 0:
        return
    spoken = [call for call in meter.calls if call.endpoint.startswith("audio/speech")]
    target = [call for call in spoken if not call.audio_seconds] or spoken
    if target:
        target[0].audio_seconds += seconds


def count_realtime(used: RealtimeUsage) -> None:
    """A Realtime (websocket) session's usage, which no HTTP hook sees, into the current meter."""
    meter = _current.get()
    if meter is None:
        return
    meter.calls.append(
        Call(
            endpoint="realtime",
            model=used.model,
            prompt_tokens=used.input_tokens,
            completion_tokens=used.output_tokens,
            audio_seconds=used.audio_seconds,
        )
    )
