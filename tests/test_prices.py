"""Estimated costs: the dated table, matched by model prefix, and OPENAI_PRICES over it."""

from __future__ import annotations

import pytest

from bot.openai_models.prices import PRICES_DATE, estimate, parse_overrides


def test_costs_follow_the_table_and_the_overrides() -> None:
    assert PRICES_DATE
    assert estimate("gpt-6-luna", prompt_tokens=1_000_000, completion_tokens=100_000) == pytest.approx(2.25)
    assert estimate("whisper-1", audio_seconds=120) == pytest.approx(0.012)
    assert estimate("unknown-model", prompt_tokens=10**9) == 0
    overrides = parse_overrides('{"gpt-6-luna": {"input": 2, "output": 0}, "my-model": {"image": 0.5}}')
    assert estimate("gpt-6-luna", prompt_tokens=1_000_000, overrides=overrides) == pytest.approx(2.0)
    assert estimate("my-model-v2", images=3, overrides=overrides) == pytest.approx(1.5)


@pytest.mark.parametrize("text", ["[]", '{"m": 3}', '{"m": {"inputs": 1}}', '{"m": {"input": -1}}', "{"])
def test_malformed_overrides_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_overrides(text)
