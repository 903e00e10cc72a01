"""`/image` and its modal: create the images and upload them into the channel, in one message."""

from __future__ import annotations

import openai
from pydantic import ValidationError

from bot.actions.images import create_as_chosen
from bot.delivery import requester
from bot.delivery.openai_errors import describe
from bot.delivery.validation_messages import job_problem
from bot.downloads.core import DownloadFailed
from bot.jobs.payloads import CreateImage
from bot.jobs.uploaded import record_upload, uploaded_before
from bot.openai_models.lifecycle import ModelShutDown
from bot.process.runtime import Runtime
from storage import ClaimedJob

NO_IMAGE = ":warning: OpenAI answered without an image. Please try again or change the prompt."


async def run(rt: Runtime, job: ClaimedJob, p: CreateImage) -> None:
    if await uploaded_before(rt, job):
        return  # an earlier attempt made the images and died before saying so
    where = p.where
    try:
        _, result = await create_as_chosen(rt, p.options, where, on_uploaded=record_upload(rt, job))
    except ValidationError as exc:
        await requester.tell(rt.slack, where, job_problem(exc))
        return
    except ModelShutDown as exc:
        await requester.tell(rt.slack, where, exc.message())
        return
    except openai.OpenAIError as exc:
        rt.metrics.openai_errors.labels(type(exc).__name__).inc()
        await requester.tell(
            rt.slack, where, describe(exc, p.options.get("model") or rt.settings.openai_image_model)
        )
        return
    except DownloadFailed as exc:
        await requester.tell(rt.slack, where, f":warning: The image could not be fetched: {exc}.")
        return
    if not result.images:
        await requester.tell(rt.slack, where, NO_IMAGE)
