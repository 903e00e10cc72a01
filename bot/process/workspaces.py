"""Many workspaces (OAuth distribution): each workspace's own token, for everything done for it.

A job names its workspace (`where.team_id`); the dispatcher asks `for_workspace` for a runtime
whose Slack client, people lookup and downloads carry that workspace's stored token. A workspace
that is no longer installed gets None: its jobs end without touching Slack.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.downloads.slack import SlackDownloader
from bot.rate_limits.client import BudgetedWebClient
from bot.slack.people import People
from storage.installations import InstallationStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkspaceClients:
    token: str
    slack: BudgetedWebClient
    people: People
    downloader: SlackDownloader


class Workspaces:
    """The installations, and one set of clients per workspace (rebuilt when its token changes)."""

    def __init__(
        self, store: InstallationStore, slack: BudgetedWebClient, downloader: SlackDownloader
    ) -> None:
        self.store = store
        self._slack = slack
        self._downloader = downloader
        self._clients: dict[str, WorkspaceClients] = {}

    async def clients(self, team_id: str) -> WorkspaceClients | None:
        bot = await self.store.async_find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or not bot.bot_token:
            self._clients.pop(team_id, None)
            return None
        known = self._clients.get(team_id)
        if known is not None and known.token == bot.bot_token:
            return known
        slack = self._slack.with_token(bot.bot_token, team_id)  # within its own rate budget
        made = WorkspaceClients(
            bot.bot_token, slack, People(slack), self._downloader.with_token(bot.bot_token)
        )
        self._clients[team_id] = made
        return made
