"""Self-tests of the fake Slack and OpenAI servers, driven by the real client libraries."""

from __future__ import annotations

import asyncio
import base64
import json
from collections import Counter
from collections.abc import AsyncIterator

import aiohttp
import openai
import pytest
from openai import AsyncOpenAI
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.openai_api import TINY_PNG, ChatReply, ErrorReply, FakeOpenAI, Hang
from tests.fakes.slack_api import TIER_3, FakeSlack, Tier

THREAD = "1700000000.000100"


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def fake_openai() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as fake:
        yield fake


def web_client(slack: FakeSlack, token: str | None = None) -> AsyncWebClient:
    return AsyncWebClient(base_url=slack.url, token=token or slack.bot_token)


def openai_client(fake: FakeOpenAI, **kwargs: object) -> AsyncOpenAI:
    kwargs.setdefault("max_retries", 0)
    kwargs.setdefault("timeout", 5.0)
    return AsyncOpenAI(base_url=fake.url, api_key=fake.api_key, **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- Slack: Web API


async def test_auth_test_returns_identity_and_scope_header(slack: FakeSlack) -> None:
    resp = await web_client(slack).auth_test()
    assert resp["user_id"] == "UBOT"
    assert resp["bot_id"] == "B0BOT"
    assert resp["team_id"] == "T0TEST"
    assert "assistant:write" in resp.headers["x-oauth-scopes"]
    call = slack.calls_to("auth.test")[0]
    assert call.token == slack.bot_token
    assert call.headers["authorization"] == f"Bearer {slack.bot_token}"

    with pytest.raises(SlackApiError) as err:
        await web_client(slack, token="xoxb-wrong").auth_test()
    assert err.value.response["error"] == "invalid_auth"


async def test_unknown_method_and_app_token_only_for_socket_urls(slack: FakeSlack) -> None:
    client = web_client(slack)
    with pytest.raises(SlackApiError) as err:
        await client.api_call("emoji.list")
    assert err.value.response["error"] == "unknown_method"
    with pytest.raises(SlackApiError) as err:
        await client.apps_connections_open(app_token=slack.bot_token)
    assert err.value.response["error"] == "invalid_auth"
    opened = await client.apps_connections_open(app_token=slack.app_token)
    assert opened["url"].startswith(f"ws://127.0.0.1:{slack.port}/socket-mode/link")


async def test_post_message_and_update_are_recorded(slack: FakeSlack) -> None:
    client = web_client(slack)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    posted = await client.chat_postMessage(channel="C1", thread_ts=THREAD, text="hi", blocks=blocks)
    ts = posted["ts"]
    assert ts.startswith("1700000100.")
    await client.chat_update(channel="C1", ts=ts, text="hello again")

    call = slack.calls_to("chat.postMessage")[0]
    assert call.args["blocks"] == blocks  # decoded, not a JSON string
    msg = slack.message("C1", ts)
    assert msg.visible_text == "hello again"
    assert msg.blocks == blocks  # kept: chat.update without blocks keeps them
    assert msg.updates == [{"text": "hello again", "markdown_text": None, "blocks": blocks}]
    assert slack.thread_messages("C1", THREAD) == [msg]

    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C1", text="x", markdown_text="**x**")
    assert err.value.response["error"] == "markdown_text_conflict"
    second = await client.chat_postMessage(channel="C1", thread_ts=THREAD, markdown_text="**x**")
    assert second["ts"] > ts


async def test_form_encoded_args_are_decoded(slack: FakeSlack) -> None:
    client = web_client(slack)
    await client.assistant_threads_setStatus(
        channel_id="D1", thread_ts=THREAD, status="is thinking...", loading_messages=["a", "b"]
    )
    await client.views_open(
        trigger_id="123.456", view={"type": "modal", "title": {"type": "plain_text", "text": "T"}}
    )
    assert slack.calls_to("assistant.threads.setStatus")[0].args["loading_messages"] == ["a", "b"]
    assert slack.status_updates("D1", THREAD) == ["is thinking..."]
    view_call = slack.calls_to("views.open")[0]
    assert view_call.args["view"]["type"] == "modal"


async def test_chat_stream_makes_one_message(slack: FakeSlack) -> None:
    client = web_client(slack)
    stream = await client.chat_stream(
        channel="C1", thread_ts=THREAD, recipient_user_id="U1", recipient_team_id="T0TEST", buffer_size=6
    )
    parts = ["Hello", ", streaming", " world", "!"]
    for part in parts:
        await stream.append(markdown_text=part)
    assert stream.ts is not None
    assert slack.message("C1", stream.ts).streaming
    await stream.stop()

    replies = slack.thread_messages("C1", THREAD)
    assert len(replies) == 1
    assert replies[0].ts == stream.ts
    assert replies[0].visible_text == "".join(parts)
    assert not replies[0].streaming
    assert [c.method for c in slack.calls] == ["chat.startStream", "chat.appendStream", "chat.stopStream"]


async def test_stream_rules(slack: FakeSlack) -> None:
    client = web_client(slack)
    with pytest.raises(SlackApiError) as err:
        await client.chat_startStream(channel="C1", thread_ts=THREAD, markdown_text="x")
    assert err.value.response["error"] == "missing_recipient_user_id"

    slack.refuse_streaming = True
    with pytest.raises(SlackApiError) as err:
        await client.chat_startStream(channel="D1", thread_ts=THREAD, markdown_text="x")
    assert err.value.response["error"] == slack.streaming_refusal_error
    assert slack.thread_messages("D1", THREAD) == []


async def test_streams_expire_after_n_appends(slack: FakeSlack) -> None:
    slack.expire_streams_after_appends = 1
    client = web_client(slack)
    started = await client.chat_startStream(channel="D1", thread_ts=THREAD, markdown_text="a")
    ts = started["ts"]
    with pytest.raises(SlackApiError) as err:
        await client.chat_update(channel="D1", ts=ts, markdown_text="no")
    assert err.value.response["error"] == "streaming_state_conflict"
    await client.chat_appendStream(channel="D1", ts=ts, markdown_text="b")
    with pytest.raises(SlackApiError) as err:
        await client.chat_appendStream(channel="D1", ts=ts, markdown_text="c")
    assert err.value.response["error"] == "message_not_in_streaming_state"
    await client.chat_update(channel="D1", ts=ts, markdown_text="abc")
    assert slack.message("D1", ts).visible_text == "abc"


async def test_fail_next_ratelimit_is_retried_by_the_sdk_handler(slack: FakeSlack) -> None:
    # Retry-After: 0 -> the real handler sleeps 0-1 s (it adds random jitter).
    slack.fail_next("chat.postMessage", error="ratelimited", status=429)
    client = AsyncWebClient(
        base_url=slack.url,
        token=slack.bot_token,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    await client.chat_postMessage(channel="C1", text="after retry")
    assert len(slack.calls_to("chat.postMessage")) == 2
    assert len(slack.bot_messages("C1")) == 1


async def test_conversations_replies_paginates(slack: FakeSlack) -> None:
    slack.add_message("C1", THREAD, "root question", "U1")
    slack.add_message("C1", "1700000000.000200", "follow-up", "U1", thread_ts=THREAD)
    client = web_client(slack)
    await client.chat_postMessage(channel="C1", thread_ts=THREAD, text="bot answer")
    first = await client.conversations_replies(channel="C1", ts=THREAD, limit=2)
    assert [m["text"] for m in first["messages"]] == ["root question", "follow-up"]
    assert first["has_more"] is True
    cursor = first["response_metadata"]["next_cursor"]
    second = await client.conversations_replies(channel="C1", ts=THREAD, limit=2, cursor=cursor)
    assert [m["text"] for m in second["messages"]] == ["bot answer"]
    assert second["messages"][0]["bot_id"] == "B0BOT"
    assert second["response_metadata"]["next_cursor"] == ""


async def test_users_info_default_and_custom(slack: FakeSlack) -> None:
    slack.add_user("U2", real_name="Ada Lovelace", display_name="ada", tz="Europe/London")
    client = web_client(slack)
    default = (await client.users_info(user="U1ABC"))["user"]
    assert default["name"] == "u1abc"
    assert default["tz"] == "UTC"
    custom = (await client.users_info(user="U2"))["user"]
    assert custom["real_name"] == "Ada Lovelace"
    assert custom["profile"]["display_name"] == "ada"


# --------------------------------------------------------------------------- Slack: files


async def test_files_upload_v2_two_files_in_one_message(slack: FakeSlack) -> None:
    client = web_client(slack)
    png = TINY_PNG
    text = "h\u00e9llo\n".encode()
    result = await client.files_upload_v2(
        file_uploads=[
            {"content": png, "filename": "image.png", "title": "An image"},
            {"content": text, "filename": "notes.txt"},
        ],
        channel="C1",
        thread_ts=THREAD,
        initial_comment="two files",
    )
    assert len(result["files"]) == 2
    assert [u.content for u in slack.uploads] == [png, text]
    assert [u.title for u in slack.uploads] == ["An image", "notes.txt"]
    assert all(u.channel == "C1" and u.thread_ts == THREAD for u in slack.uploads)
    assert len(slack.upload_batches) == 1 and len(slack.upload_batches[0]) == 2
    (share,) = slack.thread_messages("C1", THREAD)
    assert share.visible_text == "two files"
    assert [f["name"] for f in share.files] == ["image.png", "notes.txt"]
    assert slack.file_content(slack.uploads[0].file_id) == png


async def test_file_download_needs_the_bot_token(slack: FakeSlack) -> None:
    content = b"\x00\x01audio-bytes"
    file = slack.add_file(content, "clip.mp4", "audio/mp4", "mp4", subtype="slack_audio")
    locked = slack.add_file(b"secret", "x.txt", "text/plain", "text", login_page=True)
    url = file["url_private_download"]
    assert url.startswith(f"{slack.base}/files-pri/T0TEST-")
    async with aiohttp.ClientSession() as http:
        async with http.get(url, headers={"Authorization": f"Bearer {slack.bot_token}"}) as resp:
            assert resp.status == 200
            assert resp.content_type == "audio/mp4"
            assert await resp.read() == content
        async with http.get(url) as resp:
            assert resp.status == 200
            assert resp.content_type == "text/html"
            assert "Sign in" in await resp.text()
        async with http.get(
            locked["url_private"], headers={"Authorization": f"Bearer {slack.bot_token}"}
        ) as resp:
            assert resp.content_type == "text/html"
    assert [d.served for d in slack.downloads] == ["file", "login_page", "login_page"]
    assert slack.downloads[0].token == slack.bot_token
    info = await web_client(slack).files_info(file=file["id"])
    assert info["file"]["subtype"] == "slack_audio"


# --------------------------------------------------------------------------- Slack: Socket Mode


async def test_socket_mode_envelope_is_acked(slack: FakeSlack) -> None:
    client = SocketModeClient(
        app_token=slack.app_token, web_client=web_client(slack), auto_reconnect_enabled=False
    )
    received: list[SocketModeRequest] = []

    async def listener(c: AsyncBaseSocketModeClient, req: SocketModeRequest) -> None:
        received.append(req)
        await c.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id, payload={"ok": 1}))

    client.socket_mode_request_listeners.append(listener)
    try:
        await client.connect()
        await slack.wait_socket_connected(timeout=5)
        event = {"type": "app_mention", "user": "U1", "text": "<@UBOT> hi", "ts": THREAD, "channel": "C1"}
        envelope_id = await slack.send_event(event)
        ack = await slack.wait_ack(envelope_id, timeout=5)
        assert ack == {"envelope_id": envelope_id, "payload": {"ok": 1}}
        assert received[0].type == "events_api"
        assert received[0].payload["event"]["text"] == "<@UBOT> hi"
        assert slack.calls_to("apps.connections.open")[0].token == slack.app_token
    finally:
        await client.close()


