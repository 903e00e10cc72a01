"""Read text aloud and upload the audio, long text as ordered parts, into the channel or thread."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import openai
from pydantic import ValidationError

from bot.delivery import openai_errors, private
from bot.delivery.uploads import OutgoingFile, slug, upload
from handlers import create_speech
from handlers.realtime_speech import RealtimeSpeechError
from storage import ClaimedJob, NewJob

if TYPE_CHECKING:
    from bot.process.runtime import Runtime

log = logging.getLogger(__name__)

KIND = "speech.create"
PARALLEL_PARTS = 3
PCM_NOTE = "_PCM audio does not play in Slack, so it was wrapped as WAV (same samples)._"


def speech_job(
    *,
    dedup_key: str,
    team_id: str,
    channel: str,
    user: str,
    options: dict[str, Any],
    thread_ts: str | None = None,
    response_url: str | None = None,
    source: str = "command",
) -> NewJob:
    payload = {
        "team_id": team_id,
        "channel": channel,
        "user": user,
        "options": options,
        "thread_ts": thread_ts,
        "response_url": response_url,
        "source": source,
    }
    return NewJob(kind=KIND, dedup_key=dedup_key, payload=payload)


def speech_request(rt: Runtime, options: dict[str, Any]) -> create_speech.SpeechRequest:
    """Raises ValidationError naming the property the model cannot take."""
    values = {"model": rt.settings.openai_speech_model, **options}
    return create_speech.SpeechRequest(**{key: value for key, value in values.items() if value is not None})


async def speak_all(rt: Runtime, request: create_speech.SpeechRequest) -> list[create_speech.SpeechPart]:
    """Every part of the text, read in order (a few at once), never cut off."""
    parts = create_speech.split_text(request.input)
    gate = asyncio.Semaphore(PARALLEL_PARTS)

    async def one(text: str) -> create_speech.SpeechPart:
        async with gate:
            return await create_speech.speak(rt.openai, request.model_copy(update={"input": text}))

    return list(await asyncio.gather(*(one(text) for text in parts)))


def files_for(
    request: create_speech.SpeechRequest, parts: list[create_speech.SpeechPart]
) -> list[OutgoingFile]:
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
    rt: Runtime, request: create_speech.SpeechRequest, *, channel: str, thread_ts: str | None, comment: str
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
        channel=channel,
        thread_ts=thread_ts,
        files=files_for(request, parts),
        comment="\n".join(notes),
    )
    return len(parts)


async def run(rt: Runtime, job: ClaimedJob) -> None:
    p = job.payload
    if job.progress.get("uploaded"):
        return

    async def tell(text: str) -> None:
        await private.tell_requester(rt.slack, p, text)

    try:
        request = speech_request(rt, p["options"])
    except ValidationError as exc:
        await tell(f":warning: {exc.errors()[0]['msg'].removeprefix('Value error, ')}")
        return
    verb = "read aloud" if p.get("source") == "read_aloud" else "asked for speech"
    try:
        await speak_and_upload(
            rt,
            request,
            channel=p["channel"],
            thread_ts=p.get("thread_ts"),
            comment=f"<@{p['user']}> {verb} :speaker:",
        )
    except openai.OpenAIError as exc:
        rt.metrics.openai_errors.labels(type(exc).__name__).inc()
        await tell(openai_errors.describe(exc, request.model))
        return
    except RealtimeSpeechError as exc:
        await tell(f":warning: The Realtime model `{request.model}` could not read this aloud: {exc}")
        return
    await rt.jobs.save_progress(job.id, {**job.progress, "uploaded": True})
