"""Long text into a thread as several messages at Slack's limits, in order, never cut off."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

MESSAGE_LIMIT = 3_900  # comfortably under Slack's 4,000 characters of readable text


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut at line breaks, else at spaces."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = rest.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


async def post_long(client: AsyncWebClient, *, channel: str, thread_ts: str | None, text: str) -> list[str]:
    """Post `text` in as many messages as it takes; return their ts."""
    posted = []
    for piece in split_message(text):
        response = await client.chat_postMessage(channel=channel, thread_ts=thread_ts, markdown_text=piece)
        posted.append(str(response["ts"]))
    return posted
