"""`python -m bot serve`: migrate, start workers, listen (HTTP or Socket Mode), drain on SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.config import Settings
from bot.jobs.dispatch import run_job
from bot.process.runtime import Runtime
from bot.transport.bolt_app import build_app
from bot.transport.http_server import build_web_app
from storage.migrate import upgrade

log = logging.getLogger(__name__)

# aiohttp listens with a backlog of 128 by default; a burst of Slack deliveries overflows it.
LISTEN_BACKLOG = 1024


def serve(settings: Settings, *, mode: str, host: str, port: int) -> int:
    # Alembic runs its own event loop: migrate before ours starts.
    upgrade(settings.database_url)
    return asyncio.run(_serve(settings, mode=mode, host=host, port=port))


async def _serve(settings: Settings, *, mode: str, host: str, port: int) -> int:
    runtime = Runtime.build(settings)
    http_mode = mode == "http"
    bolt_app = build_app(runtime, http_mode=http_mode)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    runner = web.AppRunner(build_web_app(runtime, bolt_app if http_mode else None), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, backlog=LISTEN_BACKLOG)
    try:
        await site.start()
    except OSError as exc:
        log.error("cannot listen on %s:%d: %s", host, port, exc.strerror or exc)
        await runner.cleanup()
        await runtime.close()
        return 1
    await runtime.start_workers(run_job)
    socket_handler: AsyncSocketModeHandler | None = None
    if not http_mode:
        assert settings.slack_app_token is not None
        socket_handler = AsyncSocketModeHandler(bolt_app, settings.slack_app_token.get_secret_value())
        await socket_handler.connect_async()
    log.info(
        "bot ready: %s mode, listening on %s:%d (%s)",
        mode,
        host,
        port,
        "events on /slack/events" if http_mode else "events over Socket Mode",
    )

    await stop.wait()
    log.info(
        "stopping: no new work; finishing what is in flight (up to %.0fs)", settings.shutdown_grace_seconds
    )
    if socket_handler is not None:
        await socket_handler.close_async()
    # HTTP keeps recording events while the workers drain, so nothing that arrives is lost.
    await runtime.close(settings.shutdown_grace_seconds)
    await runner.cleanup()
    log.info("stopped")
    return 0
