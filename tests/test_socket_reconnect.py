"""Socket Mode connections that go away: reopened by the bot, nothing lost, nothing answered twice.

slack_sdk reconnects by itself on a close frame, a `disconnect` message or a connection it finds
closed; the bot adds a fresh URL when reopening keeps failing, and /readyz follows the websocket.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.fakes.openai_api import FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess, free_port


async def socket_bot(start_bot, slack: FakeSlack) -> BotProcess:  # type: ignore[no-untyped-def]
    # start_bot waits for /readyz 200, which in Socket Mode means the websocket is connected.
    bot: BotProcess = await start_bot("serve", SLACK_APP_TOKEN=slack.app_token, SLACK_SIGNING_SECRET="")
    return bot


async def readyz_statuses_until_reconnected(
    bot: BotProcess, slack: FakeSlack, connections: int, timeout: float = 30.0
) -> list[int]:
    """/readyz, polled until the bot has opened a new websocket and says it is ready again."""
    seen: list[int] = []
    deadline = time.monotonic() + timeout
    while True:
        status = (await bot.get("/readyz"))[0]
        seen.append(status)
        if status == 200 and slack.socket_connected and slack.socket_connections > connections:
            return seen
        assert time.monotonic() < deadline, f"no new websocket after {timeout}s (/readyz: {seen}):\n{bot.log}"
        await asyncio.sleep(0.1)


async def ask_over_the_socket(slack: FakeSlack, event: dict[str, Any], **kwargs: Any) -> None:
    envelope_id = await slack.send_event(event, **kwargs)
    await slack.wait_ack(envelope_id)


async def test_a_socket_cut_without_warning_is_reopened_and_the_next_mention_answered_once(
    start_bot,  # type: ignore[no-untyped-def]
    slack: FakeSlack,
    openai_api: FakeOpenAI,
) -> None:
    bot = await socket_bot(start_bot, slack)
    connections = slack.socket_connections
    assert len(slack.calls_to("apps.connections.open")) == 1

    # The TCP connection drops, no close frame, no `disconnect` message: the bot notices by itself.
    assert await slack.drop_socket(abrupt=True) == 1
    seen = await readyz_statuses_until_reconnected(bot, slack, connections)
    assert 503 in seen  # not ready while the websocket was down
    assert len(slack.calls_to("apps.connections.open")) >= 2  # a fresh URL for the new websocket

    event = payloads.mention("still there after the cut?")
    await ask_over_the_socket(slack, event)
    [answer] = await slack.wait_thread_messages("C0CHAN", event["ts"])
    assert answer.visible_text.startswith("Echo: still there after the cut?")
    await asyncio.sleep(0.5)
    assert len(slack.thread_messages("C0CHAN", event["ts"])) == 1
    assert len(openai_api.requests_to("/v1/chat/completions")) == 1


async def test_an_envelope_redelivered_after_a_closed_socket_is_answered_once(
    start_bot,  # type: ignore[no-untyped-def]
    slack: FakeSlack,
    openai_api: FakeOpenAI,
) -> None:
    await socket_bot(start_bot, slack)
    connections = slack.socket_connections
    event = payloads.mention("did my question survive the cut?")
    payload = slack.event_payload(event)

    # Slack sends the event and the connection closes at once (a close frame, no warning): Slack
    # cannot know whether the ack made it, so it delivers the event again on the new websocket.
    await slack.send_envelope("events_api", payload)
    await slack.drop_socket(abrupt=False)
    await slack.wait_socket_connected(timeout=20, count=connections + 1)
    redelivered = await slack.send_envelope(
        "events_api", payload, retry_attempt=1, retry_reason="timeout"
    )  # same event_id
    await slack.wait_ack(redelivered)
    # ...and the `message` event of the same message, as Slack also sends, on the new connection.
    await ask_over_the_socket(slack, {**event, "type": "message", "channel_type": "channel"})

    [answer] = await slack.wait_thread_messages("C0CHAN", event["ts"])
    assert answer.visible_text.startswith("Echo: did my question survive the cut?")
    await asyncio.sleep(1.0)
    assert len(slack.thread_messages("C0CHAN", event["ts"])) == 1
    assert len(openai_api.requests_to("/v1/chat/completions")) == 1


async def test_readyz_is_503_while_slack_refuses_to_reconnect_and_200_once_it_does(
    start_bot,  # type: ignore[no-untyped-def]
    slack: FakeSlack,
    openai_api: FakeOpenAI,
) -> None:
    bot = await socket_bot(start_bot, slack)
    connections = slack.socket_connections
    slack.fail_next("apps.connections.open", "internal_error", times=2)

    started = time.monotonic()
    await slack.drop_socket(abrupt=False)
    seen = await readyz_statuses_until_reconnected(bot, slack, connections, timeout=40)
    assert seen[0] == 503 and seen[-1] == 200
    # The first URL, two refusals, the one that worked: tried again after a pause each time (a few
    # seconds in all), not in a tight loop.
    assert 4 <= len(slack.calls_to("apps.connections.open")) <= 6
    assert time.monotonic() - started >= 2.0

    event = payloads.mention("back?")
    await ask_over_the_socket(slack, event)
    await slack.wait_thread_messages("C0CHAN", event["ts"])


async def test_a_websocket_url_that_stops_working_is_replaced_by_a_fresh_one(
    start_bot,  # type: ignore[no-untyped-def]
    slack: FakeSlack,
    openai_api: FakeOpenAI,
) -> None:
    bot = await socket_bot(start_bot, slack)
    connections = slack.socket_connections
    # For a while Slack hands out a websocket URL where nothing answers (slack_sdk alone would
    # retry that URL for ever); the next URL works.
    real_open = slack._handlers["apps.connections.open"]
    dead = f"ws://127.0.0.1:{free_port()}/socket-mode/link/?ticket=gone&app_id=A0TEST"
    slack._handlers["apps.connections.open"] = lambda args: {"url": dead}
    await slack.drop_socket(abrupt=False)
    await slack.wait_for("apps.connections.open", count=2)
    await asyncio.sleep(1.0)
    slack._handlers["apps.connections.open"] = real_open

    seen = await readyz_statuses_until_reconnected(bot, slack, connections, timeout=30)
    assert 503 in seen
    event = payloads.mention("new url?")
    await ask_over_the_socket(slack, event)
    await slack.wait_thread_messages("C0CHAN", event["ts"])
