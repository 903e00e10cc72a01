"""Apply the Alembic migrations that ship inside this package.

Alembic's async env runs its own event loop (asyncio.run), so call `upgrade` before the bot's
loop starts, or from a worker thread.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from storage.db import ensure_sqlite_directory

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    ensure_sqlite_directory(url)
    command.upgrade(alembic_config(url), revision)
