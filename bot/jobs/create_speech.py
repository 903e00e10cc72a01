"""`/speech`, its modal and "Read aloud": the text read aloud, uploaded into the channel or thread."""

from __future__ import annotations

import openai
from pydantic import ValidationError

from bot.actions.speech import speak_as_chosen
from bot.delivery import requester
from bot.delivery.openai_errors import describe
from bot.delivery.validation_messages import job_problem
from bot.jobs.payloads import CreateSpeech
from bot.jobs.uploaded import record_upload, uploaded_before
from bot.openai_models.lifecycle import ModelShutDown
from bot.process.runtime import Runtime
from handlers.realtime_speech import RealtimeSpeechError
from storage import ClaimedJob


async def run(rt: Runtime, job: ClaimedJob, p: CreateSpeech) -> None:
    if await uploaded_before(rt, job):
        return  # an earlier attempt read it aloud and died before saying so
    where = p.where
    verb = "read aloud" if p.source == "read_aloud" else "asked for speech"
    model = p.options.get("model") or rt.settings.openai_speech_model
    try:
        await speak_as_chosen(
            rt,
            p.options,
            where,
            comment=f"<@{where.user}> {verb} :speaker:",
            on_uploaded=record_upload(rt, job),
        )
    except ValidationError as exc:
        await requester.tell(rt.slack, where, job_problem(exc))
        return
    except ModelShutDown as exc:
        await requester.tell(rt.slack, where, exc.message())
        return
    except openai.OpenAIError as exc:
        rt.metrics.openai_errors.labels(type(exc).__name__).inc()
        await requester.tell(rt.slack, where, describe(exc, model))
        return
    except RealtimeSpeechError as exc:
        failed = f":warning: The Realtime speech model could not read this aloud: {exc}"
        await requester.tell(rt.slack, where, failed)
