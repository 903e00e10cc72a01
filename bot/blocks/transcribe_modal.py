"""The transcription modal (`/transcribe` or `/translate` with no text, or the Home tab): a file
link, transcribe or translate, and the /transcribe fields, each read through the rules of its flag."""

from __future__ import annotations

from typing import Any

from bot.blocks import forms
from bot.slack.flags import TRANSCRIBE_FLAGS
from handlers.transcribe_audio import FORMATS

CALLBACK_ID = "transcribe_modal"
FLAGS_BY_FIELD = {flag.field: flag for flag in TRANSCRIBE_FLAGS.values()}
TYPED = ["language", "prompt", "temperature"]
TASKS = ["transcribe", "translate"]


def build(*, channel_id: str, team_id: str | None, task: str = "transcribe") -> dict[str, Any]:
    blocks = [
        forms.text_input(
            "link",
            "Link to the audio file",
            placeholder="Copy link to file, then paste it here",
            optional=False,
        ),
        forms.select("task", "Do", TASKS, initial=task, optional=False),
        forms.text_input("model", "Model", placeholder="default: the bot's transcription model"),
        forms.text_input("language", "Language (transcribe only)", placeholder="an ISO-639-1 code, e.g. en"),
        forms.text_input("prompt", "Prompt", placeholder="text that guides the style or spelling"),
        forms.select("response_format", "Format", list(FORMATS), initial="json"),
        forms.text_input("temperature", "Temperature", placeholder="0 to 1"),
    ]
    metadata = {"channel_id": channel_id, "team_id": team_id}
    return forms.modal(CALLBACK_ID, "Transcribe audio", "Transcribe", metadata, blocks)


def read(state: dict[str, Any]) -> tuple[str, str, dict[str, Any], dict[str, str]]:
    """(task, link, options, errors by block id)."""
    options, errors = forms.read_fields(state, FLAGS_BY_FIELD, TYPED)
    task = forms.value(state, "task").strip() or "transcribe"
    if task not in TASKS:
        errors["task"] = "Choose transcribe or translate."
    if task == "translate" and "language" in options:
        errors["language"] = "Translation is always into English: leave the language empty."
    for field in ("model", "response_format"):
        chosen = forms.value(state, field).strip()
        if chosen:
            options[field] = chosen
    link = forms.value(state, "link").strip()
    if not link:
        errors = {"link": "Paste a link to an audio file shared in Slack.", **errors}
    return task, link, options, errors
