"""A minimal async Bolt app: the baseline `scripts/benchmark.py --compare-minimal` measures the bot against.

On `app_mention` it asks OpenAI's chat completions (streamed, through `AsyncOpenAI`), collects the
answer and posts it once, with chat.postMessage, in the mention's thread. No database, no job queue,
no streaming to Slack, no history. Bolt's `AsyncApp` is served by aiohttp (slack_bolt.adapter.aiohttp)
on POST /slack/events, with GET /readyz answering 200 once listening.

    SLACK_BOT_TOKEN=xoxb-… SLACK_SIGNING_SECRET=… SLACK_API_URL=http://127.0.0.1:PORT/api/ \\
    OPENAI_API_KEY=… OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 python scripts/minimal_bolt_app.py --port 3000

Its only concession to production is slack_sdk's rate-limit retry handler (429s are not retried by
default), as the bot has, so both honour Retry-After the same way.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from aiohttp import web
from openai import AsyncOpenAI
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger("minimal_bolt_app")


def build_bolt() -> AsyncApp:
    client = AsyncWebClient(
        token=os.environ["SLACK_BOT_TOKEN"],
        base_url=os.environ.get("SLACK_API_URL") or "https://slack.com/api/",
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3)],
    )
    bolt = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])
    openai = AsyncOpenAI(api_key=os.environ["OPENAI_API_KEY"], base_url=os.environ.get("OPENAI_BASE_URL"))
    model = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")

    @bolt.event("app_mention")
    async def answer(event: dict[str, Any], client: AsyncWebClient) -> None:
        stream = await openai.chat.completions.create(
            model=model, messages=[{"role": "user", "content": str(event.get("text", ""))}], stream=True
        )
        parts: list[str] = []
        async for chunk in stream:
            parts.extend(choice.delta.content or "" for choice in chunk.choices)
        await client.chat_postMessage(
            channel=event["channel"],
            thread_ts=event.get("thread_ts") or event["ts"],
            text="".join(parts) or "(the model returned an empty answer)",
        )

    return bolt


def build_web_app(bolt: AsyncApp) -> web.Application:
    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def ready(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/slack/events", events)
    app.router.add_get("/readyz", ready)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        web.run_app(build_web_app(build_bolt()), host=args.host, port=args.port, access_log=None, print=None)
    except OSError as e:  # the wording tests/support/bot_process.py retries on
        print(f"cannot listen on {args.host}:{args.port}: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
