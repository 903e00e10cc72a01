"""Each workspace's rules, applied before a job may call OpenAI, and the usage it made after.

A job whose action the workspace turned off, in a channel it did not allow, or from a person (or
workspace) over the daily token limit is refused with an ephemeral message saying why and who can
change it; nothing is sent to OpenAI. Every OpenAI call a job makes is recorded (workspace,
person, action, model, tokens, images, audio, estimated cost) and counted in /metrics without the
person.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.delivery import requester
from bot.delivery.where import Where
from bot.jobs import payloads as kinds
from bot.openai_models.prices import estimate
from bot.process.runtime import Runtime
from bot.process.usage_meter import Meter, metering
from storage import ClaimedJob
from storage.usage import Usage
from storage.workspace_settings import WorkspacePolicy

log = logging.getLogger(__name__)

# The actions a workspace can turn off or set a default model for, as people type them.
ACTIONS = ("chat", "vision", "image", "speech", "transcription", "translation")
# The daily token limits count these together ("all chat actions").
CHAT_ACTIONS = ("chat", "vision")
ADMINS = "a workspace admin (Slack admins and owners, or the people the bot's operator named)"


def action_of(payload: Any) -> str | None:
    """The OpenAI action a job performs, or None for jobs that call no model."""
    if isinstance(payload, kinds.ChatReply | kinds.Ask):
        return "vision" if payload.files or payload.image_urls else "chat"
    if isinstance(payload, kinds.SummarizeThread):
        return "chat"
    if isinstance(payload, kinds.CreateImage):
        return "image"
    if isinstance(payload, kinds.CreateSpeech):
        return "speech"
    if isinstance(payload, kinds.Transcribe):
        return "translation" if payload.task == "translate" else "transcription"
    return None


def start_of_day(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def resets_in(now: datetime) -> str:
    left = start_of_day(now) + timedelta(days=1) - now
    hours, minutes = divmod(int(left.total_seconds()) // 60, 60)
    return f"at 00:00 UTC (in {hours} h {minutes} min)"


def channel_allowed(policy: WorkspacePolicy, channel: str) -> bool:
    """Direct messages are always allowed; channels only when the workspace allows them."""
    return policy.allowed_channels is None or channel.startswith("D") or channel in policy.allowed_channels


async def refusal(
    rt: Runtime, where: Where, action: str, now: datetime | None = None
) -> tuple[str, str] | None:
    """(reason, message) when the workspace's rules refuse this action here, for this person."""
    if rt.workspace_settings is None or rt.usage is None:
        return None
    policy = await rt.workspace_settings.get(where.team_id)
    if action in policy.disabled_actions:
        return "action_off", (
            f":no_entry: *{action.capitalize()}* is turned off in this workspace. "
            f"{ADMINS.capitalize()} can turn it on with `/openai action {action} on`."
        )
    if where.channel and not channel_allowed(policy, where.channel):
        return "channel", (
            f":no_entry: I am not allowed to answer in <#{where.channel}>. "
            f"{ADMINS.capitalize()} can allow it with `/openai channels add <#{where.channel}>`."
        )
    if action not in CHAT_ACTIONS:
        return None
    now = now or datetime.now(UTC)
    today = start_of_day(now)
    per_user = policy.daily_tokens_per_user
    per_user = rt.settings.daily_token_limit_per_user if per_user is None else per_user
    if per_user:
        used = await rt.usage.totals(where.team_id, today, where.user, CHAT_ACTIONS)
        if used.tokens >= per_user:
            return "user_limit", (
                f":hourglass: You have used your {per_user:,} tokens for today. The limit resets "
                f"{resets_in(now)}. {ADMINS.capitalize()} can change it with `/openai limit user N`."
            )
    if policy.daily_tokens_per_workspace:
        used = await rt.usage.totals(where.team_id, today, None, CHAT_ACTIONS)
        if used.tokens >= policy.daily_tokens_per_workspace:
            return "workspace_limit", (
                f":hourglass: This workspace has used its {policy.daily_tokens_per_workspace:,} tokens "
                f"for today. The limit resets {resets_in(now)}. {ADMINS.capitalize()} can change it "
                "with `/openai limit workspace N`."
            )
    return None


def record(rt: Runtime, job: ClaimedJob, where: Where, action: str, meter: Meter) -> None:
    """What the job's OpenAI calls used: counted in /metrics now, and kept on the job, whose end
    writes it (one transaction with the job's status and answer)."""
    if rt.usage is None:
        return
    for call in meter.calls:
        model = call.model or "unknown"
        cost = estimate(
            model,
            prompt_tokens=call.prompt_tokens,
            completion_tokens=call.completion_tokens,
            images=call.images,
            audio_seconds=call.audio_seconds,
            overrides=rt.settings.openai_prices,
        )
        job.usage.append(
            Usage(
                team_id=where.team_id,
                user_id=where.user,
                action=action,
                model=model,
                prompt_tokens=call.prompt_tokens,
                completion_tokens=call.completion_tokens,
                images=call.images,
                audio_seconds=call.audio_seconds,
                cost_usd=cost,
            )
        )
        m = rt.metrics
        m.usage_tokens.labels(where.team_id, action, "prompt").inc(call.prompt_tokens)
        m.usage_tokens.labels(where.team_id, action, "completion").inc(call.completion_tokens)
        m.usage_images.labels(where.team_id, action).inc(call.images)
        m.usage_audio_seconds.labels(where.team_id, action).inc(call.audio_seconds)
        m.usage_cost.labels(where.team_id, action).inc(cost)


async def run(
    rt: Runtime, job: ClaimedJob, payload: Any, runner: Callable[[Runtime, ClaimedJob, Any], Awaitable[None]]
) -> None:
    """Run the job unless the workspace's rules refuse it; record what its OpenAI calls used."""
    action = action_of(payload)
    if action is None:
        await runner(rt, job, payload)
        return
    refused = await refusal(rt, payload.where, action)
    if refused is not None:
        reason, message = refused
        rt.metrics.refusals.labels(payload.where.team_id, reason).inc()
        log.info("job %s (%s) refused by the workspace's settings: %s", job.id, job.kind, reason)
        await requester.tell(rt.slack, payload.where, message)
        return
    meter = Meter()
    try:
        with metering(meter):
            await runner(rt, job, payload)
    finally:
        try:
            record(rt, job, payload.where, action, meter)
        except Exception:  # usage is bookkeeping: its failure must not fail the answer
            log.exception("could not record the usage of job %s", job.id)
