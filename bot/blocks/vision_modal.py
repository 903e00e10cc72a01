"""The /vision modal: the question, the image link, the model and the detail level."""

from __future__ import annotations

from typing import Any

from bot.blocks import forms
from bot.slack.flags import DETAIL_LEVELS

CALLBACK_ID = "vision_modal"


def build(*, models: list[str], default_model: str, channel_id: str, team_id: str | None) -> dict[str, Any]:
    blocks = [
        forms.text_input("prompt", "Your question", multiline=True, optional=False),
        forms.text_input(
            "link",
            "Image",
            placeholder="a Slack file link (Copy link to file) or an https:// image URL",
            optional=False,
        ),
        forms.select("model", "Model", forms.with_default(default_model, models), initial=default_model),
        forms.select("detail", "Detail", list(DETAIL_LEVELS), initial="auto"),
    ]
    metadata = {"channel_id": channel_id, "team_id": team_id}
    return forms.modal(CALLBACK_ID, "Ask about an image", "Ask", metadata, blocks)


def read(state: dict[str, Any]) -> tuple[str, str, dict[str, Any], dict[str, str]]:
    """(question, link text, options, errors by block id)."""
    errors: dict[str, str] = {}
    question = forms.value(state, "prompt").strip()
    link = forms.value(state, "link").strip()
    if not question:
        errors["prompt"] = "Please type a question."
    if not link:
        errors["link"] = "Please give a Slack file link or an https:// image URL."
    options = {field: forms.value(state, field) for field in ("model", "detail") if forms.value(state, field)}
    if "detail" in options and options["detail"] not in DETAIL_LEVELS:
        errors["detail"] = "Must be one of " + ", ".join(DETAIL_LEVELS) + "."
        del options["detail"]
    return question, link, options, errors
