"""The /ask modal: every property of "Ask ChatGPT" as a field, validated field by field."""

from __future__ import annotations

from typing import Any

from bot.blocks import forms
from bot.slack.flags import CHAT_FLAGS, Flag
from handlers.limits import MAX_STOP_SEQUENCES

CALLBACK_ID = "ask_modal"

FLAGS_BY_FIELD: dict[str, Flag] = {flag.field: flag for flag in CHAT_FLAGS.values()}

# (field, label, placeholder, multiline) for the typed inputs, in the order shown.
TYPED_FIELDS: list[tuple[str, str, str, bool]] = [
    ("temperature", "Temperature", "0 to 2, e.g. 0.7", False),
    ("top_p", "Top p", "0 to 1, e.g. 0.9", False),
    ("max_tokens", "Max tokens", "a whole number of at least 1", False),
    ("n", "Number of choices", "1 to 10", False),
    ("stop", "Stop sequences", f"up to {MAX_STOP_SEQUENCES}, one per line", True),
    ("presence_penalty", "Presence penalty", "-2 to 2", False),
    ("frequency_penalty", "Frequency penalty", "-2 to 2", False),
    ("logit_bias", "Logit bias", '{"50256": -100}: token id to -100..100', False),
    ("user", "User", "an end-user id (default: an anonymous id for you)", False),
]


def build(*, models: list[str], default_model: str, channel_id: str, team_id: str | None) -> dict[str, Any]:
    blocks = [
        forms.text_input("prompt", "Your question", multiline=True, optional=False),
        forms.select("model", "Model", forms.with_default(default_model, models), initial=default_model),
        *(
            forms.text_input(field, label, placeholder=placeholder, multiline=multiline)
            for field, label, placeholder, multiline in TYPED_FIELDS
        ),
    ]
    metadata = {"channel_id": channel_id, "team_id": team_id}
    return forms.modal(CALLBACK_ID, "Ask ChatGPT", "Ask", metadata, blocks)


def read(state: dict[str, Any]) -> tuple[dict[str, Any], str, dict[str, str]]:
    """(options, prompt, errors by block id) from a submitted view's state values."""
    options, errors = forms.read_fields(state, FLAGS_BY_FIELD, [field for field, *_ in TYPED_FIELDS])
    prompt = forms.value(state, "prompt").strip()
    if not prompt:
        errors = {"prompt": "Please type a question.", **errors}
    model = forms.value(state, "model").strip()
    if model:
        options["model"] = model
    return options, prompt, errors
