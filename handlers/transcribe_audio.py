"""The "Create transcription" and "Create translation" actions.

Only whisper-1 answers srt, vtt and verbose_json, and it shuts down on 2027-02-26 together with
/audio/translations. So both actions outlive it: a format the model cannot give is built from what
it does give (the text, with timestamps estimated over the audio's real duration), and a
translation whose model or endpoint is gone becomes transcribe-then-translate with the chat model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated, Any, BinaryIO, Literal

import openai
from pydantic import BaseModel, Field

from bot.content.subtitles import Segment, estimate_segments, subtitles
from handlers.ask_chatgpt import ChatMessage, ChatRequest, complete_chat

FORMATS = ("json", "text", "srt", "verbose_json", "vtt")
TIMED_FORMATS = {"srt", "vtt", "verbose_json"}
TEMPERATURE_RANGE = (0.0, 1.0)
MAX_AUDIO_BYTES = 25 * 1024 * 1024
TRANSLATE_PROMPT = (
    "Translate the following transcript into natural English. Answer with the translation only, "
    "keeping the meaning and tone."
)


def native_formats(model: str) -> tuple[str, ...]:
    """What a transcription model answers by itself: only whisper-1 gives srt, vtt and verbose_json;
    gpt-4o(-mini)-transcribe json only; the diarize model and gpt-transcribe json and text (2026-11)."""
    if model.startswith("whisper"):
        return FORMATS
    if "diarize" in model:
        return ("json", "text")
    if model.startswith(("gpt-4o-transcribe", "gpt-4o-mini-transcribe")):
        return ("json",)
    return ("json", "text")


class AudioRequest(BaseModel):
    model: str
    language: Annotated[str, Field(pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z]{2,4})?$")] | None = None
    prompt: str | None = None
    response_format: Literal["json", "text", "srt", "verbose_json", "vtt"] = "json"
    temperature: Annotated[float, Field(ge=TEMPERATURE_RANGE[0], le=TEMPERATURE_RANGE[1])] | None = None


@dataclass
class Transcript:
    text: str
    response_format: str
    segments: list[Segment] = field(default_factory=list)
    subtitles: str | None = None  # srt or vtt text
    language: str | None = None
    estimated_timing: bool = False
    translated_by_chat: bool = False
    model: str = ""


def _segments_of(raw: Any) -> list[Segment]:
    items = raw.get("segments") if isinstance(raw, dict) else getattr(raw, "segments", None)
    result = []
    for item in items or []:
        get = item.get if isinstance(item, dict) else lambda key, item=item: getattr(item, key, None)
        result.append(Segment(float(get("start") or 0), float(get("end") or 0), str(get("text") or "")))
    return result


def _text_of(raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, dict):
        return str(raw.get("text") or "")
    return str(getattr(raw, "text", "") or "")


def _params(request: AudioRequest, fmt: str, translation: bool) -> dict[str, Any]:
    params: dict[str, Any] = {"model": request.model, "response_format": fmt}
    optional = {"prompt": request.prompt, "temperature": request.temperature}
    if not translation:
        optional["language"] = request.language
    params.update({key: value for key, value in optional.items() if value is not None})
    return params


async def _call(
    client: openai.AsyncOpenAI, request: AudioRequest, audio: tuple[str, BinaryIO], *, translation: bool
) -> Transcript:
    """One upstream call; formats the model lacks are asked as json and built afterwards."""
    wanted = request.response_format
    native = native_formats(request.model)
    fmt = wanted if wanted in native else "json"
    endpoint = client.audio.translations if translation else client.audio.transcriptions
    audio[1].seek(0)
    raw = await endpoint.create(file=audio, **_params(request, fmt, translation))
    if fmt in {"srt", "vtt"}:
        return Transcript(
            text=_subtitle_text(str(raw)), response_format=wanted, subtitles=str(raw), model=request.model
        )
    if isinstance(raw, str) and fmt == "verbose_json":
        raw = json.loads(raw)
    transcript = Transcript(text=_text_of(raw), response_format=wanted, model=request.model)
    transcript.segments = _segments_of(raw)
    transcript.language = raw.get("language") if isinstance(raw, dict) else getattr(raw, "language", None)
    transcript.estimated_timing = wanted in TIMED_FORMATS and fmt != wanted
    return transcript


def _subtitle_text(subtitle: str) -> str:
    lines = [
        line.strip()
        for line in subtitle.splitlines()
        if line.strip() and "-->" not in line and not line.strip().isdigit() and line.strip() != "WEBVTT"
    ]
    return " ".join(lines)


def finish_timing(transcript: Transcript, duration: float | None) -> Transcript:
    """Build the segments and subtitles the model could not give, from the text and the duration."""
    if transcript.response_format not in TIMED_FORMATS or transcript.subtitles:
        return transcript
    if not transcript.segments:
        transcript.segments = estimate_segments(transcript.text, duration or 0.0)
        transcript.estimated_timing = True
    if transcript.response_format in {"srt", "vtt"}:
        transcript.subtitles = subtitles(transcript.segments, transcript.response_format)
    return transcript


async def transcribe(
    client: openai.AsyncOpenAI, request: AudioRequest, audio: tuple[str, BinaryIO]
) -> Transcript:
    return await _call(client, request, audio, translation=False)


def _translation_unavailable(exc: openai.APIStatusError) -> bool:
    code = (exc.code or "").lower()
    return isinstance(exc, openai.NotFoundError) or code in {
        "model_not_found",
        "unsupported_model",
        "invalid_model",
    }


async def translate(
    client: openai.AsyncOpenAI,
    request: AudioRequest,
    audio: tuple[str, BinaryIO],
    *,
    transcription_model: str,
    chat_model: str,
) -> Transcript:
    """/audio/translations while it lives; then transcribe, and translate with the chat model."""
    if request.model.startswith("whisper"):
        try:
            return await _call(client, request, audio, translation=True)
        except openai.APIStatusError as exc:
            if not _translation_unavailable(exc):
                raise
    heard = await _call(
        client,
        request.model_copy(update={"model": transcription_model, "language": None}),
        audio,
        translation=False,
    )
    chat = ChatRequest(
        model=chat_model,
        messages=[
            ChatMessage(role="system", content=TRANSLATE_PROMPT),
            ChatMessage(role="user", content=heard.text),
        ],
    )
    english = (await complete_chat(client, chat)).text.strip()
    result = Transcript(
        text=english, response_format=request.response_format, model=chat_model, translated_by_chat=True
    )
    return result
