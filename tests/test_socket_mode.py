"""Socket Mode: the same routes behind a real websocket, no public URL, no signing secret."""

from __future__ import annotations

import signal

from tests.fakes.openai_api import ChatReply, FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads


async def test_a_mention_over_socket_mode_is_acked_and_answered(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    # SLACK_APP_TOKEN alone selects Socket Mode; no signing secret is needed.
    bot = await start_bot("serve", SLACK_APP_TOKEN=slack.app_token, SLACK_SIGNING_SECRET="")
    await slack.wait_socket_connected(timeout=20)
    openai_api.queue_chat(ChatReply(chunks=["Over ", "the socket."]))
    event = payloads.mention("are you there?")

    envelope_id = await slack.send_event(event)
    ack = await slack.wait_ack(envelope_id)
    assert ack["envelope_id"] == envelope_id

    [answer] = await slack.wait_thread_messages("C0CHAN", event["ts"])
    assert answer.visible_text == "Over the socket."
    [connect] = slack.calls_to("apps.connections.open")
    assert connect.token == slack.app_token

    # A redelivery of the same event (Slack retries over the socket too) is acked and dropped.
    retry = await slack.send_event(event, event_id=None, retry_attempt=1, retry_reason="timeout")
    await slack.wait_ack(retry)
    assert len(openai_api.requests_to("/v1/chat/completions")) == 1

    # /slack/events is not served in Socket Mode; health is.
    assert (await bot.get("/healthz"))[0] == 200
    await bot.signal(signal.SIGTERM)
    assert await bot.wait_exit(20) == 0
