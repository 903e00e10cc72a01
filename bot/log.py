"""Logging that never prints a token or an API key, whoever tries to log one."""

from __future__ import annotations

import logging
import re

_SECRET = re.compile(r"(xox[abprse]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|sk-[A-Za-z0-9_-]{8,}|Bearer\s+\S+)")


def redact(text: str) -> str:
    return _SECRET.sub(lambda m: m.group(0)[:5] + "…[redacted]", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class BoltTokenNoticeFilter(logging.Filter):
    """Bolt warns that SLACK_BOT_TOKEN is unused because we hand it a client and an authorize
    function ourselves: true, intended, and alarming to an admin reading the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not message.startswith(
            ("As you gave `client` as well", "As `installation_store` or `authorize`")
        )


def setup(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    handler.addFilter(BoltTokenNoticeFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The SDKs are chatty at DEBUG and may print request headers; keep them at INFO or above.
    for name in ("slack_sdk", "slack_bolt", "openai", "httpx", "httpx2"):
        logging.getLogger(name).setLevel(max(logging.getLevelName(level), logging.INFO))
    # SQLAlchemy echoes every statement at INFO, and aiohttp logs every request: not for a log.
    for name in ("sqlalchemy", "aiohttp.access", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
