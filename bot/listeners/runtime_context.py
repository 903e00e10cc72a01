"""How a listener reaches the running bot: a middleware puts the Runtime into Bolt's context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.context.async_context import AsyncBoltContext

from bot.process.runtime import Runtime

RUNTIME_KEY = "runtime"


def runtime_of(context: AsyncBoltContext) -> Runtime:
    return context[RUNTIME_KEY]


def attach(runtime: Runtime) -> Callable[..., Awaitable[None]]:
    async def attach_runtime(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        context[RUNTIME_KEY] = runtime
        await next()

    return attach_runtime
