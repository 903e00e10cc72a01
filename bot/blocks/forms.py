"""Small Block Kit pieces shared by the modals (pure)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.slack.flags import Flag, FlagError

ACTION = "value"
MAX_OPTIONS = 100  # Slack's limit for a static select


def plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:limit]}


def text_input(
    block_id: str, label: str, *, placeholder: str = "", multiline: bool = False, optional: bool = True
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": ACTION}
    if placeholder:
        element["placeholder"] = plain(placeholder, 150)
    if multiline:
        element["multiline"] = True
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "optional": optional,
        "element": element,
    }


def select(
    block_id: str, label: str, choices: list[str], *, initial: str | None = None, optional: bool = True
) -> dict[str, Any]:
    options = [{"text": plain(choice), "value": choice} for choice in choices[:MAX_OPTIONS]]
    element: dict[str, Any] = {"type": "static_select", "action_id": ACTION, "options": options}
    chosen = next((option for option in options if option["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "optional": optional,
        "element": element,
    }


def modal(
    callback_id: str, title: str, submit: str, metadata: dict[str, Any], blocks: list[dict[str, Any]]
) -> dict:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, 24),
        "submit": plain(submit, 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps(metadata),
        "blocks": blocks,
    }


def state_of(view: dict[str, Any]) -> dict[str, Any]:
    """A submitted view's state values ({} when the view carries none, or not as an object)."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    return values if isinstance(values, dict) else {}


def value(state: dict[str, Any], block_id: str) -> str:
    """What was typed or chosen in a block of a submitted view ("" when nothing, or not text)."""
    block = state.get(block_id) if isinstance(state, dict) else None
    entry = block.get(ACTION) if isinstance(block, dict) else None
    if not isinstance(entry, dict):
        return ""
    if "selected_option" in entry or entry.get("type") == "static_select":
        option = entry.get("selected_option")
        chosen = option.get("value") if isinstance(option, dict) else None
        return chosen if isinstance(chosen, str) else ""
    typed = entry.get("value")
    return typed if isinstance(typed, str) else ""


def read_fields(
    state: dict[str, Any], flags_by_field: Mapping[str, Flag], fields: list[str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed fields through the same rules as their flags: (values, errors by block id)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in fields:
        raw = value(state, field).strip()
        if not raw:
            continue
        flag = flags_by_field[field]
        try:
            if flag.repeatable > 1:
                lines = [line for line in raw.splitlines() if line.strip()]
                if len(lines) > flag.repeatable:
                    errors[field] = f"At most {flag.repeatable}, one per line."
                    continue
                values[field] = [flag.value(line) for line in lines]
            else:
                values[field] = flag.value(raw)
        except FlagError:
            errors[field] = f"Must be {flag.allowed}."[:150]
    return values, errors


def with_default(default: str, choices: list[str]) -> list[str]:
    """The default first, then the others."""
    return [default, *[choice for choice in choices if choice != default]]
