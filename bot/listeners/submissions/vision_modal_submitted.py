"""The /vision modal submitted: the link checked in place, or the question asked."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.blocks import vision_modal
from bot.jobs.ask import ask_job
from bot.listeners.commands.vision import refusal, split_links
from bot.listeners.runtime_context import runtime_of
from bot.listeners.submissions.submission import origin


async def handle(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    question, link, options, errors = vision_modal.read(view["state"]["values"])
    file_ids, urls, _ = split_links(link)
    if link and not file_ids and not urls:
        errors["link"] = "That is not a Slack file link or an https:// image URL."
    problem = refusal(urls)
    if problem:
        errors["link"] = problem.removeprefix(":warning: ")[:150]
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    where = origin(body, view, context)
    job = ask_job(
        dedup_key=where.dedup_key,
        team_id=where.team_id,
        channel=where.channel,
        user=where.user,
        text=question,
        options=options,
        response_url=None,
        files=[{"id": file_id, "file_access": "check_file_info"} for file_id in file_ids],
        image_urls=urls,
    )
    await runtime_of(context).record(job, "/vision modal")
    await ack()
