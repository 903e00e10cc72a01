"""The flag reader on its own (pure): quoting, the `--` terminator, Slack's escaping."""

from __future__ import annotations

import pytest

from bot.slack.flags import CHAT_FLAGS, FlagError, parse_flags


def parse(text: str) -> tuple[dict[str, object], str]:
    return parse_flags(text, CHAT_FLAGS, "/ask")


def test_no_flags_leaves_the_text_as_typed_but_unescaped() -> None:
    assert parse("  what is 1 &lt; 2 &amp;&amp; 3 &gt; 2?") == ({}, "what is 1 < 2 && 3 > 2?")


def test_double_dash_ends_the_flags() -> None:
    assert parse("--temperature 1 -- --not-a-flag here") == ({"temperature": 1.0}, "--not-a-flag here")


@pytest.mark.parametrize(
    "quoted",
    ['"two words"', "'two words'", "“two words”", "‘two words’", '“two words"'],
)
def test_values_may_be_quoted_with_straight_or_typographic_quotes(quoted: str) -> None:
    assert parse(f"--stop {quoted} question") == ({"stop": ["two words"]}, "question")


def test_an_em_dash_typed_by_autocorrect_still_starts_a_flag() -> None:
    assert parse("—temperature 0.5 hi") == ({"temperature": 0.5}, "hi")


def test_a_prompt_with_apostrophes_is_untouched() -> None:
    assert parse("--n 2 what’s a ‘word’?") == ({"n": 2}, "what’s a ‘word’?")


def test_nan_and_infinity_are_refused() -> None:
    for value in ("nan", "inf", "-inf"):
        with pytest.raises(FlagError, match="temperature"):
            parse(f"--temperature {value} hi")
