"""The /vision modal submitted: the link checked in place, or the question asked."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.blocks import forms, vision_modal
from bot.jobs.payloads import Ask
from bot.listeners.fields import view_origin
from bot.listeners.runtime_context import runtime_of
from bot.slack.links import file_stubs, refusal, split_links


async def handle(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    question, link, options, errors = vision_modal.read(forms.state_of(view))
    file_ids, urls, _ = split_links(link)
    if link and not file_ids and not urls:
        errors["link"] = "That is not a Slack file link or an https:// image URL."
    problem = refusal(urls)
    if problem:
        errors["link"] = problem.removeprefix(":warning: ")[:150]
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    origin = view_origin(body, view, context)
    payload = Ask(
        where=origin.where, text=question, options=options, files=file_stubs(file_ids), image_urls=urls
    )
    await runtime_of(context).record(payload.job(origin.dedup_key), "/vision modal")
    await ack()
