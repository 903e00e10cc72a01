"""The ranges OpenAI allows for the properties several actions share (chat, images, speech):
used by the request models and by the messages and forms that name them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Range:
    """An allowed range, used by the request model and by the messages that name it."""

    low: float | None = None
    high: float | None = None


TEMPERATURE = Range(0, 2)
TOP_P = Range(0, 1)
PENALTY = Range(-2, 2)
CHOICES = Range(1, 10)
MAX_TOKENS = Range(1, None)
LOGIT_BIAS = Range(-100, 100)
MAX_STOP_SEQUENCES = 4  # stop sequences a chat request takes
