"""Transcribe (or translate to English) shared audio files into a thread, one after another.

Files are resolved (Slack Connect stubs looked up), checked, downloaded to a temporary file with
the size limit, sent to OpenAI with the extension of their real format, and the text posted: long
text over several messages, subtitles as a file with its beginning shown.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Literal

import openai
from pydantic import BaseModel
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.content import audio_files as audio
from bot.content.subtitles import clock
from bot.delivery import requester
from bot.delivery.long_text import post_long
from bot.delivery.openai_errors import describe
from bot.delivery.uploads import OnUploaded, OutgoingFile, upload
from bot.delivery.where import Where
from bot.downloads.core import DownloadFailed
from bot.openai_models.lifecycle import Action, Choice, ModelShutDown
from bot.process.runtime import Runtime
from bot.slack.files import SharedFile, resolve
from handlers import transcribe_audio
from handlers.transcribe_audio import AudioRequest, Transcript

Task = Literal["transcribe", "translate"]
NOT_AUDIO = (
    "`{name}` is not an audio or video file I can transcribe. I take flac, mp3, mp4, mpeg, mpga, m4a, ogg, "
    "wav, webm and Slack voice clips."
)
SUBTITLE_PREVIEW = 600


def audio_request(
    settings: Settings, task: Task, options: dict[str, Any], model: str | None = None
) -> AudioRequest:
    default = (
        settings.openai_translation_model if task == "translate" else settings.openai_transcription_model
    )
    values = {"model": default, **{key: value for key, value in options.items() if value is not None}}
    if model:
        values["model"] = model
    return AudioRequest(**values)


@dataclass
class AudioModels:
    """The models one job uses: the action's own (a shut-down default replaced) and, for a
    translation that cannot use /audio/translations, the transcription and chat models."""

    choice: Choice
    transcription: str
    chat: str


async def choose_models(rt: Runtime, task: Task, options: dict[str, Any]) -> AudioModels:
    """Raises ModelShutDown for a set model that is gone."""
    action: Action = "translation" if task == "translate" else "transcription"
    choice = await rt.chooser.choose(action, flag=options.get("model"))
    transcription, chat = rt.settings.openai_transcription_model, rt.settings.openai_chat_model
    if task == "translate" and not choice.model.startswith("whisper"):
        transcription = (await rt.chooser.choose("transcription")).model
        chat = (await rt.chooser.choose("chat")).model
    return AudioModels(choice, transcription, chat)


def audio_files(files: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The audio among Slack file objects (and stubs, which files.info will tell about)."""
    return [
        f
        for f in files or []
        if audio.is_audio(str(f.get("name") or ""), f.get("filetype"), f.get("mimetype"), f.get("subtype"))
        or f.get("file_access") == "check_file_info"
    ]


async def thread_root_files(rt: Runtime, channel: str, thread_ts: str) -> list[dict[str, Any]]:
    response = await rt.slack.conversations_replies(channel=channel, ts=thread_ts, limit=1, inclusive=True)
    messages = response.get("messages") or []
    return audio_files(messages[0].get("files")) if messages else []


def _notes(rt: Runtime, transcript: Transcript, request: AudioRequest, models: AudioModels) -> list[str]:
    notes = []
    choice = models.choice
    if transcript.translated_by_chat:
        why = (
            f"the default translation model `{choice.asked}` "
            + (f"was shut down on {choice.shutdown_date}" if choice.shutdown_date else "is no longer served")
            if choice.replaced
            else f"`/audio/translations` with `{request.model}` is not available"
        )
        notes.append(
            f"_Translated by `{transcript.model}` from a transcript by `{models.transcription}`: {why}._"
        )
    elif choice.replaced:
        notes.append(choice.note())
    if transcript.estimated_timing:
        exact = (
            ""
            if rt.models.is_gone("whisper-1")
            else " For exact ones, use `--model whisper-1` (until it shuts down on 2027-02-26)."
        )
        notes.append(
            f"_Timestamps are estimated from the audio's length: `{request.model}` gives none.{exact}_"
        )
    return notes


class SubtitleFile(BaseModel):
    filename: str
    content: str
    title: str
    comment: str


class Delivery(BaseModel):
    """A transcript as it is posted (text messages, or a subtitle file with its beginning shown),
    recorded by the job before it is posted, and the text that joins the conversation."""

    text: str
    message: str | None = None
    file: SubtitleFile | None = None


def _render(
    rt: Runtime,
    task: Task,
    file: SharedFile,
    transcript: Transcript,
    request: AudioRequest,
    models: AudioModels,
) -> Delivery:
    what = "English translation" if task == "translate" else "Transcript"
    header = "\n".join([f"*{what} of `{file.name}`*", *_notes(rt, transcript, request, models)])
    stem = file.name.rsplit(".", 1)[0] if "." in file.name else file.name
    if transcript.subtitles is not None:
        preview = transcript.subtitles[:SUBTITLE_PREVIEW] + (
            "\n…" if len(transcript.subtitles) > SUBTITLE_PREVIEW else ""
        )
        subtitle = SubtitleFile(
            filename=f"{stem}.{transcript.response_format}",
            content=transcript.subtitles,
            title=f"{what}: {file.name}",
            comment=f"{header}\n```\n{preview}\n```",
        )
        return Delivery(text=transcript.text, file=subtitle)
    if transcript.response_format == "verbose_json" and transcript.segments:
        body = "\n".join(f"{clock(s.start)} {s.text.strip()}" for s in transcript.segments)
    else:
        body = transcript.text.strip() or "_(no speech found)_"
    return Delivery(text=transcript.text, message=f"{header}\n{body}")


