"""`/openai settings`: a workspace's settings in one modal (admins), read back as subcommands."""

from __future__ import annotations

from typing import Any

from bot.blocks import forms

CALLBACK_ID = "workspace_settings_modal"
ACTION = forms.ACTION


KEY_SET = "set: leave empty to keep it, or type clear"


def _input(block_id: str, label: str, element: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": forms.plain(label),
        "optional": True,
        "element": element,
    }


def _text(block_id: str, label: str, initial: str, placeholder: str = "") -> dict[str, Any]:
    block = forms.text_input(block_id, label, placeholder=placeholder)
    if initial:
        block["element"]["initial_value"] = initial
    return block


def build(
    *,
    models: dict[str, str],
    actions: tuple[str, ...],
    disabled: frozenset[str],
    channels: frozenset[str] | None,
    limit_user: int | None,
    limit_workspace: int | None,
    has_own_key: bool,
    channel_id: str,
    team_id: str,
    has_azure: bool = False,
) -> dict[str, Any]:
    channels_element: dict[str, Any] = {
        "type": "multi_conversations_select",
        "action_id": ACTION,
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if channels:
        channels_element["initial_conversations"] = sorted(channels)
    options = [{"text": forms.plain(a), "value": a} for a in actions]
    actions_element: dict[str, Any] = {"type": "checkboxes", "action_id": ACTION, "options": options}
    on = [o for o in options if o["value"] not in disabled]
    if on:
        actions_element["initial_options"] = on
    user_limit = "" if limit_user is None else str(limit_user)
    blocks = [
        _input("actions", "Actions on", actions_element),
        _input("channels", "Channels where the bot answers (none chosen: all)", channels_element),
        _text("limit_user", "Daily tokens per person (0: no limit)", user_limit, "empty: the bot's default"),
        _text("limit_workspace", "Daily tokens for the workspace (0: no limit)", str(limit_workspace or 0)),
        *(
            _text(f"model_{a}", f"Default model: {a}", models.get(a, ""), "empty: the bot's default")
            for a in actions
        ),
        _text(
            "key",
            "Own OpenAI key (or Azure OpenAI key)",
            "",
            KEY_SET if has_own_key else "empty: the bot's key",
        ),
        # Its own Azure OpenAI resource instead of a key: the models above are then its deployments.
        _text(
            "azure_endpoint",
            "Own Azure OpenAI endpoint (with its key above)",
            "",
            KEY_SET if has_azure else "https://NAME.openai.azure.com",
        ),
        _text("azure_api_version", "Azure OpenAI API version", "", "such as 2025-04-01-preview"),
    ]
    return forms.modal(
        CALLBACK_ID, "Workspace settings", "Save", {"channel_id": channel_id, "team_id": team_id}, blocks
    )


def read(state: dict[str, Any], actions: tuple[str, ...]) -> tuple[list[tuple[str, str]], str | None]:
    """The settings as (block id, `/openai` subcommand) pairs, and a key typed (or None)."""
    chosen = (state.get("actions") or {}).get(ACTION) or {}
    on = {str(o.get("value")) for o in chosen.get("selected_options") or []}
    picked = ((state.get("channels") or {}).get(ACTION) or {}).get("selected_conversations") or []
    lines = [("actions", f"action {a} {'on' if a in on else 'off'}") for a in actions]
    lines.append(("channels", "channels only " + " ".join(map(str, picked)) if picked else "channels all"))
    limit_user = forms.value(state, "limit_user").strip()
    lines.append(("limit_user", f"limit user {limit_user or 'default'}"))
    lines.append(
        ("limit_workspace", f"limit workspace {forms.value(state, 'limit_workspace').strip() or '0'}")
    )
    for a in actions:
        lines.append((f"model_{a}", f"model {a} {forms.value(state, f'model_{a}').strip() or 'default'}"))
    key = forms.value(state, "key").strip()
    return lines, key or None


def read_azure(state: dict[str, Any]) -> tuple[str | None, str | None]:
    """The Azure OpenAI endpoint typed (or "clear"), and its API version; None for what is empty."""
    endpoint = forms.value(state, "azure_endpoint").strip()
    version = forms.value(state, "azure_api_version").strip()
    return endpoint or None, version or None
