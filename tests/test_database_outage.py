"""PostgreSQL goes away under load and comes back: nothing lost, nothing answered twice.

The server is one of the test's own (tests/support/private_postgres.py), so stopping it disturbs
nobody else. Without PostgreSQL's server binaries the tests are skipped locally and fail in CI.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import asyncpg
import pytest

from tests.fakes.openai_api import ChatReply, FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess
from tests.support.private_postgres import PrivatePostgres, find_bindir

SLOW_CHUNKS = ["The slow answer ", "arrives ", "in three parts."]
SLOW_ANSWER = "".join(SLOW_CHUNKS)
SLACK_ACK_SECONDS = 3.0


@pytest.fixture
async def postgres() -> AsyncIterator[PrivatePostgres]:
    bindir = find_bindir()
    if bindir is None:
        message = "PostgreSQL's server binaries (initdb, pg_ctl, postgres) are not installed"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must provide them to run the database outage tests")
        pytest.skip(f"{message} (set PG_BINDIR if they are elsewhere)")
    server = PrivatePostgres(bindir)
    try:
        await server.init()
        await server.start()
        yield server
    finally:
        await server.remove()


class SlackDeliveries:
    """Slack's side of HTTP delivery: a delivery not answered 200 within 3 seconds has failed, and
    Slack sends the same body (same event_id) again later, with X-Slack-Retry-Num."""

    def __init__(self, bot: BotProcess) -> None:
        self._bot = bot
        self.bodies: dict[str, dict[str, Any]] = {}
        self.statuses: dict[str, list[int | None]] = {}

    def acked(self, ts: str) -> bool:
        return 200 in self.statuses.get(ts, [])

    async def deliver(self, event: dict[str, Any]) -> int | None:
        self.bodies[event["ts"]] = payloads.event_callback(event)
        return await self._post(event["ts"])

    async def redeliver(self, ts: str) -> int | None:
        return await self._post(ts, retry_num=len(self.statuses[ts]))

    async def redeliver_until_acked(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not all(self.acked(ts) for ts in self.bodies):
            assert time.monotonic() < deadline, f"deliveries never acked: {self.statuses}"
            await asyncio.gather(*(self.redeliver(ts) for ts in self.bodies if not self.acked(ts)))
            await asyncio.sleep(0.2)

    async def _post(self, ts: str, retry_num: int | None = None) -> int | None:
        try:
            status, _ = await asyncio.wait_for(
                self._bot.send_event(self.bodies[ts], retry_num=retry_num), SLACK_ACK_SECONDS
            )
        except (TimeoutError, aiohttp.ClientError):
            status = None
        self.statuses.setdefault(ts, []).append(status)
        return status


def question_of(event: dict[str, Any]) -> str:
    return event["text"].split("> ", 1)[1]


def asked(openai_api: FakeOpenAI, question: str) -> int:
    """How many chat requests asked this question (as their last user message)."""
    count = 0
    for body in openai_api.chat_bodies():
        users = [m for m in body["messages"] if m.get("role") == "user"]
        if users and question in str(users[-1].get("content")):
            count += 1
    return count


async def job_statuses(url: str) -> dict[str, int]:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows = await connection.fetch("SELECT status, count(*) AS n FROM jobs GROUP BY status")
    finally:
        await connection.close()
    return {row["status"]: row["n"] for row in rows}


async def wait_readyz(bot: BotProcess, status: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while (await bot.get("/readyz"))[0] != status:
        assert time.monotonic() < deadline, f"/readyz never answered {status}:\n{bot.log[-3000:]}"
        await asyncio.sleep(0.1)


async def test_postgres_stopped_mid_burst_loses_nothing_and_answers_nothing_twice(
    postgres: PrivatePostgres,
    start_bot,  # type: ignore[no-untyped-def]
    slack: FakeSlack,
    openai_api: FakeOpenAI,
) -> None:
    # Four workers and a short lease: the four slow answers below fill every worker, and their
    # claims expire while the database is down.
    bot = await start_bot(DATABASE_URL=postgres.url, WORKER_CONCURRENCY="4", JOB_LEASE_SECONDS="2")
    deliveries = SlackDeliveries(bot)

    before = [payloads.mention(f"before the outage {i}") for i in range(3)]
    assert await asyncio.gather(*(deliveries.deliver(e) for e in before)) == [200] * 3
    for event in before:
        await slack.wait_thread_messages("C0CHAN", event["ts"], timeout=15)

    openai_api.queue_chat(*(ChatReply(chunks=SLOW_CHUNKS, chunk_delay=1.5) for _ in range(4)))
    slow = [payloads.mention(f"slow answer {i}") for i in range(4)]
    assert await asyncio.gather(*(deliveries.deliver(e) for e in slow)) == [200] * 4
    for event in slow:  # streaming, their reply recorded: nothing more to write until the end
        await slack.wait_until(
            lambda event=event: any(
                "arrives" in m.visible_text for m in slack.thread_messages("C0CHAN", event["ts"])
            ),
            timeout=15,
            what=f"the slow answer to {question_of(event)!r} streaming",
        )

    # The database stops in the middle of a burst of mentions.
    burst = [payloads.mention(f"mid-burst {i}") for i in range(8)]

    async def deliver_later(event: dict[str, Any], delay: float) -> int | None:
        await asyncio.sleep(delay)
        return await deliveries.deliver(event)

    sending = asyncio.gather(*(deliver_later(e, 0.04 * i) for i, e in enumerate(burst)))
    await asyncio.sleep(0.1)
    await postgres.stop()
    await sending

    # While it is down, every delivery fails (so Slack delivers it again later) and /readyz says so
    # at once.
    during = [payloads.mention(f"while down {i}") for i in range(4)]
    statuses = await asyncio.gather(*(deliveries.deliver(e) for e in during))
    assert all(status is not None and status >= 500 for status in statuses), statuses
    started = time.monotonic()
    assert (await bot.get("/readyz"))[0] == 503
    assert time.monotonic() - started < 2.5

    # The answers in flight finish streaming meanwhile, and are recorded once the database is back.
    for event in slow:
        await slack.wait_until(
            lambda event=event: any(
                m.visible_text.startswith(SLOW_ANSWER) for m in slack.thread_messages("C0CHAN", event["ts"])
            ),
            timeout=15,
            what=f"the slow answer to {question_of(event)!r} complete",
        )
    await asyncio.sleep(2.5)  # past the lease: the running jobs' claims have expired
    assert (await bot.get("/readyz"))[0] == 503

    await postgres.start()
    await wait_readyz(bot, 200)
    await deliveries.redeliver_until_acked()
    # Slack also delivers again, now and then, what was acked: still one answer.
    await deliveries.redeliver(before[0]["ts"])
    await deliveries.redeliver(slow[0]["ts"])

    everything = before + slow + burst + during
    for event in everything:
        await slack.wait_thread_messages("C0CHAN", event["ts"], timeout=30)
    await asyncio.sleep(2.0)  # time for a second answer to show, were there one

    for event in everything:
        replies = [m.visible_text for m in slack.thread_messages("C0CHAN", event["ts"])]
        question = question_of(event)
        expected = SLOW_ANSWER if event in slow else f"Echo: {question}"
        assert len(replies) == 1 and replies[0].startswith(expected), (question, replies, bot.log[-4000:])
        assert asked(openai_api, question) == 1, question
    assert await job_statuses(postgres.url) == {"done": len(everything)}


async def test_readyz_answers_at_once_while_postgres_hangs_and_the_mention_waits_for_it(
    postgres: PrivatePostgres,
    start_bot,  # type: ignore[no-untyped-def]
    slack: FakeSlack,
    openai_api: FakeOpenAI,
) -> None:
    # A server that stops answering (a network partition, a frozen host) rather than refusing:
    # connections hang instead of failing.
    bot = await start_bot(DATABASE_URL=postgres.url)
    deliveries = SlackDeliveries(bot)
    postgres.freeze()
    for _ in range(2):
        started = time.monotonic()
        assert (await bot.get("/readyz"))[0] == 503
        assert time.monotonic() - started < 3.5
    event = payloads.mention("are you frozen?")
    assert await deliveries.deliver(event) is None  # no answer within Slack's 3 s

    postgres.thaw()
    await wait_readyz(bot, 200)
    await deliveries.redeliver_until_acked()
    await slack.wait_thread_messages("C0CHAN", event["ts"], timeout=15)
    await asyncio.sleep(1.0)
    [answer] = slack.thread_messages("C0CHAN", event["ts"])
    assert answer.visible_text.startswith("Echo: are you frozen?")
    assert asked(openai_api, "are you frozen?") == 1
