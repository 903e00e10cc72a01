"""Clicks on an answer's feedback buttons, the "Tell what was wrong" button, and its form.

A click is recorded as a job (the vote is stored by bot/jobs/feedback.py), then acked. Signature
checking happens before any of this: a forged click gets 401 and reaches no listener.
"""

from __future__ import annotations

import json
import time
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import feedback
from bot.delivery.where import Where
from bot.jobs.payloads import AnswerFeedback
from bot.listeners.fields import Malformed, object_field, team_of, text_field
from bot.listeners.runtime_context import runtime_of
from bot.listeners.views import open_view

ANSWER_FIELDS = ("team_id", "channel_id", "thread_ts", "message_ts")


def _answer(data: Any) -> dict[str, str]:
    """Where an answer is, as the follow-up button and the form carry it."""
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) and data[k] for k in ANSWER_FIELDS):
        raise Malformed("the answer's location is missing")
    return {k: data[k] for k in ANSWER_FIELDS}


async def vote(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext
) -> None:
    value = action.get("value")
    if value not in feedback.VOTES:
        await ack()
        return
    container, message = object_field(body, "container"), object_field(body, "message")
    team = team_of(body, context)
    user = text_field(object_field(body, "user"), "id")
    channel = str(object_field(body, "channel").get("id") or text_field(container, "channel_id"))
    message_ts = str(message.get("ts") or text_field(container, "message_ts"))
    thread_ts = str(message.get("thread_ts") or container.get("thread_ts") or message_ts)
    action_ts = str(action.get("action_ts") or "")
    try:
        voted_at = float(action_ts) if action_ts else time.time()
    except ValueError as exc:
        raise Malformed("`action_ts` is not a Slack timestamp") from exc
    payload = AnswerFeedback(
        where=Where(team_id=team, channel=channel, user=user, thread_ts=thread_ts),
        message_ts=message_ts,
        value=value,
        voted_at=voted_at,
    )
    key = f"feedback:{team}:{channel}:{message_ts}:{user}:{action_ts or voted_at}"
    await runtime_of(context).record(payload.job(key), "answer_feedback")
    await ack()


async def explain(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """ "Tell what was wrong": the form opens right after the ack (the trigger id lasts 3 s)."""
    try:
        answer = _answer(json.loads(str(action.get("value") or "")))
    except ValueError as exc:
        raise Malformed("the button's value is not the answer's location") from exc
    trigger_id = text_field(body, "trigger_id")
    channel = text_field(object_field(body, "channel"), "id", required=False) or None
    user = text_field(object_field(body, "user"), "id", required=False) or None
    await ack()
    runtime_of(context).spawn(
        open_view(client, trigger_id, feedback.comment_modal(answer), channel=channel, user=user),
        "open the feedback form",
    )


async def comment_submitted(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    comment, errors = feedback.read_comment(view["state"]["values"])
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    try:
        answer = _answer(json.loads(text_field(view, "private_metadata")))
    except ValueError as exc:
        raise Malformed("`private_metadata` is not the answer's location") from exc
    user = text_field(object_field(body, "user"), "id")
    payload = AnswerFeedback(
        where=Where(
            team_id=answer["team_id"], channel=answer["channel_id"], user=user, thread_ts=answer["thread_ts"]
        ),
        message_ts=answer["message_ts"],
        comment=comment,
    )
    key = f"view:{answer['team_id']}:{text_field(view, 'id')}:{view.get('hash', '')}"
    await runtime_of(context).record(payload.job(key), "answer_feedback comment")
    await ack()
