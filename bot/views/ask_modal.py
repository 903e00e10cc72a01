"""The /ask modal: every property of "Ask ChatGPT" as a field, validated field by field."""

from __future__ import annotations

import json
from typing import Any

from bot.flags import CHAT_FLAGS, Flag, FlagError
from handlers.ask_chatgpt import MAX_STOP_SEQUENCES

CALLBACK_ID = "ask_modal"
ACTION = "value"
MAX_OPTIONS = 100  # Slack's limit for a static select

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


def _text(value: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": value[:75]}


def _input(block_id: str, label: str, element: dict[str, Any], optional: bool = True) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": _text(label),
        "optional": optional,
        "element": element,
    }


def build(*, models: list[str], default_model: str, channel_id: str, team_id: str | None) -> dict[str, Any]:
    choices = [default_model, *[m for m in models if m != default_model]][:MAX_OPTIONS]
    options = [{"text": _text(m), "value": m} for m in choices]
    blocks = [
        _input(
            "prompt",
            "Your question",
            {"type": "plain_text_input", "action_id": ACTION, "multiline": True},
            optional=False,
        ),
        _input(
            "model",
            "Model",
            {"type": "static_select", "action_id": ACTION, "options": options, "initial_option": options[0]},
        ),
    ]
    for field, label, placeholder, multiline in TYPED_FIELDS:
        element = {"type": "plain_text_input", "action_id": ACTION, "placeholder": _text(placeholder)}
        if multiline:
            element["multiline"] = True
        blocks.append(_input(field, label, element))
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _text("Ask ChatGPT"),
        "submit": _text("Ask"),
        "close": _text("Cancel"),
        "private_metadata": json.dumps({"channel_id": channel_id, "team_id": team_id}),
        "blocks": blocks,
    }


def _value(state: dict[str, Any], block_id: str) -> str:
    entry = (state.get(block_id) or {}).get(ACTION) or {}
    if entry.get("type") == "static_select" or "selected_option" in entry:
        return str(((entry.get("selected_option") or {}).get("value")) or "")
    return str(entry.get("value") or "")


def read(state: dict[str, Any]) -> tuple[dict[str, Any], str, dict[str, str]]:
    """(options, prompt, errors by block id) from a submitted view's state values."""
    errors: dict[str, str] = {}
    options: dict[str, Any] = {}
    prompt = _value(state, "prompt").strip()
    if not prompt:
        errors["prompt"] = "Please type a question."
    model = _value(state, "model").strip()
    if model:
        options["model"] = model
    for field, *_ in TYPED_FIELDS:
        raw = _value(state, field).strip()
        if not raw:
            continue
        flag = FLAGS_BY_FIELD[field]
        try:
            if flag.repeatable > 1:
                lines = [line for line in raw.splitlines() if line.strip()]
                if len(lines) > flag.repeatable:
                    errors[field] = f"At most {flag.repeatable}, one per line."
                    continue
                options[field] = [flag.value(line) for line in lines]
            else:
                options[field] = flag.value(raw)
        except FlagError:
            errors[field] = f"Must be {flag.allowed}."[:150]
    return options, prompt, errors
