"""The "Create image" action: images.generate with every property the OpenAI connector it
replaces exposed (prompt, model, n, quality, size, style, response format, user).

GPT image models always answer base64 and take neither `style` nor `response_format`; those are
accepted and reported back as having had no effect, never sent. URL answers (from compatible
servers) are downloaded with a size limit (only from the server itself or public https), not linked.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Annotated, Any

import openai
from pydantic import BaseModel, Field, field_validator

from bot.downloads.public import fetch_returned_file
from handlers.limits import CHOICES

QUALITIES = ("auto", "low", "medium", "high", "xhigh", "max", "standard", "hd")
STYLES = ("vivid", "natural")
RESPONSE_FORMATS = ("url", "b64_json")
NAMED_SIZES = ("auto", "1024x1024", "1536x1024", "1024x1536", "256x256", "512x512", "1792x1024", "1024x1792")
SIZE_RULE = (
    "auto, 1024x1024, 1536x1024, 1024x1536, or WIDTHxHEIGHT in multiples of 16 "
    "(each side 256 to 3840, at most 3:1)"
)
MAX_IMAGE_BYTES = 50 * 1024 * 1024
MAX_PROMPT = 32_000


def is_gpt_image_model(model: str) -> bool:
    return model.startswith(("gpt-image", "chatgpt-image"))


def valid_size(size: str) -> bool:
    if size in NAMED_SIZES:
        return True
    match = re.fullmatch(r"(\d{2,4})x(\d{2,4})", size)
    if not match:
        return False
    width, height = int(match.group(1)), int(match.group(2))
    sides_ok = all(256 <= side <= 3840 and side % 16 == 0 for side in (width, height))
    return sides_ok and max(width, height) <= 3 * min(width, height)


class ImageRequest(BaseModel):
    prompt: Annotated[str, Field(min_length=1, max_length=MAX_PROMPT)]
    model: str
    quality: str | None = None
    size: str | None = None
    style: str | None = None
    response_format: str | None = None
    n: Annotated[int, Field(ge=CHOICES.low, le=CHOICES.high)] | None = None
    user: str | None = None

    @field_validator("quality")
    @classmethod
    def _quality(cls, value: str | None) -> str | None:
        if value is not None and value not in QUALITIES:
            raise ValueError(f"quality must be one of {', '.join(QUALITIES)}")
        return value

    @field_validator("size")
    @classmethod
    def _size(cls, value: str | None) -> str | None:
        if value is not None and not valid_size(value):
            raise ValueError(f"size must be {SIZE_RULE}")
        return value

    @field_validator("style")
    @classmethod
    def _style(cls, value: str | None) -> str | None:
        if value is not None and value not in STYLES:
            raise ValueError(f"style must be one of {', '.join(STYLES)}")
        return value

    @field_validator("response_format")
    @classmethod
    def _format(cls, value: str | None) -> str | None:
        if value is not None and value not in RESPONSE_FORMATS:
            raise ValueError(f"response format must be one of {', '.join(RESPONSE_FORMATS)}")
        return value

    def ignored(self) -> list[str]:
        """Properties this model does not take: accepted, not sent, and reported."""
        if not is_gpt_image_model(self.model):
            return []
        return [name for name in ("style", "response_format") if getattr(self, name) is not None]

    def to_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"model": self.model, "prompt": self.prompt}
        optional = {"quality": self.quality, "size": self.size, "n": self.n, "user": self.user}
        if not is_gpt_image_model(self.model):
            optional.update(style=self.style, response_format=self.response_format)
        params.update({key: value for key, value in optional.items() if value is not None})
        return params


@dataclass
class GeneratedImage:
    content: bytes
    format: str  # png, jpeg, webp, gif, svg
    revised_prompt: str | None = None


@dataclass
class ImageResult:
    images: list[GeneratedImage] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def image_format(content: bytes, declared: str | None = None) -> str:
    """The real format, from the bytes; the declared one when the bytes say nothing."""
    if content.startswith(b"\x89PNG"):
        return "png"
    if content.startswith(b"\xff\xd8"):
        return "jpeg"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "webp"
    if content.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if content.lstrip()[:5] in (b"<svg ", b"<?xml") or b"<svg" in content[:256]:
        return "svg"
    return (declared or "png").lower()


async def generate(
    client: openai.AsyncOpenAI, request: ImageRequest, request_seconds: float = 300.0
) -> ImageResult:
    response = await client.with_options(timeout=request_seconds).images.generate(**request.to_params())
    declared = getattr(response, "output_format", None)
    result = ImageResult(ignored=request.ignored())
    for item in response.data or []:
        if item.b64_json:
            content = base64.b64decode(item.b64_json)
        elif item.url:
            content = await fetch_returned_file(item.url, str(client.base_url), MAX_IMAGE_BYTES)
        else:
            continue
        result.images.append(GeneratedImage(content, image_format(content, declared), item.revised_prompt))
    return result
