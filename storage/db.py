"""The engine and session factory: SQLite (WAL, busy timeout) by default, PostgreSQL for replicas.

PostgreSQL can go away (a restart, a failover) and come back. Pooled connections are checked
before use (`pool_pre_ping`), so the first statement after a restart does not fail on a dead
connection. While the server cannot be reached, what runs depends on who asks:

- Slack's requests fail at once (the listener raises, Slack gets a 5xx and delivers again later).
- Work that called `wait_for_the_database()` (the workers: claims, leases, jobs) waits for it
  instead, and carries on where it was when it comes back. It waits before taking a connection
  from the pool, so waiting work never holds the pool slots Slack's requests need.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.util.concurrency import await_

log = logging.getLogger(__name__)

# A new PostgreSQL connection that takes longer than this has failed (asyncpg waits 60 s).
CONNECT_TIMEOUT_SECONDS = 5.0
PING_TIMEOUT_SECONDS = 2.0
# While the database is down, it is tried again after 0.2 s, then less and less often, up to this.
RETRY_MAX_SECONDS = 5.0

_waits_for_the_database: ContextVar[bool] = ContextVar("waits_for_the_database", default=False)


def wait_for_the_database() -> None:
    """From now on, in this task and the tasks it starts, a database that cannot be reached is
    waited for rather than an error."""
    _waits_for_the_database.set(True)


@contextlib.contextmanager
def without_waiting() -> Iterator[None]:
    """Inside, a database that cannot be reached is an error at once, even in patient work (the
    rate budget falls back to the process's own count rather than hold a Slack call)."""
    token = _waits_for_the_database.set(False)
    try:
        yield
    finally:
        _waits_for_the_database.reset(token)


def unreachable(exc: BaseException) -> bool:
    """True when `exc` says the database server could not be reached (refused, timed out, starting
    up or shutting down, out of connections, the connection cut), not that a statement was wrong."""
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated or (exc.orig is not None and unreachable(exc.orig))
    if isinstance(exc, OSError | TimeoutError):
        return True
    sqlstate = str(getattr(exc, "sqlstate", None) or "")
    # 08: connection exception; 57P: admin/crash shutdown, cannot connect now; 53300: too many.
    return sqlstate.startswith(("08", "57P")) or sqlstate == "53300"


# The drivers' own errors, when they reach us without SQLAlchemy's wrapping.
_DRIVER_MODULES = {"asyncpg", "aiosqlite", "sqlite3"}


def is_database_error(exc: BaseException) -> bool:
    """The database (or the connection to it) failed, here or as the cause of what was raised."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if (
            isinstance(seen, SQLAlchemyError | OSError)
            or type(seen).__module__.split(".")[0] in _DRIVER_MODULES
        ):
            return True
        seen = seen.__cause__
    return False


def ensure_sqlite_directory(url: str) -> None:
    """Create the folder of a SQLite file (e.g. ./data/) so a first start just works."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class _Availability:
    """Whether the database answered the last connection attempt. Once one fails, a watcher tries
    again (with backoff) until the server answers; patient work waits for that."""

    def __init__(self, probe: Any) -> None:
        self._probe = probe
        self._up = asyncio.Event()
        self._up.set()
        self._watcher: asyncio.Task[None] | None = None

    @property
    def down(self) -> bool:
        return not self._up.is_set()

    def went_away(self, reason: BaseException) -> None:
        if self._up.is_set():
            log.warning("the database cannot be reached (%s); work waits for it", _describe(reason))
            self._up.clear()
        if self._watcher is None or self._watcher.done():
            self._watcher = asyncio.get_running_loop().create_task(self._watch(), name="database-watch")

    def answered(self) -> None:
        if not self._up.is_set():
            log.warning("the database answers again")
            self._up.set()

    async def _watch(self) -> None:
        _waits_for_the_database.set(False)  # the probe itself must fail, not wait for itself
        delay = 0.2
        while self.down and not await self._probe():
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_SECONDS)
        self.answered()

    async def wait(self) -> None:
        await self._up.wait()

    async def close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher


def _describe(exc: BaseException) -> str:
    said = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {said[0][:200]}" if said else type(exc).__name__


class _WaitingSession(Session):
    """A session whose patient users wait, before taking a pooled connection, while the database
    is known to be down."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        availability: _Availability | None = self.info.get("availability")
        if availability is not None and availability.down and _waits_for_the_database.get():
            await_(availability.wait())  # sessions run in SQLAlchemy's greenlet: this yields to the loop
        return super().get_bind(*args, **kwargs)


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        ensure_sqlite_directory(url)
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {"pool_pre_ping": not self.is_sqlite}
        if not self.is_sqlite:
            kwargs.update(pool_size=10, max_overflow=20)
        else:
            # One connection: SQLite has one writer at a time, and writers on several connections
            # wait for its lock in SQLite's busy handler, which sleeps up to 100 ms a try (a
            # burst's acks waited seconds behind the jobs' writes). On one connection they queue
            # in order instead; every transaction here is short, and nothing holds one across a
            # network call.
            kwargs.update(pool_size=1, max_overflow=0, pool_timeout=60)
        if parsed.get_driver_name() == "asyncpg" and "timeout" not in parsed.query:
            kwargs["connect_args"] = {"timeout": CONNECT_TIMEOUT_SECONDS}
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        self._availability: _Availability | None = None
        info: dict[str, Any] = {}
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            probe = lambda: self.ping(CONNECT_TIMEOUT_SECONDS)  # noqa: E731
            self._availability = info["availability"] = _Availability(probe)
            event.listen(self.engine.sync_engine, "do_connect", self._connect)
        self.sessions = async_sessionmaker(
            self.engine,
            expire_on_commit=False,
            class_=AsyncSession,
            sync_session_class=_WaitingSession,
            info=info,
        )

    def _connect(self, dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        """Every new connection (the pool's first, or after pre-ping found one dead) comes here."""
        assert self._availability is not None
        while True:
            try:
                connection = dialect.connect(*cargs, **cparams)
                self._availability.answered()  # whoever connects first, waiting work resumes now
                return connection
            except Exception as exc:
                if not unreachable(exc):
                    raise
                self._availability.went_away(exc)
                if not _waits_for_the_database.get():
                    raise
                await_(self._availability.wait())

    async def ping(self, within: float = PING_TIMEOUT_SECONDS) -> bool:
        """Whether the database answers now, `within` seconds (for /readyz: never waits longer,
        not even for a hung connection to be given up, which goes on in the background)."""
        probe = asyncio.ensure_future(self._select_one())
        done, _ = await asyncio.wait({probe}, timeout=within)
        if not done:
            probe.cancel()
            return False
        return probe.result()

    async def _select_one(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def close(self) -> None:
        if self._availability is not None:
            await self._availability.close()
        await self.engine.dispose()
