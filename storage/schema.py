"""Which migration the database is at, and which is the newest that ships: for `python -m bot check`."""

from __future__ import annotations

from dataclasses import dataclass

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from storage.db import Database
from storage.migrate import alembic_config


@dataclass(frozen=True)
class SchemaState:
    kind: str  # "SQLite" or "PostgreSQL"
    reachable: bool
    current: str | None  # None before the first migration
    head: str
    error: str | None = None

    @property
    def up_to_date(self) -> bool:
        return self.reachable and self.current == self.head


async def schema_state(url: str) -> SchemaState:
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head() or ""
    db = Database(url)
    kind = "SQLite" if db.is_sqlite else "PostgreSQL"
    try:
        async with db.engine.connect() as connection:
            try:
                current = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar()
            except SQLAlchemyError:
                current = None
    except Exception as exc:  # whatever the driver raises on connect, the report names it
        return SchemaState(kind, False, None, head, type(exc).__name__)
    finally:
        await db.close()
    return SchemaState(kind, True, str(current) if current else None, head)
