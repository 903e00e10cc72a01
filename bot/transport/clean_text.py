"""Text is text: every string Slack hands us is cleaned once, before any listener sees it.

JSON may carry `\\u0000` and lone surrogates (`\\ud800`): Python parses both, but PostgreSQL refuses
NUL in text, and a lone surrogate cannot be encoded to UTF-8, so the tokenizer, `json.dumps(...,
ensure_ascii=False)`, the database driver or an HTTP client would fail on it far from here. NUL
characters are removed; a lone surrogate becomes U+FFFD. One global Bolt middleware does it, so
HTTP and Socket Mode requests are cleaned alike.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

REPLACEMENT = "\ufffd"


def clean_str(text: str) -> str:
    text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # Only surrogate code points fail here. Through UTF-16, a high and a low surrogate that
        # arrived as two code points become the character they spell; a lone one becomes U+FFFD.
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def clean(value: Any) -> Any:
    """The same JSON-like value with every string (dict keys too) cleaned; other values as they are."""
    if isinstance(value, str):
        return clean_str(value)
    if isinstance(value, dict):
        return {clean(key): clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clean(item) for item in value]
    return value


async def clean_request_text(
    req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse | None]]
) -> BoltResponse | None:
    """Global Bolt middleware: cleans the parsed body in place (listeners get `body`, `event`,
    `command`… from it) and the strings Bolt already copied from it into the context."""
    if isinstance(req.body, dict):
        cleaned = clean(req.body)
        req.body.clear()
        req.body.update(cleaned)
    for key, item in list(req.context.items()):
        if isinstance(item, str):
            req.context[key] = clean_str(item)
    return await next()