async def test_bolt_socket_mode_handler_round_trip(slack: FakeSlack) -> None:
    app = AsyncApp(client=AsyncWebClient(token=slack.bot_token, base_url=slack.url))

    @app.event("app_mention")
    async def on_mention(event: dict[str, str], client: AsyncWebClient) -> None:
        stream = await client.chat_stream(
            channel=event["channel"],
            thread_ts=event["ts"],
            recipient_user_id=event["user"],
            recipient_team_id=slack.team_id,
        )
        await stream.append(markdown_text="hello ")
        await stream.stop(markdown_text="world")

    handler = AsyncSocketModeHandler(app, slack.app_token)
    await handler.connect_async()
    try:
        await slack.wait_socket_connected(timeout=5)
        event = {"type": "app_mention", "user": "U1", "text": "<@UBOT> hi", "ts": THREAD, "channel": "C1"}
        envelope_id = await slack.send_event(event)
        assert await slack.wait_ack(envelope_id, timeout=5) == {"envelope_id": envelope_id}
        (reply,) = await slack.wait_thread_messages("C1", THREAD, timeout=5)
        assert reply.visible_text == "hello world"
        assert slack.calls_to("auth.test")  # Bolt's single-workspace authorization
    finally:
        await handler.close_async()


# --------------------------------------------------------------------------- OpenAI


