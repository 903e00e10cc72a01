"""A Slack Web API client whose every call fits the workspace's rate budget first.

slack_sdk funnels every method (and its helpers: `chat_stream`, `files_upload_v2`) through
`api_call`, so this is the one place a call is counted. A 429 that still comes (Slack counts
something we did not, another app on the same token) pauses that method for the workspace for
its Retry-After, for every job, and the call is made again once the pause is over.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.rate_limits.budget import Budget, fits_deadline

MAX_RATE_LIMITED_RETRIES = 3


def _channel(*bodies: Any) -> str:
    for body in bodies:
        if isinstance(body, dict):
            channel = body.get("channel") or body.get("channel_id")
            if channel:
                return str(channel)
    return ""


def _retry_after(exc: SlackApiError) -> float | None:
    response = exc.response
    if response is None or response.status_code != 429:
        return None
    try:
        return max(1.0, float(response.headers.get("Retry-After", 1)))
    except (TypeError, ValueError):
        return 1.0


class BudgetedWebClient(AsyncWebClient):
    def __init__(self, *args: Any, budget: Budget, workspace: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget = budget
        self.workspace = workspace

    def with_token(self, token: str | None, workspace: str) -> BudgetedWebClient:
        """This client for another token (a workspace's, a request's): same session, retry
        handlers and budget, counted as `workspace`."""
        return BudgetedWebClient(
            token=token,
            base_url=self.base_url,
            timeout=self.timeout,
            session=self.session,
            headers=self.headers,
            logger=self.logger,
            retry_handlers=self.retry_handlers,
            budget=self.budget,
            workspace=workspace,
        )

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        channel = _channel(kwargs.get("json"), kwargs.get("data"), kwargs.get("params"))
        for attempt in range(MAX_RATE_LIMITED_RETRIES + 1):
            await self.budget.before_call(self.workspace, api_method, channel)
            try:
                return await super().api_call(api_method, **kwargs)
            except SlackApiError as exc:
                retry_after = _retry_after(exc)
                if retry_after is None:
                    raise
                await self.budget.paused_by_slack(self.workspace, api_method, channel, retry_after)
                if attempt == MAX_RATE_LIMITED_RETRIES or not fits_deadline(retry_after):
                    raise
        raise AssertionError("unreachable")
