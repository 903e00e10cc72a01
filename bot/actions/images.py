"""Create images and upload them, all in one message, into the channel or the thread asked from."""

from __future__ import annotations

from typing import Any

from bot.actions.end_user import safety_identifier
from bot.config import Settings
from bot.delivery.uploads import OnUploaded, OutgoingFile, slug, upload
from bot.delivery.where import Where
from bot.process.runtime import Runtime
from handlers import create_image
from handlers.create_image import ImageRequest, ImageResult


def image_request(settings: Settings, team_id: str, user: str, options: dict[str, Any]) -> ImageRequest:
    """Raises ValidationError (with the field named) for a request the action cannot take."""
    values = {"model": settings.openai_image_model, "user": safety_identifier(team_id, user), **options}
    return ImageRequest(**{key: value for key, value in values.items() if value is not None})


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
    rt: Runtime, request: ImageRequest, where: Where, on_uploaded: OnUploaded | None = None
) -> ImageResult:
    """Generate, then upload every image in one message. Raises what upstream raised."""
    result = await create_image.generate(rt.openai, request)
    if result.images:
        await upload(
            rt.slack,
            channel=where.channel,
            thread_ts=where.thread_ts,
            files=files_for(request, result),
            comment=comment_for(where.user, request, result),
            on_uploaded=on_uploaded,
        )
    return result
