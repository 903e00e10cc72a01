"""`message.*`: DMs to the bot, and follow-ups in threads the bot already answers.

One message can arrive as several events (`app_mention` and `message`, Slack's retries): they all
map to one dedup key, channel + message ts, so they collapse into one job.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.actions.transcription import audio_files
from bot.delivery.where import Where
from bot.jobs.payloads import AssistantCommand, ChatReply, JobPayload, Notice, Transcribe
from bot.listeners.fields import Malformed, team_of
from bot.listeners.runtime_context import runtime_of
from bot.slack import text as slack_text
from bot.slack.flags import CHAT_FLAGS, FlagError, parse_flags
from storage import NewJob, ThreadKey

# Subtypes that are a person saying something new; edits, deletions, joins, bots are not.
PERSON_SUBTYPES = {None, "file_share", "thread_broadcast"}
AUDIO_WORDS = re.compile(r"\b(transcri\w*|translat\w*)\b", re.IGNORECASE)
TRANSLATE_WORD = re.compile(r"\btranslat\w*\b", re.IGNORECASE)


class MessageEvent(BaseModel):
    """The fields of a `message` or `app_mention` event the bot reads."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    channel: str
    ts: str
    user: str | None = None
    text: str = ""
    thread_ts: str | None = None
    channel_type: str | None = None
    subtype: str | None = None
    bot_id: str | None = None
    bot_profile: Any = None
    edited: Any = None
    files: list[dict[str, Any]] = []

    @field_validator("text", "files", mode="before")
    @classmethod
    def _absent_is_empty(cls, value: Any, info: ValidationInfo) -> Any:
        return ("" if info.field_name == "text" else []) if value is None else value

    @classmethod
    def read(cls, event: dict[str, Any]) -> MessageEvent:
        try:
            return cls.model_validate(event)
        except ValidationError as exc:
            raise Malformed(f"a message event without the fields Slack sends ({exc.error_count()})") from None

    def from_a_person(self, bot_user_id: str | None) -> bool:
        return (
            self.subtype in PERSON_SUBTYPES
            and bool(self.user)
            and self.user != bot_user_id
            and not self.bot_id
            and not self.bot_profile
            and self.edited is None
        )

    @property
    def in_a_thread(self) -> bool:
        return bool(self.thread_ts) and self.thread_ts != self.ts


def message_job(event: MessageEvent, team_id: str, bot_user_id: str | None) -> NewJob:
    """The job for a message: audio to transcribe, an assistant to use, or a question to answer;
    a bad flag at its start becomes a notice to its author instead."""
    where = Where(
        team_id=team_id, channel=event.channel, user=event.user or "", thread_ts=event.thread_ts or event.ts
    )
    dedup_key = f"message:{team_id}:{event.channel}:{event.ts}"
    return _payload(event, where, bot_user_id).job(dedup_key)


def _payload(event: MessageEvent, where: Where, bot_user_id: str | None) -> JobPayload:
    files = audio_files(event.files)
    mentioned = slack_text.mentions(event.text, bot_user_id)
    if files or (event.in_a_thread and mentioned and AUDIO_WORDS.search(event.text)):
        # Audio shared with the bot is transcribed (translated when the text says "translate"); a
        # mention inside a thread asking for it works on the audio that started the thread.
        translate = bool(TRANSLATE_WORD.search(event.text))
        return Transcribe(where=where, task="translate" if translate else "transcribe", files=files or None)
    said = slack_text.strip_mention(event.text, bot_user_id)
    addressed = event.channel_type == "im" or mentioned
    words = said.split(maxsplit=2)
    if addressed and len(words) == 2 and words[0].lower() == "use":
        return AssistantCommand(where=where, action="use", name=words[1])
    assistant_name = None
    if addressed and len(words) >= 2 and words[0].lower() == "ask":
        assistant_name, said = words[1], words[2] if len(words) > 2 else ""
    try:
        options, text = parse_flags(said, CHAT_FLAGS, "a mention")
    except FlagError as exc:
        return Notice(where=where, text=f":warning: {exc}")
    return ChatReply(
        where=where,
        ts=event.ts,
        text=text,
        channel_type=event.channel_type,
        bot_user_id=bot_user_id,
        options=options,
        # Everything shared goes along: images and documents are read, anything else is reported.
        files=list(event.files),
        assistant_name=assistant_name,
        full_text=slack_text.unescape(f"ask {assistant_name} {text}") if assistant_name else None,
    )


async def handle(
    ack: AsyncAck, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
) -> None:
    message = MessageEvent.read(event)
    if message.from_a_person(context.bot_user_id):
        await _route(body, message, context)
    await ack()


async def _route(body: dict[str, Any], event: MessageEvent, context: AsyncBoltContext) -> None:
    team_id = team_of(body, context)
    rt = runtime_of(context)
    if event.channel_type == "im" or slack_text.mentions(event.text, context.bot_user_id):
        await rt.record(message_job(event, team_id, context.bot_user_id), "message")
        return
    if event.in_a_thread and event.thread_ts:
        if await rt.conversations.exists(ThreadKey(team_id, event.channel, event.thread_ts)):
            await rt.record(message_job(event, team_id, context.bot_user_id), "thread_follow_up")
