"""Estimated prices, in US dollars, for the usage `/openai usage` reports.

They are estimates as of PRICES_DATE, matched by model name prefix (the longest wins). OpenAI
changes prices: set OPENAI_PRICES (JSON, the same shape: `{"model-prefix": {"input": …,
"output": …, "image": …, "audio_minute": …}}`, input and output per million tokens) to replace
entries or add models.
"""

from __future__ import annotations

import json

# input / output: per million prompt / completion tokens; image: per image; audio_minute: per
# minute of audio transcribed or translated, or spoken by /audio/speech (whose answers carry no
# token counts: OpenAI's own estimate per minute of speech). A missing entry costs nothing.
Price = dict[str, float]
PRICE_KEYS = ("input", "output", "image", "audio_minute")


PRICES_DATE = "2026-12-01"
PRICES: dict[str, Price] = {
    "gpt-6": {"input": 1.25, "output": 10.0},
    "gpt-5": {"input": 1.25, "output": 10.0},
    "gpt-4.1": {"input": 2.0, "output": 8.0},
    "gpt-4o-mini-tts": {"input": 0.6, "output": 12.0, "audio_minute": 0.015},
    "tts-1-hd": {"audio_minute": 0.030},
    "tts-1": {"audio_minute": 0.015},
    # Realtime speech reports its tokens (text in, audio out): audio-token prices.
    "gpt-realtime": {"input": 32.0, "output": 64.0},
    "gpt-realtime-2.1-mini": {"input": 10.0, "output": 20.0},
    "gpt-4o": {"input": 2.5, "output": 10.0},
    "o3": {"input": 2.0, "output": 8.0},
    "o4-mini": {"input": 1.1, "output": 4.4},
    "gpt-image": {"input": 5.0, "output": 40.0, "image": 0.04},
    "dall-e-3": {"image": 0.04},
    "gpt-transcribe": {"audio_minute": 0.006},
    "gpt-4o-transcribe": {"audio_minute": 0.006},
    "whisper-1": {"audio_minute": 0.006},
}


def parse_overrides(text: str) -> dict[str, Price]:
    """OPENAI_PRICES: raises ValueError (with what is wrong) unless it is the documented shape."""
    if not text.strip():
        return {}
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError('must be a JSON object such as {"gpt-6": {"input": 1.25, "output": 10}}')
    prices: dict[str, Price] = {}
    for model, entry in value.items():
        if not isinstance(entry, dict) or not all(
            key in PRICE_KEYS and isinstance(number, int | float) and number >= 0
            for key, number in entry.items()
        ):
            raise ValueError(f"{model!r} must map input, output, image or audio_minute to numbers >= 0")
        prices[str(model)] = {str(k): float(v) for k, v in entry.items()}
    return prices


def price_of(model: str, overrides: dict[str, Price] | None = None) -> Price:
    table = {**PRICES, **(overrides or {})}
    matches = [prefix for prefix in table if model.startswith(prefix)]
    return table[max(matches, key=len)] if matches else {}


def estimate(
    model: str,
    *,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    images: int = 0,
    audio_seconds: float = 0.0,
    overrides: dict[str, Price] | None = None,
) -> float:
    price = price_of(model, overrides)
    return (
        prompt_tokens * price.get("input", 0.0) / 1_000_000
        + completion_tokens * price.get("output", 0.0) / 1_000_000
        + images * price.get("image", 0.0)
        + audio_seconds / 60 * price.get("audio_minute", 0.0)
    )
