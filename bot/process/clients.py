"""One Slack client and one OpenAI client per process, built once and reused."""

from __future__ import annotations

import hashlib

import aiohttp
import httpx2
import openai
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)

from bot.config import Settings
from bot.process import usage_meter
from bot.rate_limits.budget import Budget
from bot.rate_limits.client import BudgetedWebClient


def workspace_of(token: str) -> str:
    """The budget's name for the workspace a bot token belongs to (a digest, never the token)."""
    return "token-" + hashlib.sha256(token.encode()).hexdigest()[:16]


def slack_client(
    settings: Settings, budget: Budget, session: aiohttp.ClientSession | None = None
) -> BudgetedWebClient:
    """Bolt copies base_url, retry handlers and the session into every per-request client it builds;
    one shared session keeps connections to Slack open instead of one per call. 429s are the
    budget's to handle (one pause per workspace and method), not each call's own retry. With many
    workspaces (issue 14) there is no process-wide token: each workspace's client is made from this
    one with its own token (bot/process/workspaces.py)."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return BudgetedWebClient(
        token=token,
        base_url=settings.slack_api_base,
        session=session,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
        budget=budget,
        workspace=workspace_of(token) if token else "",
    )


def openai_http_client(timeout: openai.Timeout) -> httpx2.AsyncClient:
    """The OpenAI SDK's HTTP client on aiohttp, which already carries Slack and the downloads: one
    HTTP stack in the process. Every response passes through the usage meter (an httpx event hook,
    the public way in: the SDK takes our own `http_client`). The copies the SDK makes
    (`with_options`) and each workspace's own client share it, so every HTTP call is counted."""
    return openai.DefaultAioHttpClient(timeout=timeout, event_hooks={"response": [usage_meter.observe]})


def openai_timeout(settings: Settings) -> openai.Timeout:
    read = max(settings.openai_first_token_timeout, settings.openai_between_tokens_timeout) + 5
    return openai.Timeout(read, connect=10.0)


def openai_client(settings: Settings, http_client: httpx2.AsyncClient | None = None) -> openai.AsyncOpenAI:
    """The OpenAI (or Azure OpenAI) client of these settings, on `http_client` when given."""
    timeout = openai_timeout(settings)
    http_client = http_client or openai_http_client(timeout)
    if settings.azure:  # issue 13
        return azure_openai_client(settings, timeout, http_client)
    return openai.AsyncOpenAI(
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url or None,
        max_retries=settings.openai_max_retries,
        timeout=timeout,
        http_client=http_client,
    )


def azure_openai_client(
    settings: Settings, timeout: openai.Timeout, http_client: httpx2.AsyncClient | None = None
) -> openai.AsyncOpenAI:
    """Azure OpenAI (OPENAI_API_TYPE=azure, or a workspace's own Azure endpoint): every request goes
    to {AZURE_OPENAI_ENDPOINT}/openai/deployments/{deployment}/…?api-version=…, the deployment being
    the model setting of the action; the key (AZURE_OPENAI_API_KEY, else OPENAI_API_KEY) is sent as
    `api-key`. Realtime speech goes to wss://{endpoint}/openai/realtime?…&deployment=… (ws:// for
    an http:// endpoint, such as a local proxy)."""
    key = settings.azure_openai_api_key or settings.openai_api_key
    endpoint = settings.azure_openai_endpoint
    assert endpoint is not None  # the settings check it
    websocket = "ws://" + endpoint.removeprefix("http://").rstrip("/") + "/openai"
    return openai.AsyncAzureOpenAI(
        api_key=key.get_secret_value(),
        azure_endpoint=endpoint,
        api_version=settings.openai_api_version,
        max_retries=settings.openai_max_retries,
        timeout=timeout,
        http_client=http_client or openai_http_client(timeout),
        websocket_base_url=websocket if endpoint.startswith("http://") else None,
    )
