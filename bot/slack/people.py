"""Who is who in a thread: Slack user ids to readable names, cached (users.info, users:read)."""

from __future__ import annotations

import logging
import re
import time

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.rate_limits.budget import optional

log = logging.getLogger(__name__)

_NOT_NAME = re.compile(r"[^a-zA-Z0-9_-]+")


def speaker_name(label: str) -> str:
    """A chat `name`: letters, digits, _ and - only, at most 64 characters."""
    name = _NOT_NAME.sub("_", label).strip("_")
    return (name or "user")[:64]


class People:
    def __init__(self, client: AsyncWebClient, ttl_seconds: float = 3600.0) -> None:
        self._client = client
        self._ttl = ttl_seconds
        self._names: dict[str, tuple[float, str]] = {}

    async def name(self, user_id: str) -> str:
        """A chat message `name` for the user: their display name, made a valid identifier."""
        cached = self._names.get(user_id)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        label = user_id
        looked_up = False
        try:
            with optional():  # a name is nice to have; over the budget, the id will do this once
                response = await self._client.users_info(user=user_id)
                looked_up = True
                user = response.get("user") or {}
                profile = user.get("profile") or {}
                label = profile.get("display_name") or profile.get("real_name") or user.get("name") or user_id
        except SlackApiError as exc:
            looked_up = True
            log.info("users.info failed for a user (%s); using the id", exc.response.get("error"))
        name = speaker_name(label)
        if looked_up:
            self._names[user_id] = (time.monotonic() + self._ttl, name)
        return name
