"""Transcribe (or translate to English) the audio people share, each file in order, into the thread.

The transcript joins the thread's conversation, so "summarize that" in the thread just works.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

import openai
from pydantic import ValidationError
from slack_sdk.errors import SlackApiError

from bot.delivery import openai_errors, private
from bot.delivery.long_text import post_long
from bot.delivery.uploads import OutgoingFile, upload
from bot.slack.files import FileProblem, SharedFile, resolve
from handlers import transcribe_audio
from handlers.transcribe_audio import AudioRequest, Transcript, clock
from storage import ClaimedJob, NewJob, StoredMessage, ThreadKey

if TYPE_CHECKING:
    from bot.process.runtime import Runtime

log = logging.getLogger(__name__)

KIND = "audio.transcribe"
NOT_AUDIO = (
    "`{name}` is not an audio or video file I can transcribe. I take flac, mp3, mp4, mpeg, mpga, m4a, ogg, "
    "wav, webm and Slack voice clips."
)
NO_AUDIO_HERE = ":warning: I found no audio to {task} in that message or its thread."
SUBTITLE_PREVIEW = 600


def audio_job(
    *,
    dedup_key: str,
    team_id: str,
    channel: str,
    user: str,
    task: str,
    files: list[dict[str, Any]] | None,
    thread_ts: str | None,
    options: dict[str, Any] | None = None,
    announce: bool = False,
    response_url: str | None = None,
) -> NewJob:
    """`files` None means: look for audio at the start of the thread (a mention inside it)."""
    payload = {
        "team_id": team_id,
        "channel": channel,
        "user": user,
        "task": task,
        "files": files,
        "thread_ts": thread_ts,
        "options": options or {},
        "announce": announce,
        "response_url": response_url,
    }
    serial = f"thread:{team_id}:{channel}:{thread_ts}" if thread_ts else None
    return NewJob(kind=KIND, dedup_key=dedup_key, payload=payload, serial_key=serial)


def audio_request(rt: Runtime, task: str, options: dict[str, Any]) -> AudioRequest:
    default = (
        rt.settings.openai_translation_model
        if task == "translate"
        else rt.settings.openai_transcription_model
    )
    values = {"model": default, **{key: value for key, value in options.items() if value is not None}}
    return AudioRequest(**values)


def audio_files(files: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [
        f
        for f in files or []
        if transcribe_audio.is_audio(
            str(f.get("name") or ""), f.get("filetype"), f.get("mimetype"), f.get("subtype")
        )
        or f.get("file_access") == "check_file_info"
    ]


async def _thread_root_files(rt: Runtime, channel: str, thread_ts: str) -> list[dict[str, Any]]:
    response = await rt.slack.conversations_replies(channel=channel, ts=thread_ts, limit=1, inclusive=True)
    messages = response.get("messages") or []
    return audio_files(messages[0].get("files")) if messages else []


def _notes(rt: Runtime, transcript: Transcript, request: AudioRequest) -> list[str]:
    notes = []
    if transcript.translated_by_chat:
        notes.append(
            f"_Translated by `{transcript.model}` from a transcript by "
            f"`{rt.settings.openai_transcription_model}`: `/audio/translations` with `{request.model}` "
            "is not available._"
        )
    if transcript.estimated_timing:
        notes.append(
            f"_Timestamps are estimated from the audio's length: `{request.model}` gives none. "
            "For exact ones, use `--model whisper-1` (until it shuts down on 2027-02-26)._"
        )
    return notes


async def _deliver(
    rt: Runtime,
    p: dict[str, Any],
    thread_ts: str,
    file: SharedFile,
    transcript: Transcript,
    request: AudioRequest,
) -> None:
    what = "English translation" if p["task"] == "translate" else "Transcript"
    header = "\n".join([f"*{what} of `{file.name}`*", *_notes(rt, transcript, request)])
    stem = file.name.rsplit(".", 1)[0] if "." in file.name else file.name
    if transcript.subtitles is not None:
        preview = transcript.subtitles[:SUBTITLE_PREVIEW] + (
            "\n…" if len(transcript.subtitles) > SUBTITLE_PREVIEW else ""
        )
        subtitle = OutgoingFile(
            f"{stem}.{transcript.response_format}", transcript.subtitles.encode(), f"{what}: {file.name}"
        )
        await upload(
            rt.slack,
            channel=p["channel"],
            thread_ts=thread_ts,
            files=[subtitle],
            comment=f"{header}\n```\n{preview}\n```",
        )
        return
    if transcript.response_format == "verbose_json" and transcript.segments:
        body = "\n".join(f"{clock(s.start)} {s.text.strip()}" for s in transcript.segments)
    else:
        body = transcript.text.strip() or "_(no speech found)_"
    await post_long(rt.slack, channel=p["channel"], thread_ts=thread_ts, text=f"{header}\n{body}")


async def _resolve_all(rt: Runtime, p: dict[str, Any], files: list[dict[str, Any]]) -> list[SharedFile]:
    """The files' full objects (stubs resolved); files that are not audio are reported and skipped."""
    resolved = []
    for info in files:
        try:
            file = await resolve(rt.slack, info)
        except FileProblem as exc:
            await _tell(rt, p, f":warning: {exc}")
            continue
        if not transcribe_audio.is_audio(file.name, file.filetype, file.mimetype, file.subtype):
            await _tell(rt, p, ":warning: " + NOT_AUDIO.format(name=file.name))
            continue
        resolved.append(file)
    return resolved


