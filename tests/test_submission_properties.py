"""Property tests of every modal's submission handler: any field values, any JSON in the view's
state, get either errors shown on the modal's own fields, or one correct job. Never an exception
(a view that is not one Slack sends, without its user or metadata, is refused as malformed: 400).

The handlers run in-process with Bolt's context; the runtime is reduced to what a submission uses
(its settings, and `record`, which keeps the job instead of writing it to a database)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from slack_bolt.context.async_context import AsyncBoltContext

from bot.actions.images import image_request
from bot.actions.speech import speech_request
from bot.blocks import ask_modal, assistant_modal, forms, image_modal, speech_modal
from bot.config import Settings
from bot.jobs import payloads
from bot.listeners.fields import Malformed
from bot.listeners.runtime_context import RUNTIME_KEY
from bot.listeners.submissions import (
    ask_modal_submitted,
    assistant_modal_submitted,
    media_modals_submitted,
    vision_modal_submitted,
)
from bot.slack.flags import DETAIL_LEVELS
from handlers.ask_chatgpt import ChatRequest
from handlers.create_assistant import validated_fields
from handlers.create_image import NAMED_SIZES, QUALITIES, RESPONSE_FORMATS, STYLES
from handlers.create_speech import FORMATS, VOICES
from storage import ClaimedJob, NewJob

Handler = Callable[..., Awaitable[None]]
SETTINGS = Settings(slack_bot_token=SecretStr("xoxb-test"), openai_api_key=SecretStr("sk-test"))


class Recorder:
    """The runtime as a submission sees it."""

    def __init__(self) -> None:
        self.settings = SETTINGS
        self.jobs: list[NewJob] = []

    async def record(self, job: NewJob, trigger: str) -> bool:
        self.jobs.append(job)
        return True


class Ack:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


def _valid_request(kind: str, options: dict[str, Any], text: str = "") -> None:
    """The job's options make the action's request (what the job runner will build)."""
    if kind == payloads.CreateImage.KIND:
        image_request(SETTINGS, "T0TEST", "U0ALICE", options)
    elif kind == payloads.CreateSpeech.KIND:
        speech_request(SETTINGS, options)
    elif kind == payloads.Ask.KIND:
        chat = {k: v for k, v in options.items() if k != "detail"}
        assert options.get("detail", "auto") in DETAIL_LEVELS
        ChatRequest(messages=[], **{"model": "gpt-6-luna", **chat})
        assert text.strip()
    elif kind == payloads.AssistantCommand.KIND:
        pass  # its fields were validated by the handler with the very function the job uses


# (handler, block ids of the modal, choices of its selects)
MODALS: dict[str, tuple[Handler, list[str], dict[str, list[str]]]] = {
    "ask": (
        ask_modal_submitted.handle,
        ["prompt", "model", *(field for field, *_ in ask_modal.TYPED_FIELDS)],
        {"model": ["gpt-6-luna", "gpt-5.4-mini"]},
    ),
    "image": (
        media_modals_submitted.image_submitted,
        ["prompt", "model", *image_modal.CHOSEN, *image_modal.TYPED],
        {
            "model": ["gpt-image-2.6-flare", "dall-e-3"],
            "quality": list(QUALITIES),
            "size": list(NAMED_SIZES),
            "style": list(STYLES),
            "response_format": list(RESPONSE_FORMATS),
        },
    ),
    "speech": (
        media_modals_submitted.speech_submitted,
        ["input", "model", "voice", "response_format", *speech_modal.TYPED],
        {"model": ["gpt-4o-mini-tts"], "voice": list(VOICES), "response_format": list(FORMATS)},
    ),
    "vision": (
        vision_modal_submitted.handle,
        ["prompt", "link", "model", "detail"],
        {"model": ["gpt-6-luna"], "detail": list(DETAIL_LEVELS)},
    ),
    "assistant": (
        assistant_modal_submitted.handle,
        ["model", *assistant_modal.TYPED],
        {"model": ["gpt-6-luna"]},
    ),
}

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
TYPED_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["0.5", "2", "11", "-1", "nan", "1e309", '{"50256": -100}', "[" * 2000, "a\nb\nc\nd\ne",
         "create_image,read_aloud", '[{"type": "function"}]', "F0ABCDEF", "https://example.com/a.png",
         "https://files.slack.com/files-pri/T0TEST-F0ABCDEF/a.png", "SupportBot", "alloy"]
    ),
)  # fmt: skip


def entry(choices: list[str] | None) -> st.SearchStrategy[Any]:
    typed = TYPED_TEXT.map(lambda text: {forms.ACTION: {"type": "plain_text_input", "value": text}})
    options = st.sampled_from(choices) if choices else TYPED_TEXT
    selected = st.one_of(options, TYPED_TEXT).map(
        lambda v: {forms.ACTION: {"type": "static_select", "selected_option": {"value": v}}}
    )
    empty = st.just({forms.ACTION: {"type": "static_select", "selected_option": None}})
    return st.one_of(typed, selected, empty, JSON)


def state_for(blocks: list[str], choices: dict[str, list[str]]) -> st.SearchStrategy[Any]:
    fields = st.fixed_dictionaries({}, optional={block: entry(choices.get(block)) for block in blocks})
    return st.one_of(fields, fields, fields, JSON)


METADATA = st.one_of(
    st.just(json.dumps({"channel_id": "C0CHAN", "team_id": "T0TEST"})),
    st.just(json.dumps({"channel_id": "C0CHAN", "team_id": "T0TEST"})),
    st.text(max_size=10),
    JSON.map(json.dumps),
)


@pytest.mark.parametrize("modal", list(MODALS))
@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
async def test_a_submission_gets_field_errors_or_one_correct_job(modal: str, data: st.DataObject) -> None:
    handler, blocks, choices = MODALS[modal]
    values = data.draw(state_for(blocks, choices), label="state values")
    metadata = data.draw(METADATA, label="private_metadata")
    view = {"id": "V0VIEW", "hash": "h1", "private_metadata": metadata, "state": {"values": values}}
    body = {"type": "view_submission", "user": {"id": "U0ALICE"}, "view": view}
    recorder, ack = Recorder(), Ack()
    context = AsyncBoltContext({RUNTIME_KEY: recorder, "team_id": "T0TEST"})
    try:
        await handler(ack=ack, body=body, view=view, context=context)
    except Malformed:
        # Only a view Slack would never send: metadata that is not the JSON object we put there.
        parsed = json.loads(metadata) if _is_json(metadata) else None
        assert not isinstance(parsed, dict), metadata
        assert not recorder.jobs
        return
    [acked] = ack.calls
    if acked.get("response_action") == "errors":
        errors = acked["errors"]
        assert errors and set(errors) <= set(blocks), errors  # shown on fields the modal has
        assert all(isinstance(m, str) and 0 < len(m) <= 150 for m in errors.values()), errors
        assert not recorder.jobs
        return
    assert acked == {}
    [job] = recorder.jobs
    payload = payloads.read(ClaimedJob(1, job.kind, job.payload, 1))
    options = dict(getattr(payload, "options", None) or {})
    _valid_request(job.kind, options, getattr(payload, "text", ""))
    if isinstance(payload, payloads.AssistantCommand):
        # The recorded fields are valid as they are, and validating them is stable (the runner
        # validates them again; spec defaults such as a function's empty parameters are filled in).
        fields = validated_fields(payload.fields, creating=True)
        assert payload.action == "create" and validated_fields(fields, creating=True) == fields


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True
