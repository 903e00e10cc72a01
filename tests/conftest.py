"""Fixtures: the fake Slack and OpenAI servers, a database, and the real bot running against them."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.fakes.openai_api import FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support.bot_process import BotProcess, clean_environ
from tests.support.signing import SIGNING_SECRET

# Set by .ci/run (and by you, locally, to run the PostgreSQL tests):
#   TEST_DATABASE_URL=postgresql+asyncpg://postgres:postgres@127.0.0.1:5432/bot_test
POSTGRES_ENV = "TEST_DATABASE_URL"


async def reset_postgres(url: str) -> str:
    """A clean database for this test: with pytest-xdist, one database per worker (created once)."""
    import asyncpg

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        base, _, name = url.rpartition("/")
        admin = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", f"{name}_{worker}")
            if not exists:
                await admin.execute(f'CREATE DATABASE "{name}_{worker}"')
        finally:
            await admin.close()
        url = f"{base}/{name}_{worker}"
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()
    return url


def postgres_url_or_skip() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(f"{POSTGRES_ENV} is not set: CI must start PostgreSQL and run the PostgreSQL tests")
    pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (set by .ci/run)")


@pytest.fixture
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLite by default; parametrize with indirect=True and "postgresql" for the shared database."""
    backend = getattr(request, "param", "sqlite")
    if backend == "postgresql":
        return await reset_postgres(postgres_url_or_skip())
    return f"sqlite+aiosqlite:///{tmp_path / 'data' / 'bot.db'}"


BOTH_DATABASES = pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def openai_api() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def bot_env(slack: FakeSlack, openai_api: FakeOpenAI, db_url: str) -> dict[str, str]:
    env = clean_environ()
    env.update(
        {
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.url,
            "OPENAI_API_KEY": openai_api.api_key,
            "OPENAI_BASE_URL": openai_api.url,
            "DATABASE_URL": db_url,
            "JOB_POLL_SECONDS": "0.2",
            "STREAM_FLUSH_SECONDS": "0.05",
            "UPDATE_INTERVAL_SECONDS": "0.1",
            "SHUTDOWN_GRACE_SECONDS": "10",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@pytest.fixture
async def start_bot(bot_env: dict[str, str], tmp_path: Path) -> AsyncIterator[Callable[..., BotProcess]]:
    """Start the real bot; every process started is stopped at the end of the test."""
    started: list[BotProcess] = []

    async def start(*args: str, wait_ready: bool = True, **env: str) -> BotProcess:
        process = BotProcess({**bot_env, **env}, tmp_path, args or ("serve", "--mode", "http"))
        started.append(process)
        return await process.start(wait_ready=wait_ready)

    yield start  # type: ignore[misc]
    for process in started:
        await process.stop()


@pytest.fixture
async def bot(start_bot: Callable[..., BotProcess]) -> BotProcess:
    return await start_bot()  # type: ignore[misc]
