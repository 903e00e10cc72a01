"""/healthz, /readyz, /metrics, and the signature check on /slack/events."""

from __future__ import annotations

import asyncio
import time

from tests.fakes.openai_api import FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess


async def test_health_and_readiness(bot: BotProcess) -> None:
    assert (await bot.get("/healthz"))[0] == 200
    status, body = await bot.get("/readyz")
    assert status == 200 and "ok" in body


async def test_metrics_are_prometheus_text_and_count_what_happened(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    event = payloads.mention("count me")
    await bot.send_event(payloads.event_callback(event))
    await bot.send_event(payloads.event_callback(event), retry_num=1)
    await slack.wait_thread_messages("C0CHAN", event["ts"])
    # The job finishes a moment after its answer (its usage is recorded first).
    finished = 'jobs_finished_total{kind="chat.reply",status="done"} 1.0'
    for _ in range(100):
        status, text = await bot.get("/metrics")
        if finished in text:
            break
        await asyncio.sleep(0.05)
    assert status == 200
    assert "# TYPE slack_requests_total counter" in text
    assert 'slack_requests_total{outcome="recorded",trigger="app_mention"} 1.0' in text
    assert 'slack_requests_total{outcome="duplicate",trigger="app_mention"} 1.0' in text
    assert 'jobs_finished_total{kind="chat.reply",status="done"} 1.0' in text
    assert "openai_first_token_seconds_count 1.0" in text


async def test_a_bad_signature_gets_401_and_does_nothing(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    body = payloads.event_callback(payloads.mention("forged"))
    assert (await bot.send_event(body, secret="not-the-secret"))[0] == 401
    assert (await bot.send_event(body, signed=False))[0] == 401
    await asyncio.sleep(0.5)
    assert openai_api.requests_to("/v1/chat/completions") == []
    assert [c.method for c in slack.calls if c.method != "auth.test"] == []


async def test_a_stale_signature_gets_401_and_does_nothing(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    body = payloads.event_callback(payloads.mention("replayed"))
    status, _ = await bot.send_event(body, timestamp=int(time.time()) - 6 * 60)
    assert status == 401
    await asyncio.sleep(0.5)
    assert openai_api.requests_to("/v1/chat/completions") == []
    assert [c.method for c in slack.calls if c.method != "auth.test"] == []


async def test_url_verification_is_answered(bot: BotProcess) -> None:
    status, text = await bot.send_event({"type": "url_verification", "challenge": "abc123", "token": "t"})
    assert status == 200 and "abc123" in text
