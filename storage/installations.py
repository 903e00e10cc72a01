"""Bolt's installation and OAuth state stores, kept in our database.

Only the bot installation is kept (the app asks for no user scopes), one row per workspace, its
tokens encrypted. A `state` is single-use: consuming it deletes it, so a replayed callback, on
this replica or another, finds nothing.
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import UTC

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy import delete, select

from storage.db import Database
from storage.secrets import Cipher
from storage.tables import OAuthState, SlackInstallation, utcnow

log = logging.getLogger(__name__)


class InstallationStore(AsyncInstallationStore):
    def __init__(self, db: Database, cipher: Cipher, client_id: str) -> None:
        self._db = db
        self._cipher = cipher
        self.client_id = client_id

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        await self.async_save_bot(installation.to_bot(), installer_user_id=installation.user_id)

    async def async_save_bot(self, bot: Bot, installer_user_id: str | None = None) -> None:
        if not bot.team_id or not bot.bot_token:
            raise ValueError("an installation without a team or a bot token cannot be stored")
        refresh = self._cipher.encrypt(bot.bot_refresh_token) if bot.bot_refresh_token else None
        async with self._db.sessions.begin() as session:
            row = await session.get(SlackInstallation, bot.team_id)
            if row is None:
                row = SlackInstallation(team_id=bot.team_id)
                session.add(row)
            row.enterprise_id = bot.enterprise_id
            row.team_name = bot.team_name
            row.app_id = bot.app_id
            row.bot_id = bot.bot_id
            row.bot_user_id = bot.bot_user_id
            row.bot_scopes = ",".join(bot.bot_scopes or [])
            row.bot_token_encrypted = self._cipher.encrypt(bot.bot_token)
            row.bot_refresh_token_encrypted = refresh
            row.bot_token_expires_at = bot.bot_token_expires_at
            row.is_enterprise_install = bool(bot.is_enterprise_install)
            row.installer_user_id = installer_user_id or row.installer_user_id
            row.installed_at = utcnow()

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        if not team_id:
            return None
        async with self._db.sessions() as session:
            row = await session.get(SlackInstallation, team_id)
        if row is None:
            return None
        installed_at = row.installed_at if row.installed_at.tzinfo else row.installed_at.replace(tzinfo=UTC)
        return Bot(
            app_id=row.app_id,
            enterprise_id=row.enterprise_id,
            team_id=row.team_id,
            team_name=row.team_name,
            bot_token=self._cipher.decrypt(row.bot_token_encrypted),
            bot_refresh_token=(
                self._cipher.decrypt(row.bot_refresh_token_encrypted)
                if row.bot_refresh_token_encrypted
                else None
            ),
            bot_token_expires_at=row.bot_token_expires_at,
            bot_id=row.bot_id or "",
            bot_user_id=row.bot_user_id or "",
            bot_scopes=row.bot_scopes,
            is_enterprise_install=row.is_enterprise_install,
            installed_at=installed_at.timestamp(),
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return None  # no user tokens are kept: Bolt is told to look up bots only

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        if not team_id:
            return
        async with self._db.sessions.begin() as session:
            await session.execute(delete(SlackInstallation).where(SlackInstallation.team_id == team_id))
        log.info("installation of workspace %s deleted", team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is None:
            await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    async def installed_teams(self) -> list[str]:
        async with self._db.sessions() as session:
            return list((await session.scalars(select(SlackInstallation.team_id))).all())


class OAuthStateStore(AsyncOAuthStateStore):
    def __init__(self, db: Database, expiration_seconds: int) -> None:
        self._db = db
        self.expiration_seconds = expiration_seconds

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: object, **kwargs: object) -> str:
        state = secrets.token_urlsafe(32)
        now = time.time()
        async with self._db.sessions.begin() as session:
            await session.execute(delete(OAuthState).where(OAuthState.expires_at < now))
            session.add(OAuthState(state=state, expires_at=now + self.expiration_seconds))
        return state

    async def async_consume(self, state: str) -> bool:
        if not state or len(state) > 64:
            return False
        async with self._db.sessions.begin() as session:
            result = await session.execute(
                delete(OAuthState).where(OAuthState.state == state, OAuthState.expires_at >= time.time())
            )
            consumed = bool(getattr(result, "rowcount", 0))
            if not consumed:
                await session.execute(delete(OAuthState).where(OAuthState.state == state))
        return consumed
