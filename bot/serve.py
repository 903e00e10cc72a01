"""`python -m bot serve`: migrate, start workers, listen (HTTP or Socket Mode), drain on SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

try:  # the faster event loop, where it installs (not on Windows)
    from uvloop import new_event_loop as fast_event_loop
except ImportError:  # pragma: no cover - platform without uvloop
    fast_event_loop = None  # type: ignore[assignment]
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.socket_mode.aiohttp import SocketModeClient

from bot.config import Settings
from bot.jobs.dispatch import run_job
from bot.process.runtime import Runtime
from bot.transport.bolt_app import build_app
from bot.transport.http_server import build_web_app
from storage.migrate import upgrade

log = logging.getLogger(__name__)

# aiohttp listens with a backlog of 128 by default; a burst of Slack deliveries overflows it.
LISTEN_BACKLOG = 1024
# Socket Mode: slack_sdk pings at this interval, and checks as often whether the websocket is
# still open (reconnecting when it is not, or when no pong came for four intervals). Bolt's
# default is 10 s; a cut connection is noticed and replaced within about this long.
SOCKET_PING_SECONDS = 5.0
# Longest wait between two fresh Socket Mode URLs while the websocket stays down.
SOCKET_URL_RETRY_MAX_SECONDS = 60.0


def serve(settings: Settings, *, mode: str, host: str, port: int) -> int:
    # Alembic runs its own event loop: migrate before ours starts.
    upgrade(settings.database_url)
    with asyncio.Runner(loop_factory=fast_event_loop) as runner:
        return runner.run(_serve(settings, mode=mode, host=host, port=port))


async def _serve(settings: Settings, *, mode: str, host: str, port: int) -> int:
    runtime = Runtime.build(settings)
    # The model list (with shutdown dates) is read before serving: a default model that is shut
    # down is replaced from the first request on, and the modals list the models at once.
    await runtime.models.start(wait_seconds=5.0)
    http_mode = mode == "http"
    bolt_app = build_app(runtime, http_mode=http_mode)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    socket_handler: AsyncSocketModeHandler | None = None
    if not http_mode:
        assert settings.slack_app_token is not None
        # Reconnects by itself: on a close frame, a `disconnect` message, or a connection found
        # closed or silent; /readyz answers 503 until it is connected again.
        socket_handler = AsyncSocketModeHandler(
            bolt_app, settings.slack_app_token.get_secret_value(), ping_interval=SOCKET_PING_SECONDS
        )
    web_app = build_web_app(
        runtime,
        bolt_app if http_mode else None,
        socket=socket_handler.client if socket_handler is not None else None,
    )
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, backlog=LISTEN_BACKLOG)
    try:
        await site.start()
    except OSError as exc:
        log.error("cannot listen on %s:%d: %s", host, port, exc.strerror or exc)
        if socket_handler is not None:
            await socket_handler.close_async()
        await runner.cleanup()
        await runtime.close()
        return 1
    await runtime.start_workers(run_job)
    socket_watch: asyncio.Task[None] | None = None
    if socket_handler is not None:
        await socket_handler.connect_async()
        socket_watch = asyncio.create_task(fresh_url_while_down(socket_handler.client), name="socket-watch")
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
    if socket_watch is not None:
        socket_watch.cancel()
    if socket_handler is not None:
        await socket_handler.close_async()
    # HTTP keeps recording events while the workers drain, so nothing that arrives is lost.
    await runtime.close(settings.shutdown_grace_seconds)
    await runner.cleanup()
    log.info("stopped")
    return 0


async def fresh_url_while_down(client: SocketModeClient) -> None:
    """slack_sdk reconnects by itself, but when opening the websocket fails it tries the same URL
    again for ever (slack_sdk 3.48), and Slack's URLs are temporary: the bot would never come back.
    While the websocket stays down, forget the URL, so the next attempt asks apps.connections.open
    for a fresh one; less and less often (5 s, 10 s, ... 60 s), not to hammer Slack."""
    delay, was_down = SOCKET_PING_SECONDS, False
    while not client.closed:
        await asyncio.sleep(delay)
        if await client.is_connected():
            delay, was_down = SOCKET_PING_SECONDS, False
            continue
        if was_down:  # slack_sdk had its chance to reconnect since the last look
            log.info("the Socket Mode websocket is still down; the next attempt gets a fresh URL")
            client.wss_uri = None
            delay = min(delay * 2, SOCKET_URL_RETRY_MAX_SECONDS)
        was_down = True
