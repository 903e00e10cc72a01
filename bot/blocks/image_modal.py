"""The /image modal: prompt, selects for model, quality, size, style and format, n and user."""

from __future__ import annotations

from typing import Any

from bot.blocks import forms
from bot.slack.flags import IMAGE_FLAGS
from handlers.create_image import NAMED_SIZES, QUALITIES, RESPONSE_FORMATS, STYLES

CALLBACK_ID = "image_modal"
FLAGS_BY_FIELD = {flag.field: flag for flag in IMAGE_FLAGS.values()}
CHOSEN = ["quality", "size", "style", "response_format"]
TYPED = ["n", "user"]


def build(*, models: list[str], default_model: str, channel_id: str, team_id: str | None) -> dict[str, Any]:
    blocks = [
        forms.text_input("prompt", "Describe the image", multiline=True, optional=False),
        forms.select("model", "Model", forms.with_default(default_model, models), initial=default_model),
        forms.select("quality", "Quality", list(QUALITIES)),
        forms.select("size", "Size", list(NAMED_SIZES)),
        forms.select("style", "Style (DALL·E-style models only)", list(STYLES)),
        forms.select("response_format", "Response format (DALL·E-style models only)", list(RESPONSE_FORMATS)),
        forms.text_input("n", "Number of images", placeholder="1 to 10"),
        forms.text_input("user", "User", placeholder="an end-user id (default: an anonymous id for you)"),
    ]
    metadata = {"channel_id": channel_id, "team_id": team_id}
    return forms.modal(CALLBACK_ID, "Create image", "Create", metadata, blocks)


def read(state: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(options including the prompt, errors by block id)."""
    options, errors = forms.read_fields(state, FLAGS_BY_FIELD, TYPED)
    for field in ["model", *CHOSEN]:
        chosen = forms.value(state, field).strip()
        if chosen:
            options[field] = chosen
    prompt = forms.value(state, "prompt").strip()
    if not prompt:
        errors = {"prompt": "Please describe the image.", **errors}
    options["prompt"] = prompt
    return options, errors
