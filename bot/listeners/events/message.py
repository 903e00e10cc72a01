"""`message.*`: DMs to the bot, and follow-ups in threads the bot already answers.

One message can arrive as several events (`app_mention` and `message`, Slack's retries): they all
map to one dedup key, channel + message ts, so they collapse into one job.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.jobs import chat_reply
from bot.jobs.assistant_admin import assistant_job
from bot.jobs.notice import notice_job
from bot.jobs.transcribe import audio_files, audio_job
from bot.listeners.runtime_context import runtime_of
from bot.slack import text as slack_text
from bot.slack.flags import CHAT_FLAGS, FlagError, parse_flags
from storage import NewJob, ThreadKey

# Subtypes that are a person saying something new; edits, deletions, joins, bots are not.
PERSON_SUBTYPES = {None, "file_share", "thread_broadcast"}


def is_from_a_person(event: dict[str, Any], bot_user_id: str | None, bot_id: str | None) -> bool:
    return (
        event.get("subtype") in PERSON_SUBTYPES
        and bool(event.get("user"))
        and event.get("user") != bot_user_id
        and not event.get("bot_id")
        and not event.get("bot_profile")
        and "edited" not in event
    )


def message_job(event: dict[str, Any], team_id: str, bot_user_id: str | None) -> NewJob:
    """The chat job for a message; a bad flag at its start becomes a notice to its author instead."""
    channel, ts = event["channel"], event["ts"]
    thread_ts = event.get("thread_ts") or ts
    dedup_key = f"message:{team_id}:{channel}:{ts}"
    audio = audio_job_for(event, team_id, bot_user_id, dedup_key)
    if audio is not None:
        return audio
    said = slack_text.strip_mention(event.get("text", ""), bot_user_id)
    addressed = event.get("channel_type") == "im" or slack_text.mentions(event.get("text", ""), bot_user_id)
    words = said.split(maxsplit=2)
    if addressed and len(words) == 2 and words[0].lower() == "use":
        return assistant_job(
            dedup_key=dedup_key, action="use", team_id=team_id, channel=channel, user=event["user"],
            name=words[1], thread_ts=thread_ts,
        )  # fmt: skip
    assistant_name = None
    if addressed and len(words) >= 2 and words[0].lower() == "ask":
        assistant_name, said = words[1], words[2] if len(words) > 2 else ""
    try:
        options, text = parse_flags(said, CHAT_FLAGS, "a mention")
    except FlagError as exc:
        return notice_job(
            dedup_key=dedup_key,
            channel=channel,
            user=event["user"],
            text=f":warning: {exc}",
            thread_ts=thread_ts,
        )
    payload = chat_reply.payload_for_message(
        team_id=team_id,
        channel=channel,
        ts=ts,
        thread_ts=thread_ts,
        user=event["user"],
        text=text,
        channel_type=event.get("channel_type"),
        bot_user_id=bot_user_id,
        options=options,
        # Everything shared goes along: images and documents are read, anything else is reported.
        files=list(event.get("files") or []),
    )
    if assistant_name:
        payload.update(
            assistant_name=assistant_name, full_text=slack_text.unescape(f"ask {assistant_name} {text}")
        )
    return NewJob(
        kind=chat_reply.KIND,
        dedup_key=dedup_key,
        serial_key=f"thread:{team_id}:{channel}:{thread_ts}",
        payload=payload,
    )


AUDIO_WORDS = re.compile(r"\b(transcri\w*|translat\w*)\b", re.IGNORECASE)
TRANSLATE_WORD = re.compile(r"\btranslat\w*\b", re.IGNORECASE)


def audio_job_for(
    event: dict[str, Any], team_id: str, bot_user_id: str | None, dedup_key: str
) -> NewJob | None:
    """Audio shared with the bot is transcribed (translated when the text says "translate"); a
    mention inside a thread asking for it works on the audio that started the thread."""
    text = event.get("text") or ""
    thread_ts = event.get("thread_ts") or event["ts"]
    files = audio_files(event.get("files"))
    in_a_thread = bool(event.get("thread_ts")) and event.get("thread_ts") != event["ts"]
    if not files and not (
        in_a_thread and slack_text.mentions(text, bot_user_id) and AUDIO_WORDS.search(text)
    ):
        return None
    return audio_job(
        dedup_key=dedup_key,
        team_id=team_id,
        channel=event["channel"],
        user=event["user"],
        task="translate" if TRANSLATE_WORD.search(text) else "transcribe",
        files=files or None,
        thread_ts=thread_ts,
    )


async def handle(
    ack: AsyncAck, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
) -> None:
    if is_from_a_person(event, context.bot_user_id, context.bot_id):
        await _route(body, event, context)
    await ack()


async def _route(body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext) -> None:
    team_id = body.get("team_id") or context.team_id or ""
    rt = runtime_of(context)
    if event.get("channel_type") == "im" or slack_text.mentions(event.get("text", ""), context.bot_user_id):
        await rt.record(message_job(event, team_id, context.bot_user_id), "message")
        return
    thread_ts = event.get("thread_ts")
    if thread_ts and thread_ts != event["ts"]:
        if await rt.conversations.exists(ThreadKey(team_id, event["channel"], thread_ts)):
            await rt.record(message_job(event, team_id, context.bot_user_id), "thread_follow_up")
