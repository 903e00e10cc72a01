"""`/vision [flags] question <Slack file link | https image URL>`: ask about an image; no text opens
a modal. Every /ask flag applies, plus `--detail`."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import vision_modal
from bot.downloads import public as safe_fetch
from bot.jobs.ask import ask_job
from bot.listeners.commands.flag_command import read_command
from bot.listeners.runtime_context import runtime_of
from bot.slack.files import file_ids_in
from bot.slack.flags import VISION_FLAGS

USAGE = "Usage: `/vision [--model M] [--detail low|high|auto] … question <image link>`"
LINK = re.compile(r"<?(https?://[^\s<>|]+)(?:\|[^>]*)?>?")


def split_links(text: str) -> tuple[list[str], list[str], str]:
    """(Slack file ids, other image URLs, the question without the links)."""
    file_ids: list[str] = []
    urls: list[str] = []
    for match in LINK.finditer(text):
        url = match.group(1)
        host = re.sub(r"^https?://", "", url).split("/", 1)[0].lower()
        ids = file_ids_in(url) if host.endswith("slack.com") else []
        file_ids.extend(ids) if ids else urls.append(url)
    return file_ids, urls, re.sub(r"\s+", " ", LINK.sub(" ", text)).strip()


def refusal(urls: list[str]) -> str | None:
    """A link that may not be fetched at all (not https, a private address), said at once."""
    for url in urls:
        try:
            safe_fetch.check_url(url)
        except safe_fetch.UnsafeURL as exc:
            return f":warning: {url}: {exc}"
    return None


async def handle(
    ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    rt = runtime_of(context)
    read = await read_command(
        ack, command, client, context, flags=VISION_FLAGS, usage=USAGE, open_modal=open_modal
    )
    if read is None:
        return
    options, rest = read
    file_ids, urls, question = split_links(rest)
    if not file_ids and not urls:
        await ack(response_type="ephemeral", text=f":warning: `/vision` needs an image link. {USAGE}")
        return
    problem = refusal(urls)
    if problem:
        await ack(response_type="ephemeral", text=problem)
        return
    team_id = command.get("team_id") or context.team_id or ""
    job = ask_job(
        dedup_key=f"command:{team_id}:{command.get('trigger_id')}",
        team_id=team_id,
        channel=command["channel_id"],
        user=command["user_id"],
        text=question,
        options=options,
        response_url=command.get("response_url"),
        files=[{"id": file_id, "file_access": "check_file_info"} for file_id in file_ids],
        image_urls=urls,
    )
    await rt.record(job, "/vision")
    await ack()


async def open_modal(command: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext) -> None:
    rt = runtime_of(context)
    view = vision_modal.build(
        models=await rt.models.chat_models(),
        default_model=rt.settings.openai_vision_model,
        channel_id=command["channel_id"],
        team_id=command.get("team_id"),
    )
    await client.views_open(trigger_id=command["trigger_id"], view=view)
