"""Nothing lost, nothing twice: SIGKILL mid-answer and restart, SIGTERM drain."""

from __future__ import annotations

import asyncio
import signal

from tests.conftest import BOTH_DATABASES
from tests.fakes.openai_api import ChatReply, FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads


@BOTH_DATABASES
async def test_killed_mid_answer_then_restarted_gives_exactly_one_answer(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    # A short lease so that, on PostgreSQL, the dead process's job is reclaimed quickly.
    bot = await start_bot(JOB_LEASE_SECONDS="1")
    openai_api.queue_chat(ChatReply(chunks=["first half", " second half"], chunk_delay=30))
    openai_api.queue_chat(ChatReply(chunks=["A complete", " answer."]))
    event = payloads.mention("tell me something")
    await bot.send_event(payloads.event_callback(event))
    await slack.wait_for("chat.startStream")  # the answer has started streaming

    await bot.kill()
    await start_bot(JOB_LEASE_SECONDS="1")

    await slack.wait_until(
        lambda: any(
            "A complete answer." in m.visible_text for m in slack.thread_messages("C0CHAN", event["ts"])
        ),
        timeout=20,
        what="the resumed answer",
    )
    await asyncio.sleep(1.0)
    [answer] = slack.thread_messages("C0CHAN", event["ts"])  # one message: the earlier one, completed
    assert answer.visible_text == "A complete answer."
    assert len(openai_api.requests_to("/v1/chat/completions")) == 2


async def test_a_job_recorded_but_not_started_survives_a_kill(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    # One worker busy with a slow answer; the second request waits in the queue when the bot dies.
    bot = await start_bot(WORKER_CONCURRENCY="1")
    openai_api.queue_chat(ChatReply(chunks=["slow"], first_delay=30))
    busy, waiting = payloads.mention("slow one"), payloads.mention("queued one")
    await bot.send_event(payloads.event_callback(busy))
    await openai_api.wait_for("/v1/chat/completions")
    assert (await bot.send_event(payloads.event_callback(waiting)))[0] == 200

    await bot.kill()
    await start_bot()

    [answer] = await slack.wait_thread_messages("C0CHAN", waiting["ts"], timeout=20)
    assert answer.visible_text == "Echo: queued one"
    [first] = await slack.wait_thread_messages("C0CHAN", busy["ts"], timeout=20)
    assert first.visible_text == "Echo: slow one"


async def test_a_job_restarted_too_often_tells_the_user_it_was_interrupted(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    event = payloads.mention("crashy")
    for attempt in range(2):
        openai_api.queue_chat(ChatReply(chunks=["never", " finished"], chunk_delay=30))
        bot = await start_bot(JOB_MAX_ATTEMPTS="2")
        if attempt == 0:
            await bot.send_event(payloads.event_callback(event))
        await openai_api.wait_for("/v1/chat/completions", count=attempt + 1)
        await bot.kill()
    await start_bot(JOB_MAX_ATTEMPTS="2")
    await slack.wait_until(
        lambda: any("restarted several times" in m.visible_text for m in slack.bot_messages()),
        timeout=20,
        what="the interrupted notice",
    )
    assert len(openai_api.requests_to("/v1/chat/completions")) == 2


async def test_sigterm_finishes_the_answer_in_flight_and_exits_0(
    bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    openai_api.queue_chat(ChatReply(chunks=["Still ", "finishing ", "this."], chunk_delay=0.5))
    event = payloads.mention("long answer")
    await bot.send_event(payloads.event_callback(event))
    await slack.wait_for("chat.startStream")

    await bot.signal(signal.SIGTERM)
    assert await bot.wait_exit(20) == 0

    [answer] = slack.thread_messages("C0CHAN", event["ts"])
    assert answer.visible_text == "Still finishing this."
    assert not answer.streaming


async def test_sigterm_past_the_grace_period_hands_the_job_to_the_next_start(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    bot = await start_bot(SHUTDOWN_GRACE_SECONDS="0.5")
    openai_api.queue_chat(ChatReply(chunks=["too ", "slow"], chunk_delay=30))
    event = payloads.mention("slow")
    await bot.send_event(payloads.event_callback(event))
    await slack.wait_for("chat.startStream")
    await bot.signal(signal.SIGTERM)
    assert await bot.wait_exit(20) == 0

    await start_bot()
    await slack.wait_until(
        lambda: [m for m in slack.thread_messages("C0CHAN", event["ts"]) if m.visible_text == "Echo: slow"],
        timeout=20,
        what="the answer from the next start",
    )
    assert len(slack.thread_messages("C0CHAN", event["ts"])) == 1
