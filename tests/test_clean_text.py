"""clean(): NUL removed and lone surrogates replaced in every string of a parsed body, nothing else."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.transport.clean_text import clean, clean_request_text

# Any code point, surrogates included, with NUL and lone surrogates drawn often.
ANY_CHARACTER = st.one_of(
    st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()),
    st.sampled_from(["\x00", "\ud800", "\udbff", "\udc00", "\udfff"]),
)
TEXT = st.text(ANY_CHARACTER, max_size=20)
JSON_LIKE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(TEXT, children, max_size=5),
    max_leaves=25,
)


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in strings_in(key) + strings_in(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


def is_clean(text: str) -> bool:
    return "\x00" not in text and not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


@settings(max_examples=500, database=None)
@given(JSON_LIKE)
def test_the_result_is_valid_utf8_json_without_nul(value: Any) -> None:
    cleaned = clean(value)
    text = json.dumps(cleaned, ensure_ascii=False)
    text.encode("utf-8")  # raises on any surrogate left, key or value
    assert "\x00" not in text
    assert "\\u0000" not in text
    assert clean(cleaned) == cleaned


@settings(max_examples=500, database=None)
@given(JSON_LIKE)
def test_a_value_that_was_already_clean_is_unchanged(value: Any) -> None:
    if all(is_clean(s) for s in strings_in(value)):
        assert clean(value) == value


@settings(max_examples=300, database=None)
@given(TEXT)
def test_only_nul_and_surrogates_change(text: str) -> None:
    # Every other character stays where it was: the result is the input without NUL, each lone
    # surrogate being one U+FFFD (pairs of surrogates aside, which become the character they spell).
    if not any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        assert clean(text) == text.replace("\x00", "")
    else:
        assert len(clean(text)) <= len(text.replace("\x00", ""))


def test_examples() -> None:
    assert clean("a\x00b") == "ab"
    assert clean("\ud800") == "\ufffd"
    assert clean("x\udfffy\ud800") == "x\ufffdy\ufffd"
    assert clean("\ud83d\ude00") == "😀"  # a pair that arrived as two code points
    assert clean("\ud83d\ud83d\ude00") == "\ufffd😀"
    assert clean({"k\x00": ["\ud800", 1, None, True, 2.5, {"\udc00": "ok"}]}) == {
        "k": ["\ufffd", 1, None, True, 2.5, {"\ufffd": "ok"}]
    }
    assert clean("héllo wörld 日本 🎉") == "héllo wörld 日本 🎉"


async def test_the_middleware_cleans_the_body_in_place_and_calls_next() -> None:
    body: dict[str, Any] = {
        "type": "event_callback",
        "team_id": "T0\x00TEST",
        "event": {"type": "app_mention", "text": "hi\x00 \ud800", "channel": "C0CHAN"},
    }
    request = AsyncBoltRequest(body=body, mode="socket_mode")
    called: list[bool] = []

    async def next_() -> BoltResponse:
        called.append(True)
        return BoltResponse(status=200)

    await clean_request_text(request, BoltResponse(status=200), next_)

    assert called == [True]
    assert request.body is body  # the same dict Bolt hands to listeners
    assert body["event"]["text"] == "hi \ufffd"
    assert body["team_id"] == "T0TEST"
    assert request.context.team_id == "T0TEST"  # what Bolt copied into the context, too
