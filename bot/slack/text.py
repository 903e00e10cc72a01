"""Reading text as Slack sends it: entities unescaped, the bot's own mention removed."""

from __future__ import annotations

import re

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def unescape(text: str) -> str:
    """Slack escapes exactly these three characters in message and command text."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mentions(text: str, user_id: str | None) -> bool:
    return bool(user_id) and any(m.group(1) == user_id for m in _MENTION.finditer(text or ""))


def strip_mention(text: str, bot_user_id: str | None) -> str:
    """Remove the bot's mention(s), keep other people's, tidy the spaces."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text or "")
    return re.sub(r"[ \t]+", " ", text or "").strip()
