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
    "• `/openai key KEY` or `/openai key clear`: the workspace's own OpenAI key (stored encrypted, never shown)\n"
    "• `/openai model ACTION MODEL` or `/openai model ACTION default`: the default model of an action\n"
    "• `/openai action ACTION on|off`: turn an action on or off\n"
    "• `/openai channels all` or `/openai channels add|remove|only #channel …`: where the bot answers\n"
    "• `/openai limit user|workspace N` (0: no limit) or `/openai limit user default`: daily tokens\n"
    f"ACTION is one of {', '.join(settings_command.ACTIONS)}."
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
    await rt.record(WorkspaceCommand(where=origin.where, text=text).job(origin.dedup_key), "/openai")
    await ack(response_type="ephemeral", text=":hourglass_flowing_sand: One moment…")
