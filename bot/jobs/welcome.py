"""Welcome someone who opens the bot: suggested prompts in a new chat, and the Home tab (every
action with a button opening its form, their recent conversations, their usage today, and the
workspace's settings for admins)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from slack_sdk.errors import SlackApiError

from bot.blocks import home, welcome
from bot.jobs import workspace_command, workspace_gate
from bot.jobs.payloads import PublishHome, SuggestPrompts
from bot.process.runtime import Runtime
from storage import ClaimedJob
from storage.recent_conversations import recent_conversations

log = logging.getLogger(__name__)

RECENT = 8
TITLE_LENGTH = 70


async def suggest_prompts(rt: Runtime, job: ClaimedJob, p: SuggestPrompts) -> None:
    await rt.slack.assistant_threads_setSuggestedPrompts(
        channel_id=p.where.channel,
        thread_ts=p.where.thread_ts,
        title=welcome.SUGGESTED_PROMPTS_TITLE,
        prompts=welcome.SUGGESTED_PROMPTS,
    )


async def publish_home(rt: Runtime, job: ClaimedJob, p: PublishHome) -> None:
    team, user = p.where.team_id, p.where.user
    recent, usage, settings = await asyncio.gather(
        _recent(rt, team, user), usage_today(rt, team, user), workspace_settings(rt, team)
    )
    if settings is not None and not await workspace_command.is_admin(rt, p.where):
        settings = None
    view = home.home_view(
        chat_model=rt.settings.openai_chat_model,
        dm_channel=p.where.channel,
        recent=recent,
        usage_today=usage,
        workspace_settings=settings,
    )
    await rt.slack.views_publish(user_id=user, view=view)


async def usage_today(rt: Runtime, team_id: str, user_id: str) -> list[str] | None:
    """The person's own usage today (UTC), as `/openai usage` says it; None without usage records."""
    if rt.usage is None:
        return None
    totals = await rt.usage.totals(team_id, workspace_gate.start_of_day(datetime.now(UTC)), user_id)
    return [workspace_command.describe_totals(totals)] if totals.calls else []


async def workspace_settings(rt: Runtime, team_id: str) -> list[str] | None:
    """The workspace's settings, one line each, as `/openai show` says them (shown to admins)."""
    if rt.workspace_settings is None:
        return None
    policy = await rt.workspace_settings.get(team_id)
    return workspace_command.show(rt, policy).split("\n")[1:]  # without its heading


async def _recent(rt: Runtime, team_id: str, user_id: str) -> list[home.RecentConversation]:
    found = await recent_conversations(rt.db, team_id, user_id, RECENT)
    links = await asyncio.gather(*(_permalink(rt, c.channel_id, c.thread_ts) for c in found))
    return [
        home.RecentConversation(
            title=_title(c.first_question), link=link, channel=c.channel_id, when=_when(c.updated_at)
        )
        for c, link in zip(found, links, strict=True)
    ]


async def _permalink(rt: Runtime, channel: str, ts: str) -> str:
    with contextlib.suppress(SlackApiError):
        response = await rt.slack.chat_getPermalink(channel=channel, message_ts=ts)
        if response.get("permalink"):
            return str(response["permalink"])
    return f"https://slack.com/archives/{channel}/p{ts.replace('.', '')}"


def _title(question: str) -> str:
    title = " ".join(question.split()) or "(a file)"
    return title if len(title) <= TITLE_LENGTH else title[: TITLE_LENGTH - 1].rstrip() + "…"


def _when(moment: datetime) -> str:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    today = datetime.now(UTC).date()
    day = "today" if moment.date() == today else moment.strftime("%d %b %Y")
    return f"{day} {moment:%H:%M} UTC"
