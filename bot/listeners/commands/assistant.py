"""`/assistant create|list|show NAME|update NAME|delete NAME|use NAME|none [flags]`.

Flags and limits are checked at once (a bad one is answered privately); the work is a job.
`/assistant create` with no flags opens a modal.
"""

from __future__ import annotations

from typing import Any, get_args

from pydantic import ValidationError
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.actions import mcp_secrets
from bot.blocks import assistant_modal
from bot.delivery.validation_messages import flag_problem
from bot.jobs.payloads import AssistantAction, AssistantCommand
from bot.listeners.fields import command_origin, text_field
from bot.listeners.runtime_context import runtime_of
from bot.listeners.views import open_command_view
from bot.slack.command_help import CommandHelp, asks_for_help
from bot.slack.flags import ASSISTANT_FLAGS, FlagError, parse_flags
from handlers.create_assistant import validated_fields

USAGE = (
    'Usage: `/assistant create --name NAME [--model M] [--description D] [--instructions "…"] '
    "[--tools '[…]'] [--file-ids F1,F2] [--metadata '{\"k\":\"v\"}']`, `/assistant list`, "
    "`/assistant show NAME`, `/assistant update NAME [flags]`, `/assistant delete NAME`, "
    "`/assistant use NAME` (or `none`) for this channel; in a thread, mention me: `@ChatGPT use NAME`. "
    "`/assistant help` lists every flag."
)
ACTIONS: dict[str, AssistantAction] = {action: action for action in get_args(AssistantAction)}
HELP = CommandHelp(
    command="/assistant",
    summary="your workspace's own assistants: a model, instructions, tools and reference files.",
    flags=ASSISTANT_FLAGS,
    free_text="(flags only)",
    subcommands=(
        ("create --name NAME [flags]", "create one (`/assistant create` alone opens a form)"),
        ("list", "list this workspace's assistants"),
        ("show NAME", "show one, as OpenAI showed assistants"),
        ("update NAME [flags]", "change the fields given"),
        ("use NAME", "every answer in this channel comes from it (`use none` stops)"),
        ("delete NAME", "delete it"),
    ),
    examples=(
        '/assistant create --name Support --model gpt-6-luna --instructions "Be kind and brief."',
        "/assistant update Support --tools create_image,read_aloud --file-ids F0123ABCD",
        "/assistant use Support",
    ),
    notes=("In a thread, mention me: `@ChatGPT use NAME`, or `@ChatGPT ask NAME question`.",),
)


async def handle(
    ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    rt = runtime_of(context)
    origin = command_origin(command, context)
    words = text_field(command, "text", required=False).strip().split(maxsplit=1)
    if words and asks_for_help(words[0]) and len(words) == 1:
        await ack(response_type="ephemeral", text=HELP.text())
        return
    action = ACTIONS.get(words[0].lower() if words else "")
    rest = words[1] if len(words) > 1 else ""
    if action is None:
        await ack(response_type="ephemeral", text=USAGE)
        return
    if action == "create" and not rest.strip():
        await ack()
        rt.spawn(open_modal(command, client, context), "open the /assistant modal")
        return
    name = None
    if action in {"show", "update", "delete", "use"}:
        parts = rest.split(maxsplit=1)
        if not parts:
            await ack(
                response_type="ephemeral", text=f":warning: `/assistant {action}` needs a name. {USAGE}"
            )
            return
        name, rest = parts[0], parts[1] if len(parts) > 1 else ""
    fields: dict[str, Any] = {}
    if action in {"create", "update"}:
        try:
            values, leftover = parse_flags(rest, ASSISTANT_FLAGS, f"/assistant {action}")
            if leftover:
                raise FlagError(f"Unexpected text `{leftover[:40]}`: quote values that have spaces. {USAGE}")
            fields = mcp_secrets.seal(rt.settings, validated_fields(values, creating=action == "create"))
        except FlagError as exc:
            await ack(response_type="ephemeral", text=f":warning: {exc}")
            return
        except ValidationError as exc:
            await ack(response_type="ephemeral", text=flag_problem(exc))
            return
        except ValueError as exc:
            await ack(response_type="ephemeral", text=f":warning: {exc}")
            return
    elif rest.strip():
        await ack(response_type="ephemeral", text=f":warning: `/assistant {action}` takes no flags. {USAGE}")
        return
    payload = AssistantCommand(where=origin.where, action=action, name=name, fields=fields)
    await rt.record(payload.job(origin.dedup_key), "/assistant")
    await ack()


async def open_modal(command: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext) -> None:
    rt = runtime_of(context)
    view = assistant_modal.build(
        models=await rt.models.chat_models(),
        default_model=rt.settings.openai_chat_model,
        channel_id=command["channel_id"],
        team_id=command.get("team_id"),
    )
    await open_command_view(client, command, view)
