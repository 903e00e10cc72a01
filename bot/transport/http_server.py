"""The aiohttp application: Bolt on /slack/events, plus /healthz, /readyz and /metrics."""

from __future__ import annotations

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.process.runtime import Runtime


def build_web_app(runtime: Runtime, bolt_app: AsyncApp | None) -> web.Application:
    """`bolt_app` is None in Socket Mode: events come over the websocket, health stays on HTTP."""
    app = web.Application(client_max_size=4 * 1024 * 1024)

    async def slack_events(request: web.Request) -> web.Response:
        assert bolt_app is not None
        bolt_response = await bolt_app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_: web.Request) -> web.Response:
        if await runtime.db.ping():
            return web.json_response({"status": "ready", "database": "ok"})
        return web.json_response({"status": "not ready", "database": "unreachable"}, status=503)

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
