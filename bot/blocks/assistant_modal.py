"""The /assistant create modal: every property of "Create assistant" as a field."""

from __future__ import annotations

from typing import Any

from bot.blocks import forms
from bot.slack.flags import ASSISTANT_FLAGS

CALLBACK_ID = "assistant_modal"
FLAGS_BY_FIELD = {flag.field: flag for flag in ASSISTANT_FLAGS.values()}
TYPED = ["name", "description", "instructions", "tools", "file_ids", "metadata"]


def build(*, models: list[str], default_model: str, channel_id: str, team_id: str | None) -> dict[str, Any]:
    tools_hint = "create_image,read_aloud,transcribe or a JSON array of function tools"
    blocks = [
        forms.text_input("name", "Name", placeholder="one word, e.g. SupportBot", optional=False),
        # "default": no model of its own, it follows the bot's default chat model (and its successor).
        forms.select(
            "model",
            f"Model (default: the bot's default chat model, now {default_model})",
            ["default", *[model for model in models if model != "default"]],
            initial="default",
        ),
        forms.text_input("description", "Description", placeholder="at most 512 characters"),
        forms.text_input("instructions", "Instructions", placeholder="how it should answer", multiline=True),
        forms.text_input("tools", "Tools", placeholder=tools_hint, multiline=True),
        forms.text_input(
            "file_ids", "Reference files", placeholder="Slack file ids or links, comma-separated"
        ),
        forms.text_input("metadata", "Metadata", placeholder='{"team": "support"} (at most 16 pairs)'),
    ]
    metadata = {"channel_id": channel_id, "team_id": team_id}
    return forms.modal(CALLBACK_ID, "Create assistant", "Create", metadata, blocks)


def read(state: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    values, errors = forms.read_fields(state, FLAGS_BY_FIELD, TYPED)
    model = forms.value(state, "model").strip()
    if model:
        values["model"] = model
    if not forms.value(state, "name").strip():
        errors["name"] = "Please name the assistant."
    return values, errors
