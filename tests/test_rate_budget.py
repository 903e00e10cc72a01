"""The rate budget's arithmetic (a clock of the test's own), and its ledger shared on PostgreSQL."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.rate_limits.budget import Budget, LocalLedger, optional, prepaid
from bot.rate_limits.limits import LIMITS, Limit
from bot.rate_limits.shared_ledger import SharedLedger
from storage import Database
from storage.migrate import upgrade
from storage.rate_ledger import RateLedgerStore
from tests.conftest import postgres_url_or_skip, reset_postgres

MARGIN_SECONDS = Limit(1).margin


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def budget_with(limit: Limit, clock: Clock, **kwargs: object) -> Budget:
    return Budget(LocalLedger(clock), limits={"m": limit}, **kwargs)  # type: ignore[arg-type]


def test_the_table_has_slacks_documented_tiers() -> None:
    assert LIMITS["chat.startStream"].calls == LIMITS["chat.stopStream"].calls == 20
    assert LIMITS["chat.update"].calls == 50
    assert LIMITS["chat.appendStream"].calls == 100
    assert LIMITS["chat.postMessage"].per_channel
    assert all(limit.seconds == 60 for name, limit in LIMITS.items() if name != "chat.postMessage")


async def test_a_window_admits_its_limit_then_says_how_long_to_wait() -> None:
    clock = Clock()
    ledger = LocalLedger(clock)
    budget = Budget(ledger, limits={"m": Limit(3, seconds=10)})
    key = budget.key("T1", "m")
    for _ in range(3):
        assert await ledger.take(key, Limit(3, seconds=10)) == 0.0
        clock.now += 1
    assert await ledger.take(key, Limit(3, seconds=10)) == pytest.approx(10 + MARGIN_SECONDS - 3)
    clock.now += 10 + MARGIN_SECONDS - 3
    assert await ledger.take(key, Limit(3, seconds=10)) == 0.0
    # Another workspace, or another method, has a window of its own.
    assert await ledger.take(budget.key("T2", "m"), Limit(3, seconds=10)) == 0.0


async def test_per_channel_limits_count_each_channel_apart() -> None:
    budget = Budget(
        limits={"chat.postMessage": LIMITS["chat.postMessage"], "chat.update": LIMITS["chat.update"]}
    )
    assert budget.key("T", "chat.postMessage", "C1") != budget.key("T", "chat.postMessage", "C2")
    assert budget.key("T", "chat.update", "C1") == budget.key("T", "chat.update", "C2")


async def test_a_bucket_allows_a_burst_then_refills_a_little_slower_than_slack() -> None:
    clock = Clock()
    limit = LIMITS["chat.postMessage"]
    budget = Budget(LocalLedger(clock), limits={"chat.postMessage": limit})
    key = budget.key("T", "chat.postMessage", "C1")
    for _ in range(5):
        assert await budget.ledger.take(key, limit) == 0.0
    wait = await budget.ledger.take(key, limit)
    assert 1.0 < wait <= 1.1  # one a second at Slack; a little more here
    held = await budget.try_reserve("T", "chat.postMessage", "C1")
    assert held is None
    clock.now += wait
    held = await budget.try_reserve("T", "chat.postMessage", "C1")
    assert held is not None
    assert await budget.ledger.take(key, limit) > 0  # the token is held
    with prepaid(held):
        await budget.before_call("T", "chat.postMessage", "C1")
    assert await budget.ledger.take(budget.key("T", "chat.postMessage", "C2"), limit) == 0.0


async def test_a_reservation_holds_a_place_until_made_or_released() -> None:
    clock = Clock()
    budget = budget_with(Limit(2, seconds=60), clock)
    first = await budget.try_reserve("T", "m")
    second = await budget.try_reserve("T", "m")
    assert first is not None and second is not None
    assert await budget.try_reserve("T", "m") is None  # both places are held
    await budget.release(second)
    third = await budget.try_reserve("T", "m")
    assert third is not None
    clock.now += 30
    with prepaid(first):
        await budget.before_call("T", "m")  # uses the held place: counted once, now
    await budget.release(first)  # made already: releasing changes nothing
    assert await budget.try_reserve("T", "m") is None
    await budget.release(third)
    clock.now += 60 + MARGIN_SECONDS - 29  # the call made at +30 is still in its window
    assert await budget.try_reserve("T", "m") is not None
    assert await budget.try_reserve("T", "m") is None


async def test_optional_calls_are_dropped_and_counted_not_waited_for() -> None:
    clock = Clock()
    dropped: list[str] = []
    budget = budget_with(Limit(1, seconds=60), clock, on_dropped=dropped.append)
    await budget.before_call("T", "m")
    started = time.monotonic()
    reached = False
    with optional():
        await budget.before_call("T", "m")
        reached = True
    assert not reached and dropped == ["m"]
    assert time.monotonic() - started < 0.5


async def test_a_required_call_waits_until_its_window_has_room() -> None:
    budget = Budget(limits={"m": Limit(2, seconds=0.4)})
    started = time.monotonic()
    for _ in range(3):
        await budget.before_call("T", "m")
    assert time.monotonic() - started >= 0.4 + MARGIN_SECONDS - 0.05


async def test_a_pause_stops_every_caller_of_the_method() -> None:
    clock = Clock()
    paused: list[str] = []
    budget = budget_with(Limit(100, seconds=60), clock, on_paused=paused.append)
    await budget.paused_by_slack("T", "m", "", 5)
    assert paused == ["m"]
    assert await budget.try_reserve("T", "m") is None
    assert await budget.ledger.take(budget.key("T", "m"), Limit(100)) == pytest.approx(5)
    clock.now += 5
    assert await budget.try_reserve("T", "m") is not None


async def test_unlisted_methods_are_not_budgeted() -> None:
    budget = Budget(limits={})
    slot = await budget.try_reserve("T", "anything")
    assert slot is not None and slot.done
    for _ in range(1000):
        await budget.before_call("T", "anything")


# ------------------------------------------------------------------------------ shared on PostgreSQL


@pytest.fixture
async def pg_url() -> str:
    url = await reset_postgres(postgres_url_or_skip())
    await asyncio.to_thread(upgrade, url)
    return url


async def test_replicas_on_one_postgresql_spend_one_budget(pg_url: str) -> None:
    limit = Limit(5, seconds=1.0)
    databases = [Database(pg_url), Database(pg_url)]
    try:
        replicas = [Budget(SharedLedger(RateLedgerStore(db)), limits={"m": limit}) for db in databases]
        made: list[float] = []

        async def call(budget: Budget) -> None:
            await budget.before_call("T", "m")
            made.append(time.monotonic())

        # Each replica's connection made before the clock starts (connecting is slow under load).
        await asyncio.gather(*(r.ledger.take(r.key("T", "warm-up"), Limit(100)) for r in replicas))
        started = time.monotonic()
        await asyncio.gather(*(call(replicas[i % 2]) for i in range(12)))
        made.sort()
        # 12 calls at 5 per window of 1 s (+ the margin): the third batch waits two windows.
        assert made[4] - started < 1.0
        assert made[5] - started >= 1.0 + MARGIN_SECONDS - 0.1
        assert made[10] - started >= 2 * (1.0 + MARGIN_SECONDS) - 0.2
        for i in range(len(made) - 5):
            assert made[i + 5] - made[i] >= 1.0  # never six in one window, across both replicas
        # A place reserved by one replica is held for the other.
        other = Budget(SharedLedger(RateLedgerStore(databases[0])), limits={"r": Limit(1)})
        held = await other.try_reserve("T", "r")
        assert held is not None
        assert await replicas[1].ledger.reserve(replicas[1].key("T", "r"), Limit(1)) is None
        await other.release(held)
        assert await replicas[1].ledger.reserve(replicas[1].key("T", "r"), Limit(1)) is not None
        # A 429 one replica saw pauses the method for the other.
        await replicas[0].paused_by_slack("T", "p", "", 30)
        assert await replicas[1].ledger.take(replicas[1].key("T", "p"), Limit(100)) > 29
    finally:
        for db in databases:
            await db.close()


async def test_slack_calls_never_wait_for_a_database_that_does_not_answer() -> None:
    unreachable = Database("postgresql+asyncpg://postgres:postgres@127.0.0.1:9/nowhere")  # port 9: closed
    try:
        budget = Budget(SharedLedger(RateLedgerStore(unreachable)), limits={"m": Limit(2, seconds=60)})
        started = time.monotonic()
        await budget.before_call("T", "m")
        held = await budget.try_reserve("T", "m")
        assert held is not None  # counted in this process meanwhile
        assert await budget.try_reserve("T", "m") is None  # and within the limit there too
        with prepaid(held):
            await budget.before_call("T", "m")
        assert time.monotonic() - started < 5
    finally:
        await unreachable.close()
