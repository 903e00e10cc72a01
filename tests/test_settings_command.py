"""`/openai …` as people type it: anything typed parses or names what is wrong, never crashes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr, ValidationError

from bot.config import Settings
from bot.slack.settings_command import ACTIONS, MAX_LIMIT, CommandError, parse

WORDS = st.sampled_from(
    ["help", "usage", "show", "key", "clear", "model", "action", "on", "off", "channels", "all", "add",
     "only", "remove", "limit", "user", "workspace", "default", "<#C0AB|x>", "C0CD", "#general", "12",
     "-1", "1,000", "gpt-6", "azure", "https://x.openai.azure.com", "2025-04-01-preview",
     "azure0key0of0the0workspace01234", *ACTIONS]
)  # fmt: skip


@given(st.text(max_size=200))
def test_any_text_parses_or_says_what_is_wrong(text: str) -> None:
    try:
        parse(text)
    except CommandError as exc:
        assert str(exc)


@given(st.lists(WORDS, max_size=5))
def test_command_like_text_parses_or_says_what_is_wrong(words: list[str]) -> None:
    try:
        cmd = parse(" ".join(words))
    except CommandError as exc:
        assert str(exc)
        return
    if cmd.verb == "channels" and cmd.channel_mode != "all":
        assert cmd.channels and all(c[0] in "CG" for c in cmd.channels)
    if cmd.limit is not None:
        assert 0 <= cmd.limit <= MAX_LIMIT


@given(st.sampled_from(ACTIONS), st.booleans())
def test_actions_turn_on_and_off(action: str, on: bool) -> None:
    cmd = parse(f"action {action.upper()} {'on' if on else 'OFF'}")
    assert (cmd.action, cmd.enabled) == (action, on)


@given(st.integers(min_value=0, max_value=MAX_LIMIT))
def test_limits_read_back(number: int) -> None:
    assert parse(f"limit user {number:,}").limit == number
    assert parse(f"limit workspace {number}").scope == "workspace"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("frobnicate", "not a subcommand"),
        ("model painting gpt-6", "ACTION must be one of"),
        ("channels add #general", "pick channels with #"),
        ("limit user -5", "whole number"),
        ("key short", "20 to 256"),
        ("usage now", "takes nothing"),
        ("azure https://x.openai.azure.com 2025-04-01-preview", "endpoint URL, the API version and the key"),
        ("azure ftp://x 2025-04-01-preview azure0key0of0the0workspace01234", "resource's URL"),
        ("azure https://x.openai.azure.com yesterday azure0key0of0the0workspace01234", "API version"),
        ("azure https://x.openai.azure.com 2025-04-01-preview short", "20 to 256"),
    ],
)
def test_mistakes_name_the_part_and_what_is_allowed(text: str, names: str) -> None:
    with pytest.raises(CommandError, match=names):
        parse(text)


def test_channels_arrive_as_slack_links() -> None:
    cmd = parse("channels only &lt;#C0AB|general&gt; <#G0CD> C0AB")
    assert cmd.channel_mode == "only" and cmd.channels == ("C0AB", "G0CD")
    assert parse("").verb == "help"
    assert parse("key clear").key is None
    assert parse("model chat default").model is None


def test_an_azure_endpoint_arrives_as_a_slack_link_and_is_never_echoed() -> None:
    key = "azure0key0of0the0workspace01234"
    cmd = parse(f"azure &lt;https://x.openai.azure.com/|x.openai.azure.com&gt; 2025-04-01-preview {key}")
    assert (cmd.endpoint, cmd.api_version) == ("https://x.openai.azure.com", "2025-04-01-preview")
    assert cmd.key == key
    assert parse("azure clear").key is None and parse("azure CLEAR").changes_settings
    with pytest.raises(CommandError) as raised:
        parse(f"azure https://x.openai.azure.com nope {key}")
    assert key not in str(raised.value)


@pytest.mark.parametrize(
    ("allowed", "endpoint", "ok"),
    [
        ("", "https://contoso.openai.azure.com", True),
        ("", "https://contoso.cognitiveservices.azure.com/", True),
        ("", "http://contoso.openai.azure.com", False),  # a suffix is https only
        ("", "https://openai.azure.com.evil.example", False),
        ("", "https://evilopenai.azure.com", False),
        ("", "http://127.0.0.1:8080", False),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080", True),
        ("https://ai.example.com", "https://ai.example.com:8443", False),
    ],
)
def test_a_workspace_azure_endpoint_only_where_allowed(allowed: str, endpoint: str, ok: bool) -> None:
    env = {"workspace_azure_endpoints": allowed} if allowed else {}
    settings = Settings(slack_bot_token=SecretStr("xoxb-test"), openai_api_key=SecretStr("sk-test"), **env)
    assert settings.workspace_azure_allowed(endpoint) is ok


def test_workspace_azure_endpoints_must_be_suffixes_or_origins() -> None:
    with pytest.raises(ValidationError, match="host suffixes"):
        Settings(
            slack_bot_token=SecretStr("xoxb-test"),
            openai_api_key=SecretStr("sk-test"),
            workspace_azure_endpoints="openai.azure.com/path",
        )
