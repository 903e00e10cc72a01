"""One Slack client and one OpenAI client per process, built once and reused."""

from __future__ import annotations

import aiohttp
import openai
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings


def slack_client(settings: Settings, session: aiohttp.ClientSession | None = None) -> AsyncWebClient:
    """Bolt copies base_url, retry handlers and the session into every per-request client it builds;
    one shared session keeps connections to Slack open instead of one per call."""
    return AsyncWebClient(
        # Many workspaces (issue 14): no process-wide token; each workspace's is looked up.
        token=settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None,
        base_url=settings.slack_api_base,
        session=session,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def openai_client(settings: Settings) -> openai.AsyncOpenAI:
    read = max(settings.openai_first_token_timeout, settings.openai_between_tokens_timeout) + 5
    return openai.AsyncOpenAI(
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url or None,
        max_retries=settings.openai_max_retries,
        timeout=openai.Timeout(read, connect=10.0),
    )
