"""The client a listener gets (`client`) counts its calls in the workspace's rate budget.

Bolt builds a plain AsyncWebClient per request from the app's client, outside the budget the
workers keep. This global middleware, run once the request is authorized, swaps in the app's
BudgetedWebClient for the request's token, counted as the workspace the workers count it as:
a burst of modals opened shares Tier 4 with the workers' views calls, and a 429 pauses the method
for the whole workspace (bot/rate_limits/client.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.process.runtime import Runtime
from bot.rate_limits.client import BudgetedWebClient

Next = Callable[[], Awaitable[BoltResponse | None]]
Middleware = Callable[[AsyncBoltRequest, BoltResponse, Next], Awaitable[BoltResponse | None]]


def budgeted_request_client(runtime: Runtime) -> Middleware:
    # One client per (token, workspace), made once: every event passes here, and a client holds
    # nothing of a request (Bolt only sets a token on its own per-request client, before this).
    made: dict[tuple[str, str], BudgetedWebClient] = {}

    async def middleware(req: AsyncBoltRequest, resp: BoltResponse, next: Next) -> BoltResponse | None:
        context, app_client = req.context, runtime.slack
        token = context.bot_token or context.token
        if token and isinstance(app_client, BudgetedWebClient):
            # One workspace: the name the app's own client has. Many: the team, as the workers'.
            workspace = app_client.workspace
            if runtime.workspaces is not None:
                workspace = context.team_id or context.enterprise_id or ""
            if token == app_client.token and workspace == app_client.workspace:
                context["client"] = app_client
            else:
                known = made.get((token, workspace))
                if known is None:
                    known = made[(token, workspace)] = app_client.with_token(token, workspace)
                context["client"] = known
        return await next()

    return middleware
