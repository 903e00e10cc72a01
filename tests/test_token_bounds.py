"""The cheap upper bound that spares counting tokens for conversations that fit anyway."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content import tokens
from bot.content.context_fit import fit

MODELS = ("gpt-6-luna", "gpt-4-turbo")


@settings(max_examples=300, deadline=None)
@given(text=st.text(), name=st.text(max_size=20), model=st.sampled_from(MODELS))
def test_the_bound_is_never_below_the_real_count(text: str, name: str, model: str) -> None:
    assert tokens.at_most_text(text) >= tokens.count_text(model, text)
    message = {"role": "user", "content": text, "name": name or None}
    assert tokens.at_most_message(message) >= tokens.count_message(model, message)
    parts = {"role": "user", "content": [{"type": "text", "text": text}, {"type": "image_url"}]}
    assert tokens.at_most_message(parts) >= tokens.count_message(model, parts)


@settings(max_examples=100, deadline=None)
@given(texts=st.lists(st.text(max_size=200), min_size=1, max_size=8), budget=st.integers(0, 400))
def test_fitting_with_the_bound_keeps_what_counting_keeps(texts: list[str], budget: int) -> None:
    messages = [{"role": "system", "content": "be brief"}] + [{"role": "user", "content": t} for t in texts]

    def count(message: dict[str, str]) -> int:
        return tokens.count_message("gpt-6-luna", message)

    exact = fit(messages, budget, count)
    bounded = fit(messages, budget, count, tokens.at_most_message)
    if bounded != exact:  # the bound said "fits" where counting would drop: never
        raise AssertionError((bounded, exact))


def test_a_short_conversation_is_fitted_without_loading_a_vocabulary() -> None:
    tokens._load.cache_clear()
    messages = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]
    kept, dropped = fit(
        messages, 1000, lambda m: tokens.count_message("gpt-6-luna", m), tokens.at_most_message
    )
    assert (kept, dropped) == (messages, 0)
    assert tokens._load.cache_info().currsize == 0
    fit(messages, 5, lambda m: tokens.count_message("gpt-6-luna", m), tokens.at_most_message)
    assert tokens._load.cache_info().currsize == 1  # too big for the bound: really counted
