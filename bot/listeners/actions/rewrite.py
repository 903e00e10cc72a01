"""Choices made after "Translate" and "Proofread": another language, another tone, and "Post in
thread". Each is recorded as a job and acked; the text itself is read from the first job."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.blocks import rewrite
from bot.delivery.where import Where
from bot.jobs.payloads import PostProofread, Proofread, TranslateMessage
from bot.listeners.fields import Malformed, object_field, team_of, text_field
from bot.listeners.runtime_context import runtime_of
from bot.slack.languages import LANGUAGES
from handlers.rewrite_text import TONES


def _selected(action: dict[str, Any]) -> str:
    return text_field(object_field(action, "selected_option"), "value")


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        metadata = json.loads(text_field(view, "private_metadata"))
    except ValueError as exc:
        raise Malformed("`private_metadata` is not JSON") from exc
    if not isinstance(metadata, dict) or not isinstance(metadata.get("source_job"), int):
        raise Malformed("`private_metadata` does not name the proofread job")
    return metadata


def _where(body: dict[str, Any], context: AsyncBoltContext, metadata: dict[str, Any]) -> Where:
    return Where(
        team_id=team_of(body, context),
        channel=str(metadata.get("channel_id") or ""),
        user=text_field(object_field(body, "user"), "id"),
        thread_ts=metadata.get("thread_ts") or None,
    )


async def translate_again(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext
) -> None:
    job_text, _, language = _selected(action).partition(":")
    if not job_text.isdigit() or language not in LANGUAGES:
        raise Malformed("the chosen language is not one offered")
    channel = str(
        object_field(body, "channel").get("id") or object_field(body, "container").get("channel_id")
    )
    where = Where(
        team_id=team_of(body, context), channel=channel, user=text_field(object_field(body, "user"), "id")
    )
    payload = TranslateMessage(where=where, language=language, source_job=int(job_text))
    key = f"action:{where.team_id}:{text_field(body, 'trigger_id')}"
    await runtime_of(context).record(payload.job(key), "translate again")
    await ack()


async def change_tone(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext
) -> None:
    tone = _selected(action)
    if tone not in TONES:
        raise Malformed("the chosen tone is not one offered")
    view = object_field(body, "view")
    metadata = _metadata(view)
    payload = Proofread(
        where=_where(body, context, metadata),
        tone=tone,
        view_id=text_field(view, "id"),
        source_job=metadata["source_job"],
    )
    key = f"action:{payload.where.team_id}:{text_field(body, 'trigger_id')}"
    await runtime_of(context).record(payload.job(key), "proofread tone")
    await ack()


async def post_in_thread(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    metadata = _metadata(view)
    text = rewrite.read_result(view["state"]["values"])
    result_job = metadata.get("result_job") if isinstance(metadata.get("result_job"), int) else None
    if not text and result_job is None:
        await ack(response_action="errors", errors={rewrite.RESULT_BLOCK: "There is nothing to post."})
        return
    payload = PostProofread(
        where=_where(body, context, metadata), text=text, result_job=None if text else result_job
    )
    key = f"view:{payload.where.team_id}:{text_field(view, 'id')}:{view.get('hash', '')}"
    await runtime_of(context).record(payload.job(key), "proofread post")
    await ack()
