"""Transcribe (or translate to English) the audio people share, each file in order, into the thread.

The transcript joins the thread's conversation, so "summarize that" in the thread just works. Each
file done is recorded, so a resumed job carries on with the next one.
"""

from __future__ import annotations

import contextlib

from pydantic import ValidationError
from slack_sdk.errors import SlackApiError

from bot.actions import transcription
from bot.delivery import requester
from bot.delivery.validation_messages import job_problem
from bot.delivery.where import Where
from bot.jobs.payloads import Transcribe
from bot.jobs.uploaded import record_upload, uploaded_before
from bot.openai_models.lifecycle import ModelShutDown
from bot.process.runtime import Runtime
from bot.rate_limits.budget import optional
from storage import Append, ClaimedJob, StoredMessage, ThreadKey

NO_AUDIO_HERE = ":warning: I found no audio to {task} in that message or its thread."


async def run(rt: Runtime, job: ClaimedJob, p: Transcribe) -> None:
    where = p.where
    try:
        models = await transcription.choose_models(rt, p.task, p.options)
        request = transcription.audio_request(rt.settings, p.task, p.options, model=models.choice.model)
    except ValidationError as exc:
        await requester.tell(rt.slack, where, job_problem(exc))
        return
    except ModelShutDown as exc:
        await requester.tell(rt.slack, where, exc.message())
        return
    infos = p.files
    if infos is None and where.thread_ts:
        infos = await transcription.thread_root_files(rt, where.channel, where.thread_ts)
    if not infos:
        await requester.tell(rt.slack, where, NO_AUDIO_HERE.format(task=p.task))
        return
    files = await transcription.resolve_all(rt, where, infos)
    if not files:
        return
    thread_ts = job.progress.get("thread_ts") or where.thread_ts
    if p.announce and not job.progress.get("thread_ts"):
        names = ", ".join(f"`{file.name}`" for file in files)
        verb = "translate" if p.task == "translate" else "transcribe"
        try:
            response = await rt.slack.chat_postMessage(
                channel=where.channel, text=f"<@{where.user}> asked me to {verb} {names}"
            )
        except SlackApiError as exc:
            await requester.tell(
                rt.slack,
                where,
                f":wave: I can't post here ({requester.error_of(exc)}). Invite me with `/invite @ChatGPT`.",
            )
            return
        thread_ts = str(response["ts"])
        job.progress = {**job.progress, "thread_ts": thread_ts}
        await rt.jobs.save_progress(job.id, job.progress)
    where = where.in_thread(thread_ts)
    done = set(job.progress.get("done", []))
    key = ThreadKey(where.team_id, where.channel, str(thread_ts))
    await rt.conversations.ensure(key)
    asked = "Translate to English" if p.task == "translate" else "Transcribe"
    made: dict[str, dict[str, object]] = dict(job.progress.get("made") or {})
    for file in files:
        if file.id in done:
            continue
        recorded = made.get(file.id)
        delivery = transcription.Delivery.model_validate(recorded) if recorded is not None else None
        upload_key = f"upload:{file.id}"
        if delivery is None:
            await _status(rt, where, "is translating…" if p.task == "translate" else "is transcribing…")
            delivery = await transcription.make(rt, where, p.task, file, request, models)
            if delivery is not None:
                # Written ahead: a resumed job posts this transcript, it does not make another.
                made[file.id] = delivery.model_dump()
                job.progress = {**job.progress, "made": made}
                await rt.jobs.save_progress(job.id, job.progress)
                await transcription.deliver(
                    rt, where, delivery, on_uploaded=record_upload(rt, job, upload_key)
                )
        elif not await _delivered_before(rt, job, where, delivery, upload_key):
            await transcription.deliver(rt, where, delivery, on_uploaded=record_upload(rt, job, upload_key))
        done.add(file.id)
        made.pop(file.id, None)
        job.progress = {k: v for k, v in job.progress.items() if k != upload_key}
        job.progress = {**job.progress, "done": sorted(done), "made": made}
        exchange = None
        if delivery is not None:
            messages = [
                StoredMessage("user", f"{asked} the audio file `{file.name}`."),
                StoredMessage("assistant", delivery.text),
            ]
            exchange = Append(key, messages)
        # The transcript joins the conversation in the write that marks its file done.
        await rt.jobs.save_progress(job.id, job.progress, append=exchange)


async def _delivered_before(
    rt: Runtime, job: ClaimedJob, where: Where, delivery: transcription.Delivery, upload_key: str
) -> bool:
    """A resumed job's recorded transcript: is it in the thread already?"""
    if delivery.file is not None:
        return await uploaded_before(rt, job, upload_key)
    return await transcription.posted_before(rt, where, delivery)


async def _status(rt: Runtime, where: Where, status: str) -> None:
    with optional(), contextlib.suppress(SlackApiError):
        await rt.slack.assistant_threads_setStatus(
            channel_id=where.channel, thread_ts=where.thread_ts or "", status=status
        )