async def _do_one(
    rt: Runtime, p: dict[str, Any], thread_ts: str, file: SharedFile, request: AudioRequest
) -> str | None:
    """Transcribe one file and post it; the transcript text, or None after telling what went wrong."""
    try:
        spool = await rt.downloader.download_to_disk(file, transcribe_audio.MAX_AUDIO_BYTES)
    except FileProblem as exc:
        await _tell(rt, p, f":warning: {exc}")
        return None
    with spool:
        audio = (
            transcribe_audio.audio_filename(file.name, file.filetype, file.mimetype, file.subtype),
            spool,
        )
        try:
            if p["task"] == "translate":
                transcript = await transcribe_audio.translate(
                    rt.openai,
                    request,
                    audio,
                    transcription_model=rt.settings.openai_transcription_model,
                    chat_model=rt.settings.openai_chat_model,
                )
            else:
                transcript = await transcribe_audio.transcribe(rt.openai, request, audio)
        except openai.OpenAIError as exc:
            rt.metrics.openai_errors.labels(type(exc).__name__).inc()
            await _tell(rt, p, openai_errors.describe(exc, request.model))
            return None
        if transcript.response_format in transcribe_audio.TIMED_FORMATS and not transcript.segments:
            duration = await asyncio.to_thread(transcribe_audio.audio_duration, spool)
            transcribe_audio.finish_timing(transcript, duration)
    await _deliver(rt, p, thread_ts, file, transcript, request)
    return transcript.text


async def _tell(rt: Runtime, p: dict[str, Any], text: str) -> None:
    await private.tell_requester(rt.slack, p, text)


async def run(rt: Runtime, job: ClaimedJob) -> None:
    p = job.payload
    task = p["task"]
    try:
        request = audio_request(rt, task, p["options"])
    except ValidationError as exc:
        await _tell(rt, p, f":warning: {exc.errors()[0]['msg']}")
        return
    infos = p["files"]
    if infos is None and p.get("thread_ts"):
        infos = await _thread_root_files(rt, p["channel"], p["thread_ts"])
    if not infos:
        await _tell(rt, p, NO_AUDIO_HERE.format(task=task))
        return
    files = await _resolve_all(rt, p, infos)
    if not files:
        return
    thread_ts = job.progress.get("thread_ts") or p.get("thread_ts")
    if p.get("announce") and not job.progress.get("thread_ts"):
        names = ", ".join(f"`{file.name}`" for file in files)
        verb = "translate" if task == "translate" else "transcribe"
        try:
            response = await rt.slack.chat_postMessage(
                channel=p["channel"], text=f"<@{p['user']}> asked me to {verb} {names}"
            )
        except SlackApiError as exc:
            await _tell(
                rt,
                p,
                f":wave: I can't post here ({exc.response.get('error')}). Invite me with `/invite @ChatGPT`.",
            )
            return
        thread_ts = str(response["ts"])
        job.progress = {**job.progress, "thread_ts": thread_ts}
        await rt.jobs.save_progress(job.id, job.progress)
    done = set(job.progress.get("done", []))
    key = ThreadKey(p["team_id"], p["channel"], thread_ts)
    await rt.conversations.ensure(key)
    asked = "Translate to English" if task == "translate" else "Transcribe"
    for file in files:
        if file.id in done:
            continue
        await _status(
            rt, p["channel"], thread_ts, "is translating…" if task == "translate" else "is transcribing…"
        )
        text = await _do_one(rt, p, thread_ts, file, request)
        if text is not None:
            exchange = [
                StoredMessage("user", f"{asked} the audio file `{file.name}`."),
                StoredMessage("assistant", text),
            ]
            await rt.conversations.append(key, exchange)
        done.add(file.id)
        job.progress = {**job.progress, "done": sorted(done)}
        await rt.jobs.save_progress(job.id, job.progress)


async def _status(rt: Runtime, channel: str, thread_ts: str, status: str) -> None:
    with contextlib.suppress(SlackApiError):
        await rt.slack.assistant_threads_setStatus(channel_id=channel, thread_ts=thread_ts, status=status)


async def transcribe_thread_audio(rt: Runtime, place: Any) -> list[str]:
    """For the `transcribe` tool: the audio that started the thread, transcribed into it."""
    p = {"team_id": place.team_id, "channel": place.channel, "user": place.user, "task": "transcribe",
         "thread_ts": place.thread_ts, "response_url": None}  # fmt: skip
    infos = await _thread_root_files(rt, place.channel, place.thread_ts)
    texts = []
    for file in await _resolve_all(rt, p, infos):
        text = await _do_one(rt, p, place.thread_ts, file, audio_request(rt, "transcribe", {}))
        if text is not None:
            texts.append(text)
    return texts
