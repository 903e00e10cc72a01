"""The aiohttp application: Bolt on /slack/events, plus /healthz, /readyz and /metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

if TYPE_CHECKING:
    from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient

    from bot.process.runtime import Runtime


def build_web_app(
    runtime: Runtime, bolt_app: AsyncApp | None, socket: AsyncBaseSocketModeClient | None = None
) -> web.Application:
    """`bolt_app` is None in Socket Mode: events come over the websocket (`socket`), health stays on
    HTTP, and the bot is ready only while that websocket is connected."""
    app = web.Application(client_max_size=4 * 1024 * 1024)

    async def slack_events(request: web.Request) -> web.Response:
        assert bolt_app is not None
        bolt_response = await bolt_app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_: web.Request) -> web.Response:
        # The ping gives up after 2 s, so this answers quickly whatever the database does.
        checks = {"database": "ok" if await runtime.db.ping() else "unreachable"}
        if socket is not None:
            checks["socket_mode"] = "connected" if await socket.is_connected() else "disconnected"
        if all(value in ("ok", "connected") for value in checks.values()):
            return web.json_response({"status": "ready", **checks})
        return web.json_response({"status": "not ready", **checks}, status=503)

    async def metrics(_: web.Request) -> web.Response:
        response = web.Response(body=runtime.metrics.render())
        response.headers["Content-Type"] = runtime.metrics.content_type
        return response

    if bolt_app is not None:
        app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    return app
