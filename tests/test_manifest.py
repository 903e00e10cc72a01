"""Checks on manifest.yml: schema, events vs scopes, scope allow-list, contract coverage.

The schema is slackapi/manifest-schema's `manifest.schema.1.0.0.json`, kept in `shared/reference/`
beside the repository (CI clones the repo next to a copy of `shared/`).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST_PATH = REPO_ROOT / "manifest.yml"
SCHEMA_NAME = "slack-manifest.schema.1.0.0.json"
CODE_DIRS = ("bot", "handlers")
URL_SUFFIX = "/slack/events"

# Bot event -> scopes it needs (slack-facts.md, "Manifest"). An event missing here fails
# test_every_event_is_known: add it with its scopes.
EVENT_SCOPES: dict[str, set[str]] = {
    "app_mention": {"app_mentions:read"},
    "message.channels": {"channels:history"},
    "message.groups": {"groups:history"},
    "message.im": {"im:history"},
    "message.mpim": {"mpim:history"},
    "file_shared": {"files:read"},
    "app_home_opened": set(),
    "app_context_changed": set(),
    "assistant_thread_started": {"assistant:write"},
    "assistant_thread_context_changed": {"assistant:write"},
    "app_uninstalled": set(),
    "tokens_revoked": set(),
}

# Scope allow-list: every bot scope in the manifest must be here, with the slack_sdk client methods,
# Bolt registrations or payload fields that need it. test_every_scope_is_used_in_code looks for at
# least one of these strings in bot/ or handlers/.
_MESSAGE_EVENT_USES = [
    'event("message"',
    "event('message'",
    "app.message(",
    "conversations_replies",
    "conversations_history",
]
SCOPE_USES: dict[str, list[str]] = {
    "app_mentions:read": ["app_mention"],
    "channels:history": _MESSAGE_EVENT_USES,
    "groups:history": _MESSAGE_EVENT_USES,
    "im:history": _MESSAGE_EVENT_USES,
    "mpim:history": _MESSAGE_EVENT_USES,
    "chat:write": [
        "chat_postMessage",
        "chat_postEphemeral",
        "chat_update",
        "chat_startStream",
        "chat_appendStream",
        "chat_stopStream",
        "chat_stream",
        "say_stream",
        "assistant_threads_setStatus",
    ],
    "commands": ["app.command", ".command(", ".shortcut("],
    "files:read": ["files_info", "url_private_download", "url_private"],
    "files:write": ["files_upload_v2", "files_getUploadURLExternal", "files_completeUploadExternal"],
    "users:read": ["users_info"],
    "assistant:write": [
        "assistant_threads_setSuggestedPrompts",
        "assistant_threads_setTitle",
        "set_suggested_prompts",
        "set_title",
    ],
}

# Contract "Slack surface" (checked again against contract.md itself below).
SLASH_COMMANDS = {"/ask", "/image", "/speech", "/transcribe", "/translate", "/vision", "/assistant"}
# Commands the contract names outside its "Slack surface" table ("Many workspaces").
OTHER_COMMANDS = {"/openai"}
MESSAGE_SHORTCUTS = {
    "read_aloud": "Read aloud",
    "summarize_thread": "Summarize thread",
    "transcribe": "Transcribe",
    "translate": "Translate to English",
}
BOT_EVENTS = {
    "app_mention",
    "message.channels",
    "message.groups",
    "message.im",
    "message.mpim",
    "app_home_opened",
    "assistant_thread_started",
    "assistant_thread_context_changed",
}


def _shared_file(*parts: str) -> Path:
    """A file under shared/, beside the repo (CI) or inside it; fail (never skip) if absent."""
    candidates = [REPO_ROOT.parent / "shared" / Path(*parts), REPO_ROOT / "shared" / Path(*parts)]
    for path in candidates:
        if path.is_file():
            return path
    tried = "\n  ".join(str(p) for p in candidates)
    pytest.fail(f"{Path(*parts)} not found; looked in:\n  {tried}\n(shared/ must sit beside the repo)")


@cache
def _manifest() -> dict:
    assert MANIFEST_PATH.is_file(), f"{MANIFEST_PATH} is missing"
    data = yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "manifest.yml must be a YAML mapping"
    return data


@pytest.fixture
def manifest() -> dict:
    return _manifest()


@pytest.fixture
def bot_scopes(manifest: dict) -> list[str]:
    return manifest.get("oauth_config", {}).get("scopes", {}).get("bot", [])


@pytest.fixture
def bot_events(manifest: dict) -> list[str]:
    return manifest.get("settings", {}).get("event_subscriptions", {}).get("bot_events", [])


@cache
def _contract_slack_surface() -> str:
    text = _shared_file("contract.md").read_text(encoding="utf-8")
    match = re.search(r"^## Slack surface\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, "contract.md has no '## Slack surface' section"
    return match.group(1)


# --- schema -------------------------------------------------------------------------------------


def test_manifest_matches_schema(manifest: dict) -> None:
    schema_path = _shared_file("reference", SCHEMA_NAME)
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    errors = sorted(Draft7Validator(schema).iter_errors(manifest), key=lambda e: list(e.absolute_path))
    report = "\n".join(f"  {'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors)
    assert not errors, f"manifest.yml does not match {schema_path.name}:\n{report}"


# --- events and scopes --------------------------------------------------------------------------


def test_bot_events_are_the_expected_ones(bot_events: list[str]) -> None:
    missing = BOT_EVENTS - set(bot_events)
    assert not missing, f"manifest.yml lacks bot events {sorted(missing)}"


def test_every_event_is_known(bot_events: list[str]) -> None:
    unknown = sorted(set(bot_events) - EVENT_SCOPES.keys())
    assert not unknown, f"bot events {unknown} are not in EVENT_SCOPES: add them with the scopes they need"


def test_every_event_has_its_scope(bot_events: list[str], bot_scopes: list[str]) -> None:
    problems = [
        f"{event} needs {sorted(EVENT_SCOPES[event] - set(bot_scopes))}"
        for event in bot_events
        if EVENT_SCOPES.get(event, set()) - set(bot_scopes)
    ]
    assert not problems, "missing scopes: " + "; ".join(problems)


def test_features_have_their_scopes(manifest: dict, bot_scopes: list[str]) -> None:
    features = manifest.get("features", {})
    needed = {"chat:write", "files:read", "files:write", "users:read"}  # replies, downloads, uploads
    if features.get("slash_commands") or features.get("shortcuts"):
        needed.add("commands")
    if "agent_view" in features or "assistant_view" in features:
        needed.add("assistant:write")
    missing = sorted(needed - set(bot_scopes))
    assert not missing, f"manifest.yml lacks bot scopes {missing}"


def test_every_scope_is_allow_listed(bot_scopes: list[str]) -> None:
    unknown = sorted(set(bot_scopes) - SCOPE_USES.keys())
    assert not unknown, (
        f"bot scopes {unknown} are not in SCOPE_USES (tests/test_manifest.py): remove them from "
        "manifest.yml, or add them with the client methods that need them"
    )


def test_scopes_are_unique_and_bot_only(manifest: dict, bot_scopes: list[str]) -> None:
    assert bot_scopes, "manifest.yml declares no bot scopes"
    duplicates = sorted({s for s in bot_scopes if bot_scopes.count(s) > 1})
    assert not duplicates, f"duplicate bot scopes {duplicates}"
    scopes = manifest["oauth_config"]["scopes"]
    extra = sorted(k for k in ("user", "user_optional") if scopes.get(k))
    assert not extra, f"the app must not ask for user scopes ({extra})"


def _code_text() -> str:
    files = [
        path
        for folder in CODE_DIRS
        if (REPO_ROOT / folder).is_dir()
        for path in sorted((REPO_ROOT / folder).rglob("*.py"))
    ]
    return "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in files)


# Scopes the manifest asks for now so that no later capability needs a reinstall, with the issue
# whose code will use them. Once the code uses one, the test below asks for it to leave this list.
DECLARED_AHEAD: dict[str, str] = {}


def _used(scope: str, code: str) -> bool:
    return any(use in code for use in SCOPE_USES.get(scope, []))


def test_every_scope_is_used_in_code(bot_scopes: list[str]) -> None:
    code = _code_text()
    unused = [
        f"{scope}: none of {SCOPE_USES.get(scope, [])} found"
        for scope in bot_scopes
        if scope not in DECLARED_AHEAD and not _used(scope, code)
    ]
    assert not unused, f"scopes with no use under {'/, '.join(CODE_DIRS)}/ (*.py):\n  " + "\n  ".join(unused)


def test_scopes_declared_ahead_are_still_ahead(bot_scopes: list[str]) -> None:
    code = _code_text()
    arrived = [scope for scope in DECLARED_AHEAD if _used(scope, code)]
    assert not arrived, f"these scopes are used now: remove them from DECLARED_AHEAD: {arrived}"
    assert set(DECLARED_AHEAD) <= set(bot_scopes)


def test_the_manifest_grants_exactly_the_scopes_the_code_declares(bot_scopes: list[str]) -> None:
    from bot.slack.scopes import REQUIRED_SCOPES

    assert sorted(bot_scopes) == sorted(REQUIRED_SCOPES)


# --- contract coverage --------------------------------------------------------------------------


def test_contract_lists_the_known_commands() -> None:
    in_contract = set(re.findall(r"`(/[a-z][a-z0-9_-]*)", _contract_slack_surface()))
    assert in_contract == SLASH_COMMANDS, (
        f"contract.md's Slack surface lists {sorted(in_contract)}, this test expects {sorted(SLASH_COMMANDS)}"
    )


def test_every_slash_command_is_declared(manifest: dict) -> None:
    in_contract = set(re.findall(r"`(/[a-z][a-z0-9_-]*)", _contract_slack_surface()))
    declared = {c["command"] for c in manifest.get("features", {}).get("slash_commands", [])}
    missing = sorted((SLASH_COMMANDS | OTHER_COMMANDS | in_contract) - declared)
    assert not missing, f"manifest.yml lacks slash commands {missing}"


def test_slash_commands_are_well_formed(manifest: dict) -> None:
    flags = set(re.findall(r"`?(--[a-z][a-z-]*)", _contract_slack_surface()))
    for cmd in manifest["features"]["slash_commands"]:
        name = cmd["command"]
        # /openai takes #channels: escaped, Slack sends them as <#C…|name>, with the ids it needs.
        escape = name in OTHER_COMMANDS
        assert cmd.get("should_escape") is escape, f"{name}: should_escape must be {str(escape).lower()}"
        assert cmd.get("usage_hint"), f"{name}: usage_hint is missing"
        assert str(cmd.get("url", "")).endswith(URL_SUFFIX), f"{name}: url must end with {URL_SUFFIX}"
        unknown = sorted(set(re.findall(r"(--[a-z][a-z-]*)", cmd["usage_hint"])) - flags)
        assert not unknown, f"{name}: usage_hint shows flags {unknown} that contract.md does not define"


def test_every_shortcut_is_declared(manifest: dict) -> None:
    shortcuts = {s["callback_id"]: s for s in manifest.get("features", {}).get("shortcuts", [])}
    for callback_id, name in MESSAGE_SHORTCUTS.items():
        assert callback_id in shortcuts, f"manifest.yml lacks the shortcut {callback_id!r} ({name})"
        assert shortcuts[callback_id]["type"] == "message", f"{callback_id} must be a message shortcut"
        assert shortcuts[callback_id]["name"] == name, f"{callback_id} should be named {name!r}"
        assert f'"{name}"' in _contract_slack_surface(), f"contract.md does not name the shortcut {name!r}"


def test_event_and_interactivity_urls(manifest: dict) -> None:
    settings = manifest["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    for section in ("event_subscriptions", "interactivity"):
        url = settings[section].get("request_url", "")
        assert url.endswith(URL_SUFFIX), f"settings.{section}.request_url must end with {URL_SUFFIX}: {url!r}"


def test_app_home_and_bot_user(manifest: dict) -> None:
    features = manifest["features"]
    home = features["app_home"]
    assert home == {
        "home_tab_enabled": True,
        "messages_tab_enabled": True,
        "messages_tab_read_only_enabled": False,
    }
    assert features["bot_user"]["display_name"]
    assert features["agent_view"].get("agent_description")
    assert manifest["settings"]["socket_mode_enabled"] is True
