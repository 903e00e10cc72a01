"""`/openai …`: help at once; usage and a workspace's settings from a recorded job (issue 14)."""

from __future__ import annotations

import dataclasses
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import workspace_settings_modal
from bot.delivery import requester
from bot.delivery.where import Where
from bot.jobs import workspace_command
from bot.jobs.payloads import WorkspaceCommand
from bot.listeners.fields import command_origin, view_origin
from bot.listeners.runtime_context import runtime_of
from bot.listeners.views import open_view
from bot.process.runtime import Runtime
from bot.slack import settings_command
from bot.slack.settings_command import CommandError, parse

HELP = (
    "*`/openai` subcommands*\n"
    "• `/openai usage`: your usage today and over 30 days (admins also see the workspace's)\n"
    "• `/openai show`: this workspace's settings; `/openai settings`: all of them in a form (admins)\n"
    "Admins only (Slack admins and owners, or the bot operator's ADMIN_USER_IDS):\n"
    "• `/openai key KEY` or `/openai key clear`: its own OpenAI key (kept encrypted, never shown)\n"
    "• `/openai azure ENDPOINT API_VERSION KEY` or `/openai azure clear`: its own Azure OpenAI "
    "resource instead (kept encrypted, never shown); `/openai model ACTION DEPLOYMENT` names its "
    "deployments\n"
    "• `/openai model ACTION MODEL` or `/openai model ACTION default`: the default model of an action\n"
    "• `/openai action ACTION on|off`: turn an action on or off\n"
    "• `/openai channels all` or `/openai channels add|remove|only #channel …`: where the bot answers\n"
    "• `/openai limit user|workspace N` (0: no limit) or `/openai limit user default`: daily tokens\n"
    f"ACTION is one of {', '.join(settings_command.ACTIONS)}."
)

NO_ENCRYPTION_KEY = (
    ":warning: This bot cannot keep a workspace's own OpenAI key: its operator must set ENCRYPTION_KEY first."
)


async def open_modal(rt: Runtime, client: AsyncWebClient, where: Where, trigger_id: str) -> None:
    """After the ack: admins get the modal (while the trigger id is fresh), others a message why not."""
    admin_rt = dataclasses.replace(rt, slack=client)
    if not await workspace_command.is_admin(admin_rt, where):
        await requester.tell(client, where, workspace_command.NOT_ADMIN)
        return
    assert rt.workspace_settings is not None
    policy = await rt.workspace_settings.get(where.team_id)
    view = workspace_settings_modal.build(
        models=policy.models,
        actions=settings_command.ACTIONS,
        disabled=policy.disabled_actions,
        channels=policy.allowed_channels,
        limit_user=policy.daily_tokens_per_user,
        limit_workspace=policy.daily_tokens_per_workspace,
        has_own_key=policy.has_own_key,
        has_azure=policy.azure is not None,
        channel_id=where.channel,
        team_id=where.team_id,
    )
    await open_view(client, trigger_id, view, channel=where.channel, user=where.user)


async def submitted(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    rt = runtime_of(context)
    origin = view_origin(body, view, context)
    lines, key = workspace_settings_modal.read(view["state"]["values"], settings_command.ACTIONS)
    errors: dict[str, str] = {}
    for block_id, line in lines:
        try:
            parse(line)
        except CommandError as exc:
            errors.setdefault(block_id, str(exc)[:150])
    sealed = sealed_azure = None
    endpoint, version = workspace_settings_modal.read_azure(view["state"]["values"])
    if endpoint is not None and endpoint.lower() == "clear":
        lines.append(("azure_endpoint", "azure clear"))
    elif endpoint is not None:  # the key typed goes with it, as its Azure OpenAI key
        command, key = f"azure {endpoint} {version or '-'} {key or '-'}", None
        try:
            parsed = parse(command)
            assert parsed.endpoint is not None
            if not rt.settings.workspace_azure_allowed(parsed.endpoint):
                raise CommandError("the bot may not send requests there (WORKSPACE_AZURE_ENDPOINTS)")
        except CommandError as exc:
            errors["azure_endpoint"] = str(exc)[:150]
        if rt.workspace_settings is None or not rt.workspace_settings.can_keep_secrets:
            errors["azure_endpoint"] = NO_ENCRYPTION_KEY.removeprefix(":warning: ")[:150]
        elif not errors:
            sealed_azure = rt.workspace_settings.seal(command)
    if key is not None and key.lower() == "clear":
        lines.append(("key", "key clear"))
    elif key is not None:
        try:
            parse(f"key {key}")
        except CommandError as exc:
            errors["key"] = str(exc)[:150]
        if rt.workspace_settings is None or not rt.workspace_settings.can_keep_secrets:
            errors["key"] = NO_ENCRYPTION_KEY.removeprefix(":warning: ")[:150]
        else:
            sealed = rt.workspace_settings.seal(key)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    payload = WorkspaceCommand(
        where=origin.where,
        text="settings",
        sealed_key=sealed,
        sealed_azure=sealed_azure,
        lines=[line for _, line in lines],
    )
    await rt.record(payload.job(origin.dedup_key), "/openai settings")
    await ack()


async def handle(
    ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    rt = runtime_of(context)
    origin = command_origin(command, context)
    text = str(command.get("text") or "")
    try:
        cmd = parse(text)
    except CommandError as exc:
        await ack(response_type="ephemeral", text=f":warning: {exc}. `/openai help` lists the subcommands.")
        return
    if cmd.verb == "help":
        await ack(response_type="ephemeral", text=HELP)
        return
    if cmd.verb == "settings":
        await ack()
        rt.spawn(
            open_modal(rt, client, origin.where, str(command.get("trigger_id") or "")), "/openai settings"
        )
        return
    sealed = sealed_azure = None
    if cmd.verb in ("key", "azure") and cmd.key is not None:  # never recorded in plain text
        if rt.workspace_settings is None or not rt.workspace_settings.can_keep_secrets:
            await ack(response_type="ephemeral", text=NO_ENCRYPTION_KEY)
            return
        if cmd.verb == "azure":
            sealed_azure, text = rt.workspace_settings.seal(text), "azure"
        else:
            sealed, text = rt.workspace_settings.seal(cmd.key), "key"
    payload = WorkspaceCommand(where=origin.where, text=text, sealed_key=sealed, sealed_azure=sealed_azure)
    await rt.record(payload.job(origin.dedup_key), "/openai")
    await ack(response_type="ephemeral", text=":hourglass_flowing_sand: One moment…")
