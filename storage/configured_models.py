"""Models chosen in Slack and kept in the database, read for `python -m bot check` (which lists
every configured model with its shutdown date)."""

from __future__ import annotations

from sqlalchemy import select

from storage.db import Database
from storage.tables import WorkspaceSettings


async def workspace_models(db: Database) -> list[tuple[str, str, str]]:
    """(team id, action, model) of every workspace's own default models (`/openai model`)."""
    async with db.sessions() as session:
        statement = select(WorkspaceSettings).order_by(WorkspaceSettings.team_id)
        rows = (await session.execute(statement)).scalars()
        return [
            (row.team_id, action, model)
            for row in rows
            for action, model in sorted((row.models or {}).items())
            if model
        ]
