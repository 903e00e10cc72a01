"""The /speech modal: the text, selects for model, voice and format, speed and instructions."""

from __future__ import annotations

from typing import Any

from bot.blocks import forms
from bot.slack.flags import SPEECH_FLAGS
from handlers.create_speech import DEFAULT_VOICE, FORMATS, VOICES

CALLBACK_ID = "speech_modal"
FLAGS_BY_FIELD = {flag.field: flag for flag in SPEECH_FLAGS.values()}
TYPED = ["speed", "instructions"]


def build(*, models: list[str], default_model: str, channel_id: str, team_id: str | None) -> dict[str, Any]:
    blocks = [
        forms.text_input("input", "Text to read aloud", multiline=True, optional=False),
        forms.select("model", "Model", forms.with_default(default_model, models), initial=default_model),
        forms.select("voice", "Voice", list(VOICES), initial=DEFAULT_VOICE),
        forms.select("response_format", "Format", list(FORMATS), initial="mp3"),
        forms.text_input("speed", "Speed", placeholder="0.25 to 4 (Realtime models: up to 1.5)"),
        forms.text_input("instructions", "Instructions", placeholder="how to speak, e.g. calm and slow"),
    ]
    metadata = {"channel_id": channel_id, "team_id": team_id}
    return forms.modal(CALLBACK_ID, "Create speech", "Read aloud", metadata, blocks)


def read(state: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    options, errors = forms.read_fields(state, FLAGS_BY_FIELD, TYPED)
    for field in ("model", "voice", "response_format"):
        chosen = forms.value(state, field).strip()
        if chosen:
            options[field] = chosen
    text = forms.value(state, "input").strip()
    if not text:
        errors = {"input": "Please type the text to read aloud.", **errors}
    options["input"] = text
    return options, errors
