"""Requests Slack never sends: signed but malformed bodies get 4xx (or 200 when well-formed and
unhandled), never 5xx, with one warning and no traceback; odd characters are cleaned, not fatal."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import sqlalchemy.exc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.transport.http_server import FORM, JSON, MalformedRequest, read_slack_body, signed_by_slack
from storage.db import is_database_error
from tests.fakes.openai_api import ChatReply, FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess
from tests.support.signing import SIGNING_SECRET, signed_headers

REFUSED = "refused a request Slack never sends"
IGNORED = "ignored a Slack request that could not be read"


def event_body(event: dict[str, Any]) -> bytes:
    return json.dumps(payloads.event_callback(event)).encode()


def mention_without(field: str) -> dict[str, Any]:
    event = payloads.mention("hello")
    del event[field]
    return event


def mention_with(**fields: Any) -> dict[str, Any]:
    return {**payloads.mention("hello"), **fields}


def form(**fields: str) -> bytes:
    return urlencode(fields).encode()


# (what, body, content type, the answer)
CORPUS: list[tuple[str, bytes, str, int]] = [
    ("invalid JSON", b'{"type": "event_callback",', JSON, 400),
    ("a JSON array", b"[]", JSON, 400),
    ("JSON null", b"null", JSON, 400),
    ("a JSON string", b'"a string"', JSON, 400),
    ("a number", b"42", JSON, 400),
    ("bytes that are not UTF-8", b'{"type": "\xff\xfe"}', JSON, 400),
    ("an empty body", b"", JSON, 400),
    ("an object without a type", b'{"event": {}}', JSON, 400),
    ("an event that is a string", b'{"type":"event_callback","event":"a string"}', JSON, 400),
    ("an event without a type", b'{"type":"event_callback","event":{}}', JSON, 400),
    (
        "authorizations Bolt cannot read",
        b'{"type":"event_callback","event":{"type":"x"},"authorizations":5}',
        JSON,
        400,
    ),
    ("JSON nested past any parser", b"[" * 100_000, JSON, 400),
    ("an object nested 500 deep", b'{"type":"x","a":' + b"[" * 500 + b"]" * 500 + b"}", JSON, 400),
    ("block actions without actions", form(payload='{"type":"block_actions","actions":[]}'), FORM, 400),
    ("block actions that are null", form(payload='{"type":"block_actions","actions":null}'), FORM, 400),
    ("a payload that is an array", form(payload="[1]"), FORM, 400),
    ("a payload that is null", form(payload="null"), FORM, 400),
    ("a payload that is not JSON", form(payload="{not json"), FORM, 400),
    ("a form payload that is not UTF-8", b"payload=%7B%22type%22%3A%22%FF%22%7D", FORM, 400),
    ("a slash command with only its name", form(command="/ask"), FORM, 400),
    ("a form that is neither", form(hello="world"), FORM, 400),
    ("JSON sent as text/plain", event_body(payloads.mention("hi")), "text/plain", 400),
    ("no content type", event_body(payloads.mention("hi")), "", 400),
    # Well-formed envelopes: received, and nothing is done.
    ("an app_mention without a channel", event_body(mention_without("channel")), JSON, 200),
    ("an app_mention whose text is a number", event_body(mention_with(text=42)), JSON, 200),
    (
        "a message whose user is an object",
        event_body(payloads.message("hi", user=None) | {"user": {}}),
        JSON,
        200,
    ),
    ("an event we do not subscribe to", event_body({"type": "reaction_added", "user": "U1"}), JSON, 200),
    (
        "app_rate_limited",
        b'{"type":"app_rate_limited","team_id":"T0TEST","minute_rate_limited":1}',
        JSON,
        200,
    ),
    ("an interaction nobody handles", form(payload='{"type":"block_suggestion"}'), FORM, 200),
    ("a shortcut nobody handles", form(payload='{"type":"shortcut","callback_id":"nobody"}'), FORM, 200),
]


async def test_malformed_bodies_get_4xx_never_5xx_and_the_bot_carries_on(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    answers = {what: (await bot.post(body, content_type))[0] for what, body, content_type, _ in CORPUS}

    assert answers == {what: expected for what, _, _, expected in CORPUS}
    await asyncio.sleep(0.5)  # room for a job, were one recorded
    assert openai_api.requests_to("/v1/chat/completions") == []
    assert [c.method for c in slack.calls if c.method != "auth.test"] == []

    # Each refusal is one warning line; nothing is a traceback.
    refused = [line for line in bot.output if REFUSED in line]
    assert len(refused) == sum(expected == 400 for *_, expected in CORPUS)
    assert all(" WARNING " in line for line in refused)
    assert [line for line in bot.output if IGNORED in line and " WARNING " in line]
    assert "Traceback" not in bot.log

    # And the bot still answers a mention.
    openai_api.queue_chat(ChatReply(chunks=["Still ", "here."]))
    event = payloads.mention("are you still there?")
    assert (await bot.send_event(payloads.event_callback(event)))[0] == 200
    [answer] = await slack.wait_thread_messages("C0CHAN", event["ts"])
    assert answer.visible_text == "Still here."
    assert "Traceback" not in bot.log


async def test_a_bad_signature_on_a_malformed_body_is_still_401(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    for _, body, content_type, _ in CORPUS:
        assert (await bot.post(body, content_type, secret="not-the-secret"))[0] == 401
        assert (await bot.post(body, content_type, signed=False))[0] == 401
        assert (await bot.post(body, content_type, timestamp=int(time.time()) - 6 * 60))[0] == 401
    await asyncio.sleep(0.3)
    assert REFUSED not in bot.log and IGNORED not in bot.log  # the body was not even read
    assert openai_api.requests_to("/v1/chat/completions") == []
    assert [c.method for c in slack.calls if c.method != "auth.test"] == []
    assert "Traceback" not in bot.log


async def test_nul_and_lone_surrogates_in_a_mention_are_cleaned_and_it_is_answered(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    event = payloads.mention("MARK")
    # As Slack's JSON may carry them: escapes (Python cannot encode a lone surrogate to UTF-8).
    raw = json.dumps(payloads.event_callback(event)).replace("MARK", r"nul\u0000byte and \ud800 alone")
    assert "\\u0000" in raw and "\\ud800" in raw
    openai_api.queue_chat(ChatReply(chunks=["Cleaned."]))

    status, _ = await bot.post(raw.encode(), JSON)

    assert status == 200
    [answer] = await slack.wait_thread_messages("C0CHAN", event["ts"])
    assert answer.visible_text == "Cleaned."
    [request] = openai_api.requests_to("/v1/chat/completions")
    assert request.json is not None
    assert request.json["messages"][-1]["content"] == "nulbyte and \ufffd alone"
    assert "Traceback" not in bot.log


async def test_over_socket_mode_the_same_cleaning_applies(
    start_bot: Any, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    await start_bot("serve", SLACK_APP_TOKEN=slack.app_token, SLACK_SIGNING_SECRET="")
    await slack.wait_socket_connected(timeout=20)
    event = payloads.mention("over\x00 the \udfff socket")  # sent as JSON escapes by the fake

    await slack.wait_ack(await slack.send_event(event))

    [answer] = await slack.wait_thread_messages("C0CHAN", event["ts"])
    assert answer.visible_text == "Echo: over the \ufffd socket"


async def test_a_slash_command_mentioning_payload_is_answered(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    # Bolt reads any form holding the word "payload" as an interactivity payload and finds none.
    status, _ = await bot.send_form(payloads.slash_command("/ask", "what is a payload?"))

    assert status == 200
    await openai_api.wait_for("/v1/chat/completions")
    assert openai_api.chat_bodies()[0]["messages"][-1]["content"] == "what is a payload?"


# ------------------------------------------------------------------ random bodies, one bot

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=12)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | ANY_TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(ANY_TEXT, children, max_size=3),
    max_leaves=10,
)
SLACK_TYPES = ["event_callback", "url_verification", "block_actions", "view_submission", "shortcut"]
SLACK_TYPES += ["message_action", "app_rate_limited", "block_suggestion", "view_closed"]
EVENT_TYPES = ["app_mention", "message", "app_home_opened", "assistant_thread_started", "reaction_added"]
EVENT_FIELDS = ["channel", "user", "text", "ts", "thread_ts", "files", "bot_id", "subtype", "channel_type"]
BODY_FIELDS = ["team_id", "authorizations", "challenge", "view", "user", "callback_id", "message", "team"]
BODY_FIELDS += ["channel", "actions", "enterprise", "is_enterprise_install", "api_app_id", "trigger_id"]
# Shaped like Slack's payloads, every field of any JSON type: this reaches the listeners.
SLACK_SHAPED = st.fixed_dictionaries(
    {"type": st.sampled_from(SLACK_TYPES)},
    optional={
        "event": st.fixed_dictionaries(
            {"type": st.sampled_from(EVENT_TYPES)}, optional=dict.fromkeys(EVENT_FIELDS, JSON_VALUES)
        ),
        **dict.fromkeys(BODY_FIELDS, JSON_VALUES),
    },
)
FORM_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
SLASH_COMMANDS = st.fixed_dictionaries(
    {"command": st.sampled_from(["/ask", "/image", "/speech", "/vision", "/assistant", "/unknown"])},
    optional=dict.fromkeys(["team_id", "user_id", "channel_id", "trigger_id", "text"], FORM_TEXT),
)
RANDOM_REQUESTS = st.one_of(
    JSON_VALUES.map(lambda value: (json.dumps(value).encode(), JSON)),
    SLACK_SHAPED.map(lambda value: (json.dumps(value).encode(), JSON)),
    st.one_of(JSON_VALUES, SLACK_SHAPED).map(lambda value: (form(payload=json.dumps(value)), FORM)),
    SLASH_COMMANDS.map(lambda fields: (form(**fields), FORM)),
    st.binary(max_size=40).map(lambda raw: (raw, JSON)),
)


@settings(
    max_examples=50,
    deadline=None,
    database=None,
    # One bot for all examples, deliberately: it must survive them all.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(request=RANDOM_REQUESTS)
async def test_random_signed_bodies_never_get_a_5xx(bot: BotProcess, request: tuple[bytes, str]) -> None:
    body, content_type = request
    status, _ = await bot.post(body, content_type)
    assert status < 500, (body, content_type, bot.log[-2000:])


# ------------------------------------------------------------------ the pieces, on their own


BOLT_REFUSES = {"authorizations Bolt cannot read", "block actions without actions"}
BOLT_REFUSES |= {"block actions that are null"}


@pytest.mark.parametrize(("what", "body", "content_type", "expected"), CORPUS, ids=[c[0] for c in CORPUS])
def test_read_slack_body_refuses_exactly_what_slack_never_sends(
    what: str, body: bytes, content_type: str, expected: int
) -> None:
    if expected == 200 or what in BOLT_REFUSES:
        assert isinstance(read_slack_body(body, content_type), dict)
    else:
        with pytest.raises(MalformedRequest):
            read_slack_body(body, content_type)


def test_read_slack_body_reads_what_slack_sends() -> None:
    command = payloads.slash_command("/ask", "what is a payload?")
    assert read_slack_body(form(**command), FORM) == command
    shortcut = payloads.message_shortcut("read_aloud", payloads.message("hi"))
    assert read_slack_body(form(payload=json.dumps(shortcut)), FORM) == shortcut
    assert read_slack_body(form(ssl_check="1", token="t"), FORM) == {"ssl_check": "1", "token": "t"}
    assert read_slack_body(b'{"type":"url_verification","challenge":"c"}', JSON)["challenge"] == "c"
    deep_rich_text: dict[str, Any] = {"type": "text", "text": "hi"}
    for _ in range(12):
        deep_rich_text = {"type": "rich_text_section", "elements": [deep_rich_text]}
    mention = payloads.mention("hi") | {"blocks": [deep_rich_text]}
    assert read_slack_body(event_body(mention), JSON)["event"]["blocks"] == [deep_rich_text]


def test_the_signature_is_checked_over_the_raw_bytes() -> None:
    body = b"\xff\xfe not utf-8"
    headers = signed_headers(body)
    assert signed_by_slack(SIGNING_SECRET, body, headers)
    assert not signed_by_slack("another-secret", body, headers)
    assert not signed_by_slack(SIGNING_SECRET, body + b"!", headers)
    assert not signed_by_slack(SIGNING_SECRET, body, {**headers, "X-Slack-Request-Timestamp": "soon"})
    assert not signed_by_slack(SIGNING_SECRET, body, {**headers, "X-Slack-Signature": "v0=é"})
    assert not signed_by_slack(SIGNING_SECRET, body, {})
    assert not signed_by_slack(SIGNING_SECRET, body, headers, now=time.time() + 6 * 60)


def test_database_errors_are_told_apart_from_bad_fields() -> None:
    operational = sqlalchemy.exc.OperationalError("INSERT", {}, Exception("database is locked"))
    assert is_database_error(operational)
    assert is_database_error(sqlalchemy.exc.DBAPIError("SELECT", {}, Exception("gone")))
    assert is_database_error(ConnectionRefusedError("connect"))
    assert is_database_error(TimeoutError())
    try:
        try:
            raise operational
        except sqlalchemy.exc.OperationalError as exc:
            raise RuntimeError("could not record the job") from exc
    except RuntimeError as wrapped:
        assert is_database_error(wrapped)
    for bad_field in (
        KeyError("channel"),
        TypeError("expected string"),
        AttributeError("get"),
        ValueError("x"),
    ):
        assert not is_database_error(bad_field)


def break_the_database(path: Path) -> None:
    """The jobs table gone: every connection, pooled or new, fails to record a job (a header
    overwritten is not enough: a connection opened before goes on with the pages it has)."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("DROP TABLE jobs")
        connection.commit()


async def test_when_the_database_is_down_a_mention_still_gets_500_so_slack_retries(
    bot: BotProcess, db_url: str, slack: FakeSlack
) -> None:
    # The job cannot be recorded: that is the bot's failure, not the request's. Slack must retry.
    break_the_database(Path(db_url.removeprefix("sqlite+aiosqlite:///")))

    status, _ = await bot.send_event(payloads.event_callback(payloads.mention("is anyone there?")))

    assert status == 500
    await slack.wait_until(
        lambda: "could not record a Slack request (event_callback/app_mention)" in bot.log,
        what="the error logged",
    )
    assert IGNORED not in bot.log
