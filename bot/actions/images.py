"""Create images and upload them, all in one message, into the channel or the thread asked from."""

from __future__ import annotations

from typing import Any

from bot.actions.end_user import safety_identifier
from bot.config import Settings
from bot.delivery.uploads import OnUploaded, OutgoingFile, slug, upload
from bot.delivery.where import Where
from bot.openai_models.lifecycle import Choice
from bot.process.runtime import Runtime
from handlers import create_image
from handlers.create_image import ImageRequest, ImageResult


def image_request(
    settings: Settings, team_id: str, user: str, options: dict[str, Any], model: str | None = None
) -> ImageRequest:
    """Raises ValidationError (with the field named) for a request the action cannot take."""
    values = {"model": settings.openai_image_model, "user": safety_identifier(team_id, user), **options}
    if model:
        values["model"] = model
    return ImageRequest(**{key: value for key, value in values.items() if value is not None})


async def create_as_chosen(
    rt: Runtime, options: dict[str, Any], where: Where, on_uploaded: OnUploaded | None = None
) -> tuple[ImageRequest, ImageResult]:
    """Create and upload with the model chosen for images (a shut-down default replaced). Raises
    ValidationError, ModelShutDown and what upstream raised."""
    choice = await rt.chooser.choose("image", flag=options.get("model"))

    async def attempt(current: Choice) -> tuple[ImageRequest, ImageResult]:
        request = image_request(rt.settings, where.team_id, where.user, options, model=current.model)
        return request, await create_and_upload(rt, request, where, current.note(), on_uploaded)

    return await rt.chooser.call(choice, attempt)


def comment_for(user: str, request: ImageRequest, result: ImageResult) -> str:
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


def files_for(request: ImageRequest, result: ImageResult) -> list[OutgoingFile]:
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
    rt: Runtime,
    request: ImageRequest,
    where: Where,
    note: str = "",
    on_uploaded: OnUploaded | None = None,
) -> ImageResult:
    """Generate, then upload every image in one message. Raises what upstream raised."""
    result = await create_image.generate(rt.openai, request)
    if result.images:
        await upload(
            rt.slack,
            channel=where.channel,
            thread_ts=where.thread_ts,
            files=files_for(request, result),
            comment="\n".join(filter(None, [comment_for(where.user, request, result), note])),
            on_uploaded=on_uploaded,
        )
    return result
