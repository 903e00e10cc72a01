"""The repository API on SQLite and on PostgreSQL: dedupe, safe claiming, leases, conversations."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event

from storage import ConversationStore, Database, JobStore, NewJob, StoredMessage, ThreadKey
from storage.jobs import Append
from storage.migrate import upgrade
from storage.tables import Base
from storage.usage import Usage, UsageStore
from storage.workspace_settings import WorkspaceSettingsStore
from tests.conftest import BOTH_DATABASES

pytestmark = BOTH_DATABASES


@pytest.fixture
async def db(db_url: str):  # type: ignore[no-untyped-def]
    await asyncio.to_thread(upgrade, db_url)
    database = Database(db_url)
    yield database
    await database.close()


def job(key: str, serial: str | None = None) -> NewJob:
    return NewJob(kind="chat.reply", dedup_key=key, payload={"text": key}, serial_key=serial)


async def test_migrations_match_the_models(db: Database) -> None:
    async with db.engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    assert diff == []


async def test_a_duplicate_dedup_key_is_dropped(db: Database) -> None:
    jobs = JobStore(db)
    assert await jobs.enqueue(job("message:T:C:1")) is True
    assert await jobs.enqueue(job("message:T:C:1")) is False
    assert await jobs.counts() == {"queued": 1}


async def test_claims_from_concurrent_workers_never_overlap(db: Database) -> None:
    jobs = JobStore(db)
    for i in range(30):
        await jobs.enqueue(job(f"k{i}"))
    claims = await asyncio.gather(*(jobs.claim(f"worker-{w}", 4, 30) for w in range(6)))
    claimed = [j.id for batch in claims for j in batch]
    assert len(claimed) == len(set(claimed))
    assert len(claimed) == 24
    assert all(j.attempts == 1 for batch in claims for j in batch)


async def test_one_thread_runs_one_job_at_a_time_in_order(db: Database) -> None:
    jobs = JobStore(db)
    for i in range(3):
        await jobs.enqueue(job(f"k{i}", serial="thread:T:C:1"))
    await jobs.enqueue(job("other", serial="thread:T:C:2"))
    first = await jobs.claim("w", 10, 30)
    assert [j.payload["text"] for j in first] == ["k0", "other"]
    assert await jobs.claim("w", 10, 30) == []
    await jobs.finish(first[0].id)
    second = await jobs.claim("w", 10, 30)
    assert [j.payload["text"] for j in second] == ["k1"]


async def test_an_expired_lease_is_claimed_again_and_counts_the_attempt(db: Database) -> None:
    jobs = JobStore(db)
    await jobs.enqueue(job("k"))
    [first] = await jobs.claim("dead-process", 1, lease_seconds=0.2)
    await jobs.save_progress(first.id, {"reply_ts": "123.456"})
    assert await jobs.claim("other", 1, 30) == []  # the lease still holds
    await asyncio.sleep(0.3)
    [again] = await jobs.claim("other", 1, 30)
    assert again.id == first.id and again.attempts == 2 and again.resumed
    assert again.progress == {"reply_ts": "123.456"}


async def test_renewed_leases_keep_a_job_and_release_hands_it_back(db: Database) -> None:
    jobs = JobStore(db)
    await jobs.enqueue(job("k"))
    [claimed] = await jobs.claim("alive", 1, lease_seconds=0.3)
    deadline = time.monotonic() + 0.6
    while time.monotonic() < deadline:
        await jobs.renew("alive", [claimed.id], 0.3)
        assert await jobs.claim("thief", 1, 30) == []
        await asyncio.sleep(0.1)
    await jobs.release("alive", [claimed.id])
    [again] = await jobs.claim("next", 1, 30)
    assert again.id == claimed.id


async def test_history_is_kept_in_order_and_appending_is_idempotent_per_job(db: Database) -> None:
    conversations = ConversationStore(db)
    key = ThreadKey("T", "C", "1.0")
    assert not await conversations.exists(key)
    await conversations.append(
        key, [StoredMessage("user", "hi", name="U1"), StoredMessage("assistant", "hello")], job_id=1
    )
    await conversations.append(
        key, [StoredMessage("user", "again", name="U1")], job_id=1
    )  # a re-run: nothing
    await conversations.append(key, [StoredMessage("user", "more", name="U2")], job_id=2)
    history = await conversations.history(key)
    assert [(m.role, m.content, m.name) for m in history] == [
        ("user", "hi", "U1"),
        ("assistant", "hello", None),
        ("user", "more", "U2"),
    ]
    assert await conversations.exists(key)
    assert await conversations.history(ThreadKey("T", "C", "2.0")) == []


async def test_a_long_history_loads_in_one_query(db: Database) -> None:
    conversations = ConversationStore(db)
    key = ThreadKey("T", "C", "9.0")
    await conversations.append(key, [StoredMessage("user", f"m{i}") for i in range(200)], job_id=9)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        history = await conversations.history(key)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    assert len(history) == 200 and history[-1].content == "m199"
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1


async def test_opening_a_thread_makes_it_a_conversation_and_reads_it_in_one_transaction(
    db: Database,
) -> None:
    conversations = ConversationStore(db)
    key = ThreadKey("T", "C", "5.0")
    # Twins opening a new thread at once: no error, one conversation, nothing in it yet.
    assert await asyncio.gather(*(conversations.open(key) for _ in range(6))) == [[]] * 6
    assert await conversations.exists(key)
    await conversations.append(key, [StoredMessage("user", "hi", name="U1", user_id="U1")], job_id=5)
    commits: list[object] = []

    def committed(connection: object) -> None:
        commits.append(connection)

    event.listen(db.engine.sync_engine, "commit", committed)
    try:
        opened = await conversations.open(key)
    finally:
        event.remove(db.engine.sync_engine, "commit", committed)
    assert opened == await conversations.history(key)
    assert [(m.role, m.content, m.name, m.user_id) for m in opened] == [("user", "hi", "U1", "U1")]
    assert len(commits) == 1


async def test_a_jobs_end_writes_its_answer_and_usage_in_one_transaction(db: Database) -> None:
    jobs, usage = JobStore(db), UsageStore(db)
    await jobs.enqueue(job("usage:1"))
    (claimed,) = await jobs.claim("worker", 1, 30)
    spent = [
        Usage("T", "U1", "chat", "gpt-5.2", prompt_tokens=10, completion_tokens=3, cost_usd=0.5),
        Usage("T", "U1", "chat", "gpt-5.2", prompt_tokens=1, completion_tokens=2, cost_usd=0.25),
    ]
    key = ThreadKey("T", "C", "6.0")
    commits: list[object] = []

    def committed(connection: object) -> None:
        commits.append(connection)

    event.listen(db.engine.sync_engine, "commit", committed)
    try:
        await jobs.finish(claimed.id, append=Append(key, [StoredMessage("assistant", "ok")]), usage=spent)
    finally:
        event.remove(db.engine.sync_engine, "commit", committed)
    assert len(commits) == 1
    since = datetime.now(UTC) - timedelta(minutes=1)
    totals = await usage.totals("T", since, "U1")
    assert (totals.prompt_tokens, totals.completion_tokens, totals.calls) == (11, 5, 2)
    assert totals.cost_usd == pytest.approx(0.75)
    assert [m.content for m in await ConversationStore(db).history(key)] == ["ok"]
    # A twin finishing the same job after it appends nothing, but its own calls were still made.
    await jobs.finish(claimed.id, append=Append(key, [StoredMessage("assistant", "twice")]), usage=spent[:1])
    assert [m.content for m in await ConversationStore(db).history(key)] == ["ok"]
    assert (await usage.totals("T", since, "U1")).calls == 3


async def test_a_burst_of_jobs_reads_their_workspaces_settings_once(db: Database) -> None:
    store = WorkspaceSettingsStore(db, None)
    await store.change("T", "U0ADMIN", {"daily_tokens_per_user": 5})
    store = WorkspaceSettingsStore(db, None)  # a fresh process: nothing cached
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        policies = await asyncio.gather(*(store.get("T") for _ in range(20)))
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    assert {p.daily_tokens_per_user for p in policies} == {5}
    assert len([s for s in statements if "workspace_settings" in s]) == 1
    # A change made here is seen at once, not after the cache's seconds.
    await store.change("T", "U0ADMIN", {"daily_tokens_per_user": 7})
    assert (await store.get("T")).daily_tokens_per_user == 7
