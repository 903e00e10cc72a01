"""Welcome someone who opens the bot: suggested prompts in a new chat, the Home tab's help."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.blocks import welcome
from storage import ClaimedJob

if TYPE_CHECKING:
    from bot.process.runtime import Runtime

PROMPTS = "welcome.prompts"
HOME = "welcome.home"


async def suggest_prompts(rt: Runtime, job: ClaimedJob) -> None:
    p = job.payload
    await rt.slack.assistant_threads_setSuggestedPrompts(
        channel_id=p["channel"],
        thread_ts=p.get("thread_ts"),
        title=welcome.SUGGESTED_PROMPTS_TITLE,
        prompts=welcome.SUGGESTED_PROMPTS,
    )


async def publish_home(rt: Runtime, job: ClaimedJob) -> None:
    await rt.slack.views_publish(
        user_id=job.payload["user"], view=welcome.home_view(rt.settings.openai_chat_model)
    )
