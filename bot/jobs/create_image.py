"""Create images and upload them, all in one message, into the channel or the thread asked from."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import openai
from pydantic import ValidationError

from bot.delivery import openai_errors, private
from bot.delivery.uploads import OutgoingFile, slug, upload
from handlers import create_image
from handlers.downloads import DownloadError
from storage import ClaimedJob, NewJob

if TYPE_CHECKING:
    from bot.process.runtime import Runtime

log = logging.getLogger(__name__)

KIND = "image.create"


def image_job(
    *,
    dedup_key: str,
    team_id: str,
    channel: str,
    user: str,
    options: dict[str, Any],
    thread_ts: str | None = None,
    response_url: str | None = None,
) -> NewJob:
    payload = {
        "team_id": team_id,
        "channel": channel,
        "user": user,
        "options": options,
        "thread_ts": thread_ts,
        "response_url": response_url,
    }
    return NewJob(kind=KIND, dedup_key=dedup_key, payload=payload)


def image_request(rt: Runtime, team_id: str, user: str, options: dict[str, Any]) -> create_image.ImageRequest:
    """Raises ValidationError (with the field named) for a request the action cannot take."""
    from bot.jobs.chat_reply import safety_identifier

    values = {"model": rt.settings.openai_image_model, "user": safety_identifier(team_id, user), **options}
    values = {key: value for key, value in values.items() if value is not None}
    return create_image.ImageRequest(**values)


def comment_for(user: str, request: create_image.ImageRequest, result: create_image.ImageResult) -> str:
    lines = [f"<@{user}>: {request.prompt}"]
    revised = [image.revised_prompt for image in result.images if image.revised_prompt]
    if revised and revised[0] != request.prompt:
        lines.append(f"_Revised prompt: {revised[0]}_")
    if result.ignored:
        names = " and ".join(f"`--{name.replace('_', '-')}`" for name in result.ignored)
        several = len(result.ignored) > 1
        effect = f"{'have' if several else 'has'} no effect with `{request.model}`"
        lines.append(f"_{names} {effect}, so {'they were' if several else 'it was'} not sent._")
    return "\n".join(lines)


def files_for(request: create_image.ImageRequest, result: create_image.ImageResult) -> list[OutgoingFile]:
    base = slug(request.prompt)
    many = len(result.images) > 1
    return [
        OutgoingFile(
            filename=f"{base}-{i}.{image.format}" if many else f"{base}.{image.format}",
            content=image.content,
            title=request.prompt[:200] + (f" ({i})" if many else ""),
        )
        for i, image in enumerate(result.images, 1)
    ]


async def create_and_upload(
    rt: Runtime, request: create_image.ImageRequest, *, channel: str, thread_ts: str | None, user: str
) -> create_image.ImageResult:
    """Generate, then upload every image in one message. Raises what upstream raised."""
    result = await create_image.generate(rt.openai, request)
    if result.images:
        await upload(
            rt.slack,
            channel=channel,
            thread_ts=thread_ts,
            files=files_for(request, result),
            comment=comment_for(user, request, result),
        )
    return result


async def run(rt: Runtime, job: ClaimedJob) -> None:
    p = job.payload
    if job.progress.get("uploaded"):
        return  # an earlier attempt finished the work and died before saying so

    async def tell(text: str) -> None:
        await private.tell_requester(rt.slack, p, text)

    try:
        request = image_request(rt, p["team_id"], p["user"], p["options"])
    except ValidationError as exc:
        await tell(f":warning: {exc.errors()[0]['msg'].removeprefix('Value error, ')}")
        return
    try:
        result = await create_and_upload(
            rt, request, channel=p["channel"], thread_ts=p.get("thread_ts"), user=p["user"]
        )
    except openai.OpenAIError as exc:
        rt.metrics.openai_errors.labels(type(exc).__name__).inc()
        await tell(openai_errors.describe(exc, request.model))
        return
    except DownloadError as exc:
        await tell(f":warning: The image could not be fetched: {exc}.")
        return
    if not result.images:
        await tell(":warning: OpenAI answered without an image. Please try again or change the prompt.")
        return
    await rt.jobs.save_progress(job.id, {**job.progress, "uploaded": True})
