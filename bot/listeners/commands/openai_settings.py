"""`/openai …`: help at once; usage and a workspace's settings from a recorded job (issue 14)."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.jobs.payloads import WorkspaceCommand
from bot.listeners.fields import command_origin
from bot.listeners.runtime_context import runtime_of
from bot.slack import settings_command
from bot.slack.settings_command import CommandError, parse

HELP = (
    "*`/openai` subcommands*\n"
    "• `/openai usage`: your usage today and over 30 days (admins also see the workspace's)\n"
    "• `/openai show`: this workspace's settings\n"
    "Admins only (Slack admins and owners, or the bot operator's ADMIN_USER_IDS):\n"
    "• `/openai key KEY` or `/openai key clear`: its own OpenAI key (kept encrypted, never shown)\n"
    "• `/openai model ACTION MODEL` or `/openai model ACTION default`: the default model of an action\n"
    "• `/openai action ACTION on|off`: turn an action on or off\n"
    "• `/openai channels all` or `/openai channels add|remove|only #channel …`: where the bot answers\n"
    "• `/openai limit user|workspace N` (0: no limit) or `/openai limit user default`: daily tokens\n"
    f"ACTION is one of {', '.join(settings_command.ACTIONS)}."
)

NO_ENCRYPTION_KEY = (
    ":warning: This bot cannot keep a workspace's own OpenAI key: its operator must set ENCRYPTION_KEY first."
)


async def handle(ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext) -> None:
    rt = runtime_of(context)
    origin = command_origin(command, context)
    text = str(command.get("text") or "")
    try:
        cmd = parse(text)
    except CommandError as exc:
        await ack(response_type="ephemeral", text=f":warning: {exc}. `/openai help` lists the subcommands.")
        return
    if cmd.verb in ("help", "settings"):
        await ack(response_type="ephemeral", text=HELP)
        return
    sealed = None
    if cmd.verb == "key" and cmd.key is not None:  # never recorded in plain text, not even in a job
        if rt.workspace_settings is None or not rt.workspace_settings.can_keep_secrets:
            await ack(response_type="ephemeral", text=NO_ENCRYPTION_KEY)
            return
        sealed, text = rt.workspace_settings.seal(cmd.key), "key"
    payload = WorkspaceCommand(where=origin.where, text=text, sealed_key=sealed)
    await rt.record(payload.job(origin.dedup_key), "/openai")
    await ack(response_type="ephemeral", text=":hourglass_flowing_sand: One moment…")
