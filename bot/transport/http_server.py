"""The aiohttp application: Bolt on /slack/events, plus /healthz, /readyz and /metrics."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.payload_utils import (
    to_action,
    to_command,
    to_event,
    to_message,
    to_options,
    to_shortcut,
    to_step,
    to_view,
)
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient

from bot.process.runtime import Runtime

log = logging.getLogger(__name__)

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
# Slack signs with the time of sending; older (or later) than this is a replay (Bolt's window too).
SIGNATURE_MAX_AGE_SECONDS = 5 * 60
# What the listeners read from every slash command; Slack always sends them all.
SLASH_COMMAND_FIELDS = ("command", "team_id", "user_id", "channel_id", "trigger_id")
# Slack's payloads nest a few levels (Block Kit's rich text the most, about 15); this is plenty.
MAX_NESTING = 100


class MalformedRequest(ValueError):
    """A signed body that is not a payload Slack sends: answered 400."""


def describe(error: Exception) -> str:
    if isinstance(error, MalformedRequest):
        return str(error)
    return f"Bolt cannot read it ({type(error).__name__}: {error})"[:300]


def signed_by_slack(secret: str, body: bytes, headers: Mapping[str, str], now: float | None = None) -> bool:
    """Slack's v0 signature over the raw bytes. slack_sdk's SignatureVerifier decodes the body as
    UTF-8 first (and raises on bytes that are not), so a body must pass this before it is read."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    if age > SIGNATURE_MAX_AGE_SECONDS:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


_JSON_KINDS = {list: "a JSON array", str: "a JSON string", int: "a number", float: "a number"}
_JSON_KINDS.update({bool: "true or false", type(None): "null"})


def _nesting(value: Any) -> int:
    """How deep lists and objects nest in a parsed JSON value (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, depth)
            if deepest > MAX_NESTING:
                break
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise MalformedRequest(f"{what} is not JSON ({exc.__class__.__name__})") from None
    if not isinstance(value, dict):
        raise MalformedRequest(f"{what} is {_JSON_KINDS.get(type(value), 'a JSON value')}, not an object")
    if not isinstance(value.get("type"), str):
        raise MalformedRequest(f"{what} has no type")
    if value["type"] == "event_callback" and not (
        isinstance(value.get("event"), dict) and isinstance(value["event"].get("type"), str)
    ):
        raise MalformedRequest("an event_callback whose event is not an object with a type")
    if _nesting(value) > MAX_NESTING:
        raise MalformedRequest(f"{what} nests more than {MAX_NESTING} levels deep")
    return value


def read_slack_body(body: bytes, content_type: str) -> dict[str, Any]:
    """The payload of a signed request to /slack/events, as Slack sends one:
    - `application/json` (events, url_verification): a JSON object with a `type`;
    - `application/x-www-form-urlencoded`: a `payload` field holding such an object (interactivity,
      shortcuts, views), or a slash command's fields, or Slack's `ssl_check`.
    Anything else raises MalformedRequest."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedRequest("the body is not UTF-8") from None
    if content_type == JSON:
        return _json_object(text, "the body")
    if content_type == FORM:
        try:
            fields = dict(parse_qsl(text, keep_blank_values=True, errors="strict"))
        except UnicodeDecodeError:  # a percent-escaped byte sequence that is not UTF-8
            raise MalformedRequest("a form field is not UTF-8") from None
        if "payload" in fields:
            return _json_object(fields["payload"], "the payload field")
        if fields.get("ssl_check") == "1":
            return fields
        if "command" in fields:
            missing = [name for name in SLASH_COMMAND_FIELDS if not fields.get(name)]
            if missing:
                raise MalformedRequest(f"a slash command without {', '.join(missing)}")
            return fields
        raise MalformedRequest("a form that is neither a slash command nor a payload")
    raise MalformedRequest(f"content type {content_type or 'none'!r}")


# Bolt hands every middleware, listener and error handler what these find in the body: a body
# they cannot read (`"actions": []`) would fail even in the error handler, so it goes no further.
BOLT_READERS = (to_options, to_shortcut, to_action, to_view, to_command, to_event, to_message, to_step)


def bolt_request_for(body: bytes, payload: dict[str, Any], request: web.Request) -> AsyncBoltRequest:
    """Bolt's request for a body read_slack_body accepted; raises if Bolt cannot read it."""
    # Bolt would parse the body a second time, and reads any form holding the word "payload" (a
    # slash command's text, say) as an interactivity payload, finding none: it gets the payload
    # read above, and the raw text only for its own signature check.
    bolt_request = AsyncBoltRequest(
        body="",
        query=request.query_string,
        headers=request.headers,  # type: ignore[arg-type]  # a multidict, which Bolt reads as a mapping
    )
    bolt_request.raw_body = body.decode("utf-8")
    bolt_request.body = payload
    bolt_request.context = build_async_context(AsyncBoltContext(), payload)
    for read in BOLT_READERS:
        read(payload)
    return bolt_request


def build_web_app(
    runtime: Runtime, bolt_app: AsyncApp | None, socket: AsyncBaseSocketModeClient | None = None
) -> web.Application:
    """`bolt_app` is None in Socket Mode: events come over the websocket (`socket`), health stays on
    HTTP, and the bot is ready only while that websocket is connected."""
    app = web.Application(client_max_size=4 * 1024 * 1024)

    async def slack_events(request: web.Request) -> web.Response:
        assert bolt_app is not None
        secret = runtime.settings.slack_signing_secret
        assert secret is not None, "HTTP mode requires SLACK_SIGNING_SECRET (checked at start)"
        body = await request.read()
        # The signature first: an unsigned request gets 401 whatever it holds, and is not read.
        if not signed_by_slack(secret.get_secret_value(), body, request.headers):
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            payload = read_slack_body(body, request.content_type)
            bolt_request = bolt_request_for(body, payload, request)
        except Exception as exc:  # MalformedRequest, or fields Bolt cannot read (a number for a list)
            log.warning("refused a request Slack never sends (%s): %s", request.content_type, describe(exc))
            return web.json_response({"error": "malformed request"}, status=400)
        bolt_response = await bolt_app.async_dispatch(bolt_request)
        if bolt_response.status == 404:
            # Bolt's "unhandled request": a well-formed payload no listener takes. Slack would retry
            # it and count the failures against the app; it is received, and nothing is done.
            return web.Response(status=200)
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
    # --- many workspaces (issue 14): the install page and the OAuth callback ---
    flow = bolt_app.oauth_flow if bolt_app is not None else None
    if flow is not None:

        async def oauth(request: web.Request) -> web.Response:
            assert flow is not None
            bolt_request = AsyncBoltRequest(
                body="",
                query=request.query_string,
                headers=request.headers,  # type: ignore[arg-type]  # a multidict, read as a mapping
            )
            if request.path == flow.install_path:
                return await to_aiohttp_response(await flow.handle_installation(bolt_request))
            return await to_aiohttp_response(await flow.handle_callback(bolt_request))

        app.router.add_get(flow.install_path, oauth)
        app.router.add_get(flow.redirect_uri_path, oauth)
    # --- end many workspaces ---
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    return app
