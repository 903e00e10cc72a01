"""Read text aloud and upload the audio, long text as ordered parts, into the channel or thread."""

from __future__ import annotations

import asyncio
import io
from typing import Any

from bot.config import Settings
from bot.content.audio_files import audio_duration
from bot.delivery.uploads import OnUploaded, OutgoingFile, slug, upload
from bot.delivery.where import Where
from bot.openai_models.lifecycle import Choice
from bot.process import usage_meter
from bot.process.runtime import Runtime
from handlers import create_speech
from handlers.create_speech import SpeechPart, SpeechRequest
from handlers.realtime_speech import REALTIME_SPEED, REALTIME_VOICES, is_realtime_model

PARALLEL_PARTS = 3
PCM_BYTES_PER_SECOND = 24_000 * 2  # what /audio/speech answers for "pcm": 24 kHz, 16-bit, mono
PCM_NOTE = "_PCM audio does not play in Slack, so it was wrapped as WAV (same samples)._"


REALTIME_STAND_IN_VOICE = "marin"


def speech_request(settings: Settings, options: dict[str, Any], model: str | None = None) -> SpeechRequest:
    """Raises ValidationError naming the property the model cannot take."""
    values = {"model": settings.openai_speech_model, **options}
    if model:
        values["model"] = model
    return SpeechRequest(**{key: value for key, value in values.items() if value is not None})


def request_for(
    settings: Settings, options: dict[str, Any], choice: Choice
) -> tuple[SpeechRequest, list[str]]:
    """The request for the chosen model. A default replaced by a Realtime model keeps what it can of
    a voice or speed the Realtime API lacks, and says so. Raises ValidationError otherwise."""
    options, notes = dict(options), [choice.note()] if choice.replaced else []
    if choice.replaced and is_realtime_model(choice.model):
        voice = options.get("voice")
        if voice and voice not in REALTIME_VOICES:
            options["voice"] = REALTIME_STAND_IN_VOICE
            notes.append(
                f"_The Realtime API has no voice `{voice}`, so `{REALTIME_STAND_IN_VOICE}` read it._"
            )
        speed = options.get("speed")
        if speed is not None and not REALTIME_SPEED[0] <= float(speed) <= REALTIME_SPEED[1]:
            options["speed"] = min(max(float(speed), REALTIME_SPEED[0]), REALTIME_SPEED[1])
            notes.append(f"_The Realtime API reads at {REALTIME_SPEED[0]:g}–{REALTIME_SPEED[1]:g}× speed, so "
                         f"{options['speed']:g}× was used._")  # fmt: skip
    return speech_request(settings, options, model=choice.model), notes


async def speak_as_chosen(
    rt: Runtime, options: dict[str, Any], where: Where, comment: str, on_uploaded: OnUploaded | None = None
) -> SpeechRequest:
    """Read aloud with the model chosen for speech (a shut-down default replaced, before the call or
    when OpenAI answers that it is gone) and upload. Raises ValidationError, ModelShutDown and what
    upstream raised; returns the request that succeeded."""
    choice = await rt.chooser.choose("speech", flag=options.get("model"))

    async def attempt(current: Choice) -> SpeechRequest:
        request, notes = request_for(rt.settings, options, current)
        await speak_and_upload(rt, request, where, "\n".join([comment, *notes]), on_uploaded)
        return request

    return await rt.chooser.call(choice, attempt)


async def speak_all(rt: Runtime, request: SpeechRequest) -> list[SpeechPart]:
    """Every part of the text, read in order (a few at once), never cut off."""
    parts = create_speech.split_text(request.input)
    gate = asyncio.Semaphore(PARALLEL_PARTS)

    async def one(text: str) -> SpeechPart:
        async with gate:
            part = request.model_copy(update={"input": text})
            spoken = await create_speech.speak(rt.openai, part, on_usage=usage_meter.count_realtime)
        if not is_realtime_model(part.model):  # the Realtime path reported its own usage
            usage_meter.count_spoken_seconds(await asyncio.to_thread(seconds_of, spoken))
        return spoken

    return list(await asyncio.gather(*(one(text) for text in parts)))


def seconds_of(part: SpeechPart) -> float:
    """How long a part of speech plays (sync: PyAV reads it; run it in a thread)."""
    if part.extension == "pcm":  # raw 24 kHz 16-bit mono, which PyAV cannot open as a file
        return len(part.content) / PCM_BYTES_PER_SECOND
    return audio_duration(io.BytesIO(part.content)) or 0.0


def files_for(request: SpeechRequest, parts: list[SpeechPart]) -> list[OutgoingFile]:
    base = slug(request.input)
    excerpt = " ".join(request.input.split())
    title = excerpt if len(excerpt) <= 80 else excerpt[:79] + "…"
    if len(parts) == 1:
        return [OutgoingFile(f"{base}.{parts[0].extension}", parts[0].content, title)]
    return [
        OutgoingFile(
            f"{base}-part-{i}-of-{len(parts)}.{part.extension}", part.content, f"{title} ({i}/{len(parts)})"
        )
        for i, part in enumerate(parts, 1)
    ]


async def speak_and_upload(
    rt: Runtime, request: SpeechRequest, where: Where, comment: str, on_uploaded: OnUploaded | None = None
) -> int:
    """Read aloud and upload in one message; return how many parts. Raises what upstream raised."""
    parts = await speak_all(rt, request)
    notes = [comment]
    if len(parts) > 1:
        notes.append(f"_The text was long, so it is read in {len(parts)} parts, in order._")
    if request.response_format == "pcm":
        notes.append(PCM_NOTE)
    await upload(
        rt.slack,
        channel=where.channel,
        thread_ts=where.thread_ts,
        files=files_for(request, parts),
        comment="\n".join(notes),
        on_uploaded=on_uploaded,
    )
    return len(parts)
