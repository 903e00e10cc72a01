"""Welcome someone who opens the bot: suggested prompts in a new chat, the Home tab's help."""

from __future__ import annotations

from bot.blocks import welcome
from bot.jobs.payloads import PublishHome, SuggestPrompts
from bot.process.runtime import Runtime
from storage import ClaimedJob


async def suggest_prompts(rt: Runtime, job: ClaimedJob, p: SuggestPrompts) -> None:
    await rt.slack.assistant_threads_setSuggestedPrompts(
        channel_id=p.where.channel,
        thread_ts=p.where.thread_ts,
        title=welcome.SUGGESTED_PROMPTS_TITLE,
        prompts=welcome.SUGGESTED_PROMPTS,
    )


async def publish_home(rt: Runtime, job: ClaimedJob, p: PublishHome) -> None:
    await rt.slack.views_publish(user_id=p.where.user, view=welcome.home_view(rt.settings.openai_chat_model))
