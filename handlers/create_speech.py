"""The "Create speech" action: text read aloud into an audio file.

Through `/audio/speech` for today's TTS models and OpenAI-compatible providers; through the
Realtime API when the model is a `gpt-realtime-…` model (every `/audio/speech` model shuts down on
2027-01-06), with the same properties and the same result. Text over the input limit is split at
sentence boundaries into parts, read in order, never cut off.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import openai
from pydantic import BaseModel, Field, model_validator

from bot.content.audio_encoding import wav_from_pcm16
from handlers.limits import Range
from handlers.realtime_speech import (
    REALTIME_SPEED,
    REALTIME_VOICES,
    RealtimeUsage,
    is_realtime_model,
    speak_realtime,
)

VOICES = ("alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer", "verse",
          "marin", "cedar")  # fmt: skip
FORMATS = ("mp3", "opus", "aac", "flac", "wav", "pcm")
SPEED = Range(0.25, 4.0)
MAX_INPUT = 4096
DEFAULT_VOICE = "alloy"
# What Slack plays, by the format asked for (pcm is wrapped as WAV: raw PCM does not play).
EXTENSIONS = {"mp3": "mp3", "opus": "ogg", "aac": "aac", "flac": "flac", "wav": "wav", "pcm": "wav"}
PCM_RATE = 24_000


class SpeechRequest(BaseModel):
    model: str
    input: Annotated[str, Field(min_length=1)]
    voice: str = DEFAULT_VOICE
    response_format: str = "mp3"
    speed: Annotated[float, Field(ge=SPEED.low, le=SPEED.high)] | None = None
    instructions: str | None = None

    @model_validator(mode="after")
    def _fits_the_model(self) -> SpeechRequest:
        if self.response_format not in FORMATS:
            raise ValueError(f"`--response-format` must be one of {', '.join(FORMATS)}")
        realtime = is_realtime_model(self.model)
        voices = REALTIME_VOICES if realtime else VOICES
        if self.voice not in voices:
            where = f" with the Realtime model `{self.model}`" if realtime else ""
            raise ValueError(f"`--voice` must be one of {', '.join(voices)}{where}")
        if realtime and self.speed is not None and not REALTIME_SPEED[0] <= self.speed <= REALTIME_SPEED[1]:
            raise ValueError(
                f"`--speed` must be a number from {REALTIME_SPEED[0]:g} to {REALTIME_SPEED[1]:g} "
                f"with the Realtime model `{self.model}`"
            )
        return self

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.response_format]


@dataclass
class SpeechPart:
    content: bytes
    extension: str


def split_text(text: str, limit: int = MAX_INPUT) -> list[str]:
    """Parts of at most `limit` characters, cut after sentences, else after words, never mid-word
    unless a single word is longer than the limit."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    sentences = re.split(r"(?<=[.!?。！？])\s+|\n{2,}", text)
    parts: list[str] = []
    current = ""
    for sentence in sentences:
        pieces = [sentence]
        if len(sentence) > limit:
            pieces = _split_words(sentence, limit)
        for piece in pieces:
            candidate = f"{current} {piece}".strip() if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                parts.append(current)
                current = piece
    if current:
        parts.append(current)
    return parts


def _split_words(text: str, limit: int) -> list[str]:
    pieces: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(word[:limit])
            word = word[limit:]
        candidate = f"{current} {word}".strip()
        if len(candidate) <= limit:
            current = candidate
        else:
            pieces.append(current)
            current = word
    if current:
        pieces.append(current)
    return pieces


async def speak(
    client: openai.AsyncOpenAI,
    request: SpeechRequest,
    request_seconds: float = 300.0,
    on_usage: Callable[[RealtimeUsage], None] | None = None,
) -> SpeechPart:
    """One part (the caller splits long text) as a playable file. ``on_usage``: what a Realtime
    session used (an ``/audio/speech`` call is counted from its HTTP response)."""
    if is_realtime_model(request.model):
        content = await speak_realtime(
            client,
            model=request.model,
            text=request.input,
            voice=request.voice,
            speed=request.speed or 1.0,
            response_format="wav" if request.response_format == "pcm" else request.response_format,
            timeout=request_seconds,
            on_usage=on_usage,
        )
        return SpeechPart(content, request.extension)
    params: dict[str, Any] = {
        "model": request.model,
        "input": request.input,
        "voice": request.voice,
        "response_format": request.response_format,
    }
    if request.speed is not None:
        params["speed"] = request.speed
    if request.instructions:
        params["instructions"] = request.instructions
    response = await client.with_options(timeout=request_seconds).audio.speech.create(**params)
    content = await response.aread() if hasattr(response, "aread") else response.read()
    if request.response_format == "pcm":
        content = await asyncio.to_thread(wav_from_pcm16, content, PCM_RATE)
    return SpeechPart(content, request.extension)
