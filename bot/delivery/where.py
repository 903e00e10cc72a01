"""Where a job's answer goes and whom it is for: the workspace, the channel, the thread, the person,
and (for slash commands) the response URL that reaches them even where the bot is not a member."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Where(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    team_id: str
    channel: str
    user: str
    thread_ts: str | None = None
    response_url: str | None = None

    def in_thread(self, thread_ts: str | None) -> Where:
        return self.model_copy(update={"thread_ts": thread_ts})