async def deliver(
    rt: Runtime, where: Where, delivery: Delivery, on_uploaded: OnUploaded | None = None
) -> None:
    if delivery.file is not None:
        subtitle = delivery.file
        await upload(
            rt.slack,
            channel=where.channel,
            thread_ts=where.thread_ts,
            files=[OutgoingFile(subtitle.filename, subtitle.content.encode(), subtitle.title)],
            comment=subtitle.comment,
            on_uploaded=on_uploaded,
        )
    elif delivery.message is not None:
        await post_long(rt.slack, channel=where.channel, thread_ts=where.thread_ts, text=delivery.message)


async def posted_before(rt: Runtime, where: Where, delivery: Delivery) -> bool:
    """For a resumed job: is this transcript's first message in the thread already? (Rare path:
    conversations.replies is rate limited hard.)"""
    if delivery.message is None or not where.thread_ts:
        return False
    first_line = delivery.message.split("\n", 1)[0]
    try:
        response = await rt.slack.conversations_replies(channel=where.channel, ts=where.thread_ts, limit=200)
    except SlackApiError:
        return False
    return any(
        m.get("bot_id") and str(m.get("text") or "").startswith(first_line)
        for m in response.get("messages") or []
    )


async def resolve_all(rt: Runtime, where: Where, files: list[dict[str, Any]]) -> list[SharedFile]:
    """The files' full objects; a file that is not audio, or cannot be had, is reported and skipped."""
    resolved = []
    for info in files:
        try:
            file = await resolve(rt.slack, info)
        except DownloadFailed as exc:
            await requester.tell(rt.slack, where, f":warning: {exc}")
            continue
        if not audio.is_audio(file.name, file.filetype, file.mimetype, file.subtype):
            await requester.tell(rt.slack, where, ":warning: " + NOT_AUDIO.format(name=file.name))
            continue
        resolved.append(file)
    return resolved


async def make(
    rt: Runtime, where: Where, task: Task, file: SharedFile, request: AudioRequest, models: AudioModels
) -> Delivery | None:
    """Transcribe one file: what to post, or None once the requester was told what went wrong."""
    try:
        spool = await rt.downloader.download_to_disk(file, transcribe_audio.MAX_AUDIO_BYTES)
    except DownloadFailed as exc:
        await requester.tell(rt.slack, where, f":warning: {exc}")
        return None
    used = models

    async def attempt(choice: Choice) -> Transcript:
        nonlocal used, request
        used = models if choice is models.choice else await choose_models_after(rt, task, choice, models)
        request = request.model_copy(update={"model": choice.model})
        if task == "translate":
            return await transcribe_audio.translate(
                rt.openai, request, named, transcription_model=used.transcription, chat_model=used.chat
            )
        return await transcribe_audio.transcribe(rt.openai, request, named)

    with spool:
        named = (audio.audio_filename(file.name, file.filetype, file.mimetype, file.subtype), spool)
        try:
            transcript = await rt.chooser.call(models.choice, attempt)
        except ModelShutDown as exc:
            await requester.tell(rt.slack, where, exc.message())
            return None
        except openai.OpenAIError as exc:
            rt.metrics.openai_errors.labels(type(exc).__name__).inc()
            await requester.tell(rt.slack, where, describe(exc, request.model))
            return None
        if transcript.response_format in transcribe_audio.TIMED_FORMATS and not transcript.segments:
            duration = await asyncio.to_thread(audio.audio_duration, spool)
            transcribe_audio.finish_timing(transcript, duration)
    return _render(rt, task, file, transcript, request, used)


async def transcribe_one(
    rt: Runtime, where: Where, task: Task, file: SharedFile, request: AudioRequest, models: AudioModels
) -> str | None:
    """Transcribe one file and post it in `where`'s thread; the text, or None once the requester
    was told what went wrong."""
    delivery = await make(rt, where, task, file, request, models)
    if delivery is None:
        return None
    await deliver(rt, where, delivery)
    return delivery.text


async def choose_models_after(rt: Runtime, task: Task, choice: Choice, models: AudioModels) -> AudioModels:
    """The models once `choice` replaced a default that OpenAI answered as gone."""
    if task == "translate" and not choice.model.startswith("whisper"):
        transcription = (await rt.chooser.choose("transcription")).model
        chat = (await rt.chooser.choose("chat")).model
        return AudioModels(choice, transcription, chat)
    return AudioModels(choice, models.transcription, models.chat)


async def transcribe_thread_audio(rt: Runtime, where: Where) -> list[str]:
    """The audio that started `where`'s thread, transcribed into it (the model's `transcribe` tool)."""
    if not where.thread_ts:
        return []
    infos = await thread_root_files(rt, where.channel, where.thread_ts)
    models = await choose_models(rt, "transcribe", {})
    request = audio_request(rt.settings, "transcribe", {}, model=models.choice.model)
    texts = []
    for file in await resolve_all(rt, where, infos):
        text = await transcribe_one(rt, where, "transcribe", file, request, models)
        if text is not None:
            texts.append(text)
    return texts
