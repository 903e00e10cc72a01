"""Slack request signing, as Slack does it (v0 HMAC-SHA256 over 'v0:timestamp:body')."""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"


def signed_headers(
    body: bytes, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    base = b"v0:" + ts.encode() + b":" + body
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}
