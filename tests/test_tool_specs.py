"""Property tests of what people type as an assistant's tools: every spec is either taken, with a
known tool type, or refused with a message naming what is allowed; nothing else escapes."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.slack.flags import json_tools
from handlers.create_assistant import BOT_ACTIONS, HOSTED_TOOLS, validated_fields

NAMES = st.sampled_from([*BOT_ACTIONS, *HOSTED_TOOLS, "mcp", "teleport", "", "web-search"])
MCP = st.fixed_dictionaries(
    {"type": st.just("mcp")},
    optional={
        "server_label": st.text(max_size=8),
        "server_url": st.sampled_from(["https://x.example/sse", "http://x", "ftp://x", "", "https://"]),
        "allowed_tools": st.one_of(st.lists(st.text(max_size=5), max_size=3), st.integers()),
        "require_approval": st.sampled_from(["always", "never", "sometimes", 1]),
        "authorization": st.one_of(st.text(max_size=10), st.none()),
    },
)
ENTRY = st.one_of(NAMES, MCP, st.fixed_dictionaries({"type": st.text(max_size=12)}), st.integers())


@given(st.lists(ENTRY, max_size=5))
def test_a_tool_list_is_taken_or_refused_with_what_is_allowed(entries: list[object]) -> None:
    try:
        fields = validated_fields({"name": "A", "tools": entries}, creating=True)
    except ValidationError as exc:
        message = str(exc)
        assert "allowed are" in message or "`mcp`" in message, message
        return
    for tool in fields["tools"]:
        assert tool["type"] in {"function", *HOSTED_TOOLS, "mcp"}
        if tool["type"] == "mcp":
            assert tool["server_url"].startswith("https://") and tool["require_approval"] in (
                "always",
                "never",
            )


@given(st.lists(NAMES.filter(lambda n: n and "," not in n), min_size=1, max_size=4))
def test_names_separated_by_commas_read_as_the_same_list_as_json(names: list[str]) -> None:
    assert json_tools(",".join(names)) == json_tools(json.dumps(names)) == names