async def test_streaming_chat_yields_scripted_text_and_usage(fake_openai: FakeOpenAI) -> None:
    usage = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
    fake_openai.queue_chat(ChatReply(text="Hello there, streaming world!", usage=usage))
    client = openai_client(fake_openai)
    stream = await client.chat.completions.create(
        model="gpt-6-luna",
        messages=[{"role": "user", "content": "hi"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    text, final_usage, finish = "", None, None
    async for chunk in stream:
        if chunk.usage is not None:
            final_usage = chunk.usage
        for choice in chunk.choices:
            text += choice.delta.content or ""
            finish = choice.finish_reason or finish
    await client.close()
    assert text == "Hello there, streaming world!"
    assert finish == "stop"
    assert final_usage is not None and final_usage.total_tokens == 18
    body = fake_openai.chat_bodies()[0]
    assert body["stream"] is True and body["model"] == "gpt-6-luna"
    assert fake_openai.requests[0].headers["authorization"] == f"Bearer {fake_openai.api_key}"


async def test_default_reply_echoes_last_user_text(fake_openai: FakeOpenAI) -> None:
    client = openai_client(fake_openai)
    parts = [{"type": "text", "text": "What is"}, {"type": "image_url", "image_url": {"url": "data:,"}}]
    resp = await client.chat.completions.create(
        model="gpt-6-luna",
        messages=[{"role": "system", "content": "be nice"}, {"role": "user", "content": parts}],
    )
    assert resp.choices[0].message.content == "Echo: What is"
    assert resp.usage is not None and resp.usage.total_tokens > 0
    two = await client.chat.completions.create(
        model="gpt-6-luna", messages=[{"role": "user", "content": "x"}], n=2
    )
    assert [c.message.content for c in two.choices] == ["Echo: x (choice 1)", "Echo: x (choice 2)"]
    await client.close()


async def test_tool_calls_streamed(fake_openai: FakeOpenAI) -> None:
    args = json.dumps({"city": "Paris", "unit": "celsius"})
    fake_openai.queue_chat(ChatReply(tool_calls=[{"name": "get_weather", "arguments": args}]))
    client = openai_client(fake_openai)
    stream = await client.chat.completions.create(
        model="gpt-6-luna", messages=[{"role": "user", "content": "weather?"}], stream=True
    )
    name, arguments, finish = "", "", None
    async for chunk in stream:
        for choice in chunk.choices:
            for tc in choice.delta.tool_calls or []:
                name += (tc.function and tc.function.name) or ""
                arguments += (tc.function and tc.function.arguments) or ""
            finish = choice.finish_reason or finish
    await client.close()
    assert (name, json.loads(arguments), finish) == (
        "get_weather",
        {"city": "Paris", "unit": "celsius"},
        "tool_calls",
    )


async def test_error_reply_429_is_rate_limit_error(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue_chat(ErrorReply(429, "Rate limit reached for requests"))
    client = openai_client(fake_openai)
    with pytest.raises(openai.RateLimitError) as err:
        await client.chat.completions.create(model="gpt-6-luna", messages=[{"role": "user", "content": "x"}])
    assert err.value.status_code == 429
    assert err.value.code == "rate_limit_exceeded"
    # The queue is empty again: the next request gets the default echo.
    ok = await client.chat.completions.create(model="gpt-6-luna", messages=[{"role": "user", "content": "x"}])
    assert ok.choices[0].message.content == "Echo: x"
    await client.close()


async def test_repeated_errors_exhaust_sdk_retries_fast(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue_chat(ErrorReply(500, repeat=3))
    client = openai_client(fake_openai, max_retries=2)
    with pytest.raises(openai.InternalServerError):
        await client.chat.completions.create(model="gpt-6-luna", messages=[{"role": "user", "content": "x"}])
    assert len(fake_openai.requests_to("/chat/completions")) == 3
    await client.close()


async def test_wrong_key_and_hang(fake_openai: FakeOpenAI) -> None:
    bad = AsyncOpenAI(base_url=fake_openai.url, api_key="sk-wrong-key-123", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as err:
        await bad.models.list()
    assert err.value.code == "invalid_api_key"
    await bad.close()

    fake_openai.queue_chat(Hang())
    client = openai_client(fake_openai, timeout=0.3)
    with pytest.raises(openai.APITimeoutError):
        await client.chat.completions.create(model="gpt-6-luna", messages=[{"role": "user", "content": "x"}])
    await client.close()


async def test_models_images_speech_transcription(fake_openai: FakeOpenAI) -> None:
    client = openai_client(fake_openai)
    models = {m.id: m for m in (await client.models.list()).data}
    assert "gpt-6-luna" in models
    assert getattr(models["gpt-5"], "shutdown_date", None) == "2026-12-11"

    images = await client.images.generate(model="gpt-image-2.6-flare", prompt="a cat", n=2)
    assert images.data is not None and len(images.data) == 2
    assert base64.b64decode(images.data[0].b64_json or "") == TINY_PNG

    speech = await client.audio.speech.create(
        model="gpt-4o-mini-tts", voice="coral", input="hi", response_format="wav"
    )
    assert speech.content == fake_openai.speech_payload("wav")

    srt = await client.audio.transcriptions.create(
        model="whisper-1", file=("clip.m4a", b"fake-audio"), response_format="srt"
    )
    assert "This is a fake transcription." in str(srt)
    (req,) = fake_openai.requests_to("/audio/transcriptions")
    assert req.form is not None and req.form["model"] == "whisper-1"
    assert (
        req.files is not None and req.files["file"][0] == "clip.m4a" and req.files["file"][2] == b"fake-audio"
    )
    with pytest.raises(openai.BadRequestError):
        await client.audio.transcriptions.create(model="gpt-transcribe", file=("clip.xyz", b"a"))
    await client.close()


async def test_stall_then_client_timeout_ends_quickly(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue_chat(ChatReply(text="abcdefgh" * 3, stall_after=1))
    client = openai_client(fake_openai, timeout=0.5)
    got = ""
    with pytest.raises((openai.APITimeoutError, openai.APIConnectionError, TimeoutError)):
        stream = await client.chat.completions.create(
            model="gpt-6-luna", messages=[{"role": "user", "content": "x"}], stream=True
        )
        async for chunk in stream:
            for choice in chunk.choices:
                got += choice.delta.content or ""
    assert got == "abcdefgh"
    await client.close()
    await asyncio.sleep(0)


# --------------------------------------------------------------------------- Slack: rate limits


async def test_rate_limits_are_off_by_default_but_peaks_are_recorded(slack: FakeSlack) -> None:
    client = web_client(slack)
    for _ in range(3):  # apps.connections.open is Tier 1 (1/min)
        await client.apps_connections_open(app_token=slack.app_token)
    for _ in range(8):  # more than the burst of 5 one channel allows
        await client.chat_postMessage(channel="C1", text="hi")
    assert not slack.enforce_rate_limits
    assert slack.rate_limited_calls == Counter()
    assert slack.peak_calls_per_minute() == {"apps.connections.open": 3, "chat.postMessage": 8}
    assert len(slack.bot_messages("C1")) == 8


async def test_over_the_tier_answers_429_with_retry_after_and_does_nothing() -> None:
    async with FakeSlack(enforce_rate_limits=True) as slack:
        client = web_client(slack)
        for _ in range(20):  # chat.startStream is Tier 2 (20/min)
            await client.chat_startStream(channel="D1", thread_ts=THREAD, markdown_text="a")
        with pytest.raises(SlackApiError) as err:
            await client.chat_startStream(channel="D1", thread_ts=THREAD, markdown_text="b")
        response = err.value.response
        assert response.status_code == 429
        assert response["error"] == "ratelimited"
        assert 59 <= int(response.headers["Retry-After"]) <= 60  # whole seconds, as Slack sends
        assert len(slack.thread_messages("D1", THREAD)) == 20  # the refused call made no message
        assert [c.rate_limited for c in slack.calls_to("chat.startStream")] == [False] * 20 + [True]
        assert slack.rate_limited_calls == Counter({"chat.startStream": 1})
        assert slack.peak_calls_per_minute() == {"chat.startStream": 20}
        # Limits are per method: another method (chat.update, Tier 3) is unaffected.
        ts = slack.thread_messages("D1", THREAD)[0].ts
        await client.chat_stopStream(channel="D1", ts=ts)
        await client.chat_update(channel="D1", ts=ts, markdown_text="edited")
        assert slack.message("D1", ts).visible_text == "edited"


async def test_post_message_bucket_is_per_channel_and_refills() -> None:
    async with FakeSlack(enforce_rate_limits=True) as slack:
        client = web_client(slack)
        for i in range(5):  # the burst allowance
            await client.chat_postMessage(channel="C1", text=f"m{i}")
        with pytest.raises(SlackApiError) as err:
            await client.chat_postMessage(channel="C1", text="one too many")
        assert err.value.response.status_code == 429
        assert err.value.response.headers["Retry-After"] == "1"
        await client.chat_postMessage(channel="C2", text="another channel")
        assert [m.text for m in slack.bot_messages("C1")] == [f"m{i}" for i in range(5)]
        await asyncio.sleep(1.1)  # refilled at 1 per second
        await client.chat_postMessage(channel="C1", text="later")
        assert slack.rate_limited_calls == Counter({"chat.postMessage": 1})
        assert slack.peak_calls_per_channel("chat.postMessage") == {"C1": 5, "C2": 1}
        assert slack.peak_calls_per_minute() == {"chat.postMessage": 7}


async def test_the_window_slides_and_429s_do_not_count() -> None:
    async with FakeSlack(enforce_rate_limits=True, rate_window_seconds=0.5) as slack:
        client = web_client(slack)
        await client.apps_connections_open(app_token=slack.app_token)  # Tier 1
        for _ in range(3):
            with pytest.raises(SlackApiError) as err:
                await client.apps_connections_open(app_token=slack.app_token)
            assert err.value.response.status_code == 429
            assert err.value.response.headers["Retry-After"] == "1"  # never 0
        await asyncio.sleep(0.6)  # the first call has left the window; the 429s never were in it
        await client.apps_connections_open(app_token=slack.app_token)
        assert slack.rate_limited_calls == Counter({"apps.connections.open": 3})
        assert slack.peak_calls_per_minute() == {"apps.connections.open": 1}


async def test_peak_calls_per_minute_is_the_busiest_sliding_window() -> None:
    limits = {"users.info": Tier("test", 3)}
    async with FakeSlack(enforce_rate_limits=True, rate_window_seconds=1.0, rate_limits=limits) as slack:
        client = web_client(slack)
        for _ in range(2):
            await client.users_info(user="U1")
        await asyncio.sleep(0.5)
        await client.users_info(user="U1")  # 3 in the window: the limit
        with pytest.raises(SlackApiError):
            await client.users_info(user="U1")
        await asyncio.sleep(0.6)  # the first two left the window, the third is still in it
        await client.users_info(user="U1")
        await client.users_info(user="U1")
        assert slack.peak_calls_per_minute() == {"users.info": 3}
        assert slack.rate_limited_calls == Counter({"users.info": 1})
        assert slack.rate_limits["chat.update"] == TIER_3  # the table's other entries are kept
