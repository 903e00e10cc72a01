"""One typed payload per kind of job, sharing one `Where`.

A listener builds the payload; `job()` turns it into the row the queue records (JSON); the
dispatcher reads it back with `read()`, validated, before the runner sees it. Rows recorded before
payloads had a `where` (flat `team_id`, `channel`, … fields) are read the same way.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.delivery.where import Where
from storage import ClaimedJob, NewJob

_WHERE_FIELDS = set(Where.model_fields)

# A Slack file object as Slack sends it (id, name, mimetype, url_private_download, …), or a stub
# `{"id": …, "file_access": "check_file_info"}` to be looked up with files.info.
SlackFile = dict[str, Any]
# Flags or modal fields by property name, validated into the action's request model when run.
Options = dict[str, Any]


class JobPayload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    KIND: ClassVar[str]
    # Jobs of one thread run one at a time, in order: those that answer in a thread.
    ONE_AT_A_TIME_PER_THREAD: ClassVar[bool] = False

    where: Where

    @model_validator(mode="before")
    @classmethod
    def _lift_flat_where(cls, data: Any) -> Any:
        if isinstance(data, dict) and "where" not in data and _WHERE_FIELDS & set(data):
            flat = {k: v for k, v in data.items() if k in _WHERE_FIELDS}
            rest = {k: v for k, v in data.items() if k not in _WHERE_FIELDS and k in cls.model_fields}
            for required in ("team_id", "channel", "user"):
                flat.setdefault(required, "")
            return {**rest, "where": flat}
        return data

    def serial_key(self) -> str | None:
        w = self.where
        if not (self.ONE_AT_A_TIME_PER_THREAD and w.thread_ts):
            return None
        return f"thread:{w.team_id}:{w.channel}:{w.thread_ts}"

    def job(self, dedup_key: str) -> NewJob:
        return NewJob(
            kind=self.KIND,
            dedup_key=dedup_key,
            payload=self.model_dump(mode="json", exclude_defaults=True),
            serial_key=self.serial_key(),
        )


class ChatReply(JobPayload):
    """Answer the message `ts` in its thread (`where.thread_ts`)."""

    KIND = "chat.reply"
    ONE_AT_A_TIME_PER_THREAD = True
    ts: str
    text: str
    channel_type: str | None = None
    bot_user_id: str | None = None
    options: Options = Field(default_factory=dict)
    files: list[SlackFile] = Field(default_factory=list)
    image_urls: list[str] = Field(default_factory=list)
    # "@bot ask NAME …": the assistant asked for, and the words as typed (asked as they are when
    # there is no such assistant).
    assistant_name: str | None = None
    full_text: str | None = None

    @property
    def thread_ts(self) -> str:
        return self.where.thread_ts or self.ts


class Ask(JobPayload):
    """`/ask` or `/vision`: post the question in the channel, then answer it in its thread."""

    KIND = "chat.ask"
    text: str
    options: Options = Field(default_factory=dict)
    files: list[SlackFile] = Field(default_factory=list)
    image_urls: list[str] = Field(default_factory=list)


class Notice(JobPayload):
    """Tell one person something privately (a bad flag, a hint)."""

    KIND = "notice"
    text: str


class CreateImage(JobPayload):
    KIND = "image.create"
    options: Options


class CreateSpeech(JobPayload):
    KIND = "speech.create"
    options: Options
    source: Literal["command", "read_aloud"] = "command"


class Transcribe(JobPayload):
    """Transcribe (or translate) `files`; None means the audio at the start of `where.thread_ts`.
    `announce`: first post "… asked me to transcribe …" and work in that message's thread."""

    KIND = "audio.transcribe"
    ONE_AT_A_TIME_PER_THREAD = True
    task: Literal["transcribe", "translate"]
    files: list[SlackFile] | None = None
    options: Options = Field(default_factory=dict)
    announce: bool = False


AssistantAction = Literal["create", "list", "show", "update", "delete", "use"]


class AssistantCommand(JobPayload):
    KIND = "assistant.command"
    action: AssistantAction
    name: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict)


class SummarizeThread(JobPayload):
    KIND = "thread.summarize"
    ONE_AT_A_TIME_PER_THREAD = True
    bot_user_id: str | None = None


class McpApproval(JobPayload):
    """Approve or Deny clicked on an MCP tool call the assistant asked about (issue 13)."""

    KIND = "assistant.mcp_approval"
    ONE_AT_A_TIME_PER_THREAD = True
    response_id: str
    approval_id: str
    requester: str
    assistant: str
    approve: bool
    message_ts: str = ""
    question: str = ""


class SuggestPrompts(JobPayload):
    KIND = "welcome.prompts"


class PublishHome(JobPayload):
    KIND = "welcome.home"


# --- many workspaces (issue 14) ---
class WorkspaceCommand(JobPayload):
    """`/openai …` (help is answered at once): usage, or a workspace setting an admin changes."""

    KIND = "workspace.command"
    text: str  # as typed, except a key (`/openai key …`): that is in sealed_key, encrypted
    sealed_key: str | None = None
    # `/openai azure ENDPOINT VERSION KEY` as typed, encrypted (it holds the key); text is "azure".
    sealed_azure: str | None = None
    lines: list[str] = Field(default_factory=list)  # the settings modal, as subcommands


# --- end many workspaces ---


PAYLOADS: dict[str, type[JobPayload]] = {
    payload.KIND: payload
    for payload in (
        ChatReply,
        Ask,
        Notice,
        CreateImage,
        CreateSpeech,
        Transcribe,
        AssistantCommand,
        SummarizeThread,
        SuggestPrompts,
        PublishHome,
        McpApproval,
        WorkspaceCommand,  # issue 14
    )
}


# --- answers people can rate, message shortcuts (issue 15) --------------------------------------
class AnswerFeedback(JobPayload):
    """A click on an answer's feedback buttons (`value`, at Slack's `voted_at`), or what was wrong
    with it (`comment`). `where.thread_ts` is the answer's conversation, `message_ts` the answer."""

    KIND = "feedback.answer"
    message_ts: str
    value: Literal["positive", "negative"] | None = None
    voted_at: float = 0.0
    comment: str | None = None


class TranslateMessage(JobPayload):
    """Shortcut "Translate": `text` into `language` (None: the clicking person's Slack locale),
    answered privately in the message's thread. `source_job` : a later choice of language reads
    the text from the first job instead of carrying it again."""

    KIND = "message.translate"
    text: str = ""
    language: str | None = None
    source_job: int | None = None


class Proofread(JobPayload):
    """Shortcut "Proofread": `text` corrected in `tone`, shown in the modal `external_id` (or
    `view_id`), from which the person may post it in the thread. `source_job` as for Translate."""

    KIND = "message.proofread"
    text: str = ""
    tone: str = "keep"
    external_id: str | None = None
    view_id: str | None = None
    source_job: int | None = None


class PostProofread(JobPayload):
    """The proofread text posted in the thread on the person's behalf, saying so."""

    KIND = "message.proofread.post"
    text: str = ""
    result_job: int | None = None  # the text is that job's result (too long for the form's field)


PAYLOADS.update({p.KIND: p for p in (AnswerFeedback, TranslateMessage, Proofread, PostProofread)})
# --- end issue 15 -------------------------------------------------------------------------------


def read(job: ClaimedJob) -> JobPayload:
    """The job's payload, validated; KeyError for an unknown kind, ValidationError for a bad row."""
    return PAYLOADS[job.kind].model_validate(job.payload)
