"""`/openai …`: a person's usage, a workspace's settings shown, or changed by its admins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slack_sdk.errors import SlackApiError

from bot.delivery import requester
from bot.delivery.where import Where
from bot.jobs import workspace_gate
from bot.jobs.payloads import WorkspaceCommand
from bot.process.runtime import Runtime
from bot.slack.settings_command import CommandError, SettingsCommand, parse
from storage import ClaimedJob
from storage.usage import Totals
from storage.workspace_settings import AzureEndpoint, WorkspacePolicy

NOT_ADMIN = (
    ":lock: Only workspace admins can change the bot's settings: Slack admins and owners, or the "
    "people the bot's operator listed in ADMIN_USER_IDS. Ask one of them."
)


async def is_admin(rt: Runtime, where: Where) -> bool:
    if where.user in rt.settings.admin_user_ids:
        return True
    try:
        response = await rt.slack.users_info(user=where.user)
    except SlackApiError:
        return False
    user = response.get("user") or {}
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


def describe_totals(totals: Totals) -> str:
    parts = [f"{totals.prompt_tokens:,} tokens in", f"{totals.completion_tokens:,} out"]
    if totals.images:
        parts.append(f"{totals.images:,} image{'s' if totals.images != 1 else ''}")
    if totals.audio_seconds:
        parts.append(f"{totals.audio_seconds:,.0f} s of audio")
    parts.append(f"about ${totals.cost_usd:,.4f}")
    return ", ".join(parts)


async def usage_report(rt: Runtime, where: Where, admin: bool) -> str:
    assert rt.usage is not None
    now = datetime.now(UTC)
    today, month = workspace_gate.start_of_day(now), now - timedelta(days=30)
    mine_today = await rt.usage.totals(where.team_id, today, where.user)
    mine_month = await rt.usage.totals(where.team_id, month, where.user)
    lines = [
        "*Your usage*",
        f"• Today (UTC): {describe_totals(mine_today)}",
        f"• Last 30 days: {describe_totals(mine_month)}",
    ]
    if admin:
        lines.append("*This workspace, last 30 days*")
        lines.append(f"• In all: {describe_totals(await rt.usage.totals(where.team_id, month))}")
        by_person = await rt.usage.totals_by(where.team_id, month, "user_id")
        by_action = await rt.usage.totals_by(where.team_id, month, "action")
        lines += ["_By person_"] + [f"• <@{user}>: {describe_totals(t)}" for user, t in by_person.items()]
        lines += ["_By action_"] + [f"• {action}: {describe_totals(t)}" for action, t in by_action.items()]
    lines.append("_Costs are estimates from the bot's price table, not OpenAI's bill._")
    return "\n".join(lines)


def show(rt: Runtime, policy: WorkspacePolicy) -> str:
    s = rt.settings
    models = {
        action: policy.models.get(action) or getattr(s, f"openai_{action}_model")
        for action in workspace_gate.ACTIONS
    }
    user_limit = policy.daily_tokens_per_user
    user_limit = s.daily_token_limit_per_user if user_limit is None else user_limit
    channels = (
        "all"
        if policy.allowed_channels is None
        else ", ".join(f"<#{c}>" for c in sorted(policy.allowed_channels))
    )
    off = ", ".join(sorted(policy.disabled_actions)) or "none"
    if policy.azure is not None:
        access = "its own Azure OpenAI endpoint (set; the models below are its deployments)"
    else:
        access = "its own (set)" if policy.has_own_key else "the bot’s"
    return "\n".join(
        [
            "*This workspace's settings*",
            f"• OpenAI key: {access}",
            ("• Deployments: " if policy.azure is not None else "• Models: ")
            + ", ".join(f"{a} `{m}`" for a, m in models.items()),
            f"• Actions turned off: {off}",
            f"• Channels where the bot answers: {channels or 'none'} (direct messages always)",
            f"• Daily tokens per person: {user_limit:,}" + (" (no limit)" if not user_limit else ""),
            f"• Daily tokens for the workspace: {policy.daily_tokens_per_workspace or 0:,}"
            + (" (no limit)" if not policy.daily_tokens_per_workspace else ""),
        ]
    )


async def change(rt: Runtime, where: Where, cmd: SettingsCommand) -> str:
    assert rt.workspace_settings is not None
    store, team = rt.workspace_settings, where.team_id
    if cmd.verb == "key":
        await store.change(team, where.user, {"openai_api_key": cmd.key})
        if cmd.key is None:
            return ":white_check_mark: This workspace now uses the bot's OpenAI key."
        return ":white_check_mark: This workspace's OpenAI key is stored, encrypted; it is never shown again."
    if cmd.verb == "azure":
        return await change_azure(rt, where, cmd)
    if cmd.verb == "model":
        assert cmd.action is not None
        await store.change(team, where.user, {"models": {cmd.action: cmd.model}})
        return f":white_check_mark: Default model for {cmd.action}: `{cmd.model or 'the bot’s default'}`."
    policy = await store.get(team)
    if cmd.verb == "action":
        assert cmd.action is not None
        off = (
            set(policy.disabled_actions) - {cmd.action}
            if cmd.enabled
            else {*policy.disabled_actions, cmd.action}
        )
        await store.change(team, where.user, {"disabled_actions": off})
        return f":white_check_mark: {cmd.action.capitalize()} is now {'on' if cmd.enabled else 'off'}."
    if cmd.verb == "channels":
        current = set(policy.allowed_channels or ())
        allowed: set[str] | None
        if cmd.channel_mode == "all":
            allowed = None
        elif cmd.channel_mode == "add":
            allowed = current | set(cmd.channels)
        elif cmd.channel_mode == "remove":
            allowed = current - set(cmd.channels)
        else:
            allowed = set(cmd.channels)
        await store.change(team, where.user, {"allowed_channels": allowed})
        if allowed is None:
            return ":white_check_mark: The bot now answers in every channel it is in."
        listed = ", ".join(f"<#{c}>" for c in sorted(allowed)) or "no channel (direct messages only)"
        return f":white_check_mark: The bot now answers in {listed} and in direct messages."
    field = "daily_tokens_per_user" if cmd.scope == "user" else "daily_tokens_per_workspace"
    await store.change(team, where.user, {field: cmd.limit})
    who = "per person" if cmd.scope == "user" else "for the workspace"
    if cmd.limit is None:
        return f":white_check_mark: The daily token limit {who} is back to the bot's default."
    return f":white_check_mark: Daily token limit {who}: {cmd.limit:,}" + (
        " (no limit)." if not cmd.limit else "."
    )


async def change_azure(rt: Runtime, where: Where, cmd: SettingsCommand) -> str:
    """A workspace's own Azure OpenAI endpoint, or back to the bot's OpenAI. Raises CommandError for
    an endpoint the operator does not allow (WORKSPACE_AZURE_ENDPOINTS)."""
    assert rt.workspace_settings is not None
    if cmd.key is None:
        await rt.workspace_settings.change(where.team_id, where.user, {"azure": None})
        return ":white_check_mark: This workspace now uses the bot's OpenAI key."
    assert cmd.endpoint is not None and cmd.api_version is not None
    if not rt.settings.workspace_azure_allowed(cmd.endpoint):
        raise CommandError(
            "that endpoint is not one this bot may send requests to: an Azure OpenAI resource's "
            "https URL (such as https://NAME.openai.azure.com), or one the bot's operator added to "
            "WORKSPACE_AZURE_ENDPOINTS"
        )
    azure = AzureEndpoint(cmd.endpoint, cmd.api_version, cmd.key)
    await rt.workspace_settings.change(where.team_id, where.user, {"azure": azure})
    return (
        ":white_check_mark: This workspace's Azure OpenAI endpoint and key are stored, encrypted; they "
        "are never shown again. Its requests now go to its deployments: name one per action with "
        "`/openai model ACTION DEPLOYMENT` (unset, a deployment is named like the bot's default model)."
    )


def unsealed(rt: Runtime, p: WorkspaceCommand) -> SettingsCommand | None:
    """The command whose secret travelled encrypted in the job (a key, or an Azure endpoint)."""
    store = rt.workspace_settings
    if store is None:
        return None
    if p.sealed_azure:
        return parse(store.unseal(p.sealed_azure))
    if p.sealed_key:
        return SettingsCommand(verb="key", key=store.unseal(p.sealed_key))
    return None


async def run_form(rt: Runtime, p: WorkspaceCommand) -> None:
    """The settings modal: every line a subcommand, applied in order (admins only)."""
    where = p.where
    if not await is_admin(rt, where):
        await requester.tell(rt.slack, where, NOT_ADMIN)
        return
    commands = [parse(line) for line in p.lines]
    secret = unsealed(rt, p)
    if secret is not None:
        commands.append(secret)
    problems = []
    for cmd in commands:
        try:
            await change(rt, where, cmd)
        except CommandError as exc:
            problems.append(f":warning: Not saved: {exc}.")
    assert rt.workspace_settings is not None
    policy = await rt.workspace_settings.get(where.team_id)
    await requester.tell(
        rt.slack, where, "\n".join([*problems, ":white_check_mark: Saved.", show(rt, policy)])
    )


async def run(rt: Runtime, job: ClaimedJob, p: WorkspaceCommand) -> None:
    where = p.where
    if p.lines:
        await run_form(rt, p)
        return
    try:
        cmd = unsealed(rt, p) or parse(p.text)
    except CommandError as exc:
        await requester.tell(rt.slack, where, f":warning: {exc}. `/openai help` lists the subcommands.")
        return
    if cmd.verb == "usage":
        await requester.tell(rt.slack, where, await usage_report(rt, where, await is_admin(rt, where)))
    elif cmd.verb == "show":
        assert rt.workspace_settings is not None
        await requester.tell(rt.slack, where, show(rt, await rt.workspace_settings.get(where.team_id)))
    elif cmd.changes_settings:
        if not await is_admin(rt, where):
            await requester.tell(rt.slack, where, NOT_ADMIN)
            return
        try:
            done = await change(rt, where, cmd)
        except CommandError as exc:
            done = f":warning: {exc}."
        await requester.tell(rt.slack, where, done)
