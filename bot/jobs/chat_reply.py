"""Answer a message in its thread with "Ask ChatGPT", streamed, and remember the exchange.

Used by every chat trigger: a mention, a DM, a follow-up in a thread, `/ask` (after it posted the
question), the /ask modal and "Summarize thread". The payload says where (channel, thread), who
asked, what, and the per-turn options (the /ask flags).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import openai
from pydantic import ValidationError
from slack_sdk.errors import SlackApiError

from bot.actions import tools as bot_tools
from bot.actions.end_user import safety_identifier
from bot.content import documents, tokens
from bot.content.context_fit import fit
from bot.delivery import requester
from bot.delivery.earlier_reply import find_earlier_reply
from bot.delivery.openai_errors import describe
from bot.delivery.streamed_reply import StreamedReply
from bot.delivery.validation_messages import job_problem
from bot.delivery.where import Where
from bot.jobs import chat_inputs, chat_outcome, hosted_reply
from bot.jobs.chat_messages import chat_messages, system_prompt
from bot.jobs.payloads import ChatReply
from bot.openai_models.lifecycle import Choice, ModelShutDown
from bot.process.runtime import Runtime
from bot.rate_limits.budget import optional
from handlers.ask_chatgpt import (
    ChatMessage,
    ChatOutcome,
    ChatRequest,
    ChatTimeout,
    complete_chat,
    stream_chat,
)
from handlers.responses_chat import uses_hosted_tools
from storage import ClaimedJob, StoredMessage, ThreadKey
from storage.assistants import AssistantRecord

log = logging.getLogger(__name__)

EMPTY_PROMPT = (
    "Hi! Ask me anything: mention me with your question, e.g. `@ChatGPT what is a haiku?`, "
    "and I'll answer in this thread."
)
ABOUT_THIS = "What can you tell me about what I shared?"
TRIMMED = (
    "_(This thread is longer than the model can read at once, so its oldest messages were left out "
    "of the context.)_"
)
# Room kept for the answer when the user sets no --max-tokens.
DEFAULT_ANSWER_RESERVE = 4_096
MAX_TOOL_ROUNDS = 3


async def _earlier_reply(rt: Runtime, job: ClaimedJob, p: ChatReply) -> str | None:
    if job.progress.get("reply_ts"):
        return str(job.progress["reply_ts"])
    # Died before the reply's ts was recorded (perhaps before there was a reply): look, rarely.
    return await find_earlier_reply(
        rt.slack, channel=p.where.channel, thread_ts=p.thread_ts, after_ts=p.ts, bot_user_id=p.bot_user_id
    )


async def run(rt: Runtime, job: ClaimedJob, p: ChatReply) -> None:
    await answer(rt, job, p)


@dataclass
class Turn:
    """One question, ready to ask: what is sent, and what is kept once it is answered."""

    key: ThreadKey
    question: StoredMessage
    first_in_thread: bool
    request: ChatRequest
    images: bool
    dropped: int
    notes: list[str]
    assistant: AssistantRecord | None
    choice: Choice | None = None  # issue 13: the model chosen (a shut-down default replaced)


async def answer(rt: Runtime, job: ClaimedJob, p: ChatReply) -> None:
    where = p.where.in_thread(p.thread_ts)
    key = ThreadKey(where.team_id, where.channel, p.thread_ts)
    outcome_before = chat_outcome.recorded(job) if job.resumed else None
    if outcome_before is not None:
        # Killed after the answer was recorded: show that answer, finished; the model is not asked.
        await chat_outcome.redeliver(rt, job, p, key, outcome_before)
        return
    # The thread is a conversation from now on: a reply typed while this answer streams is
    # recorded, and answered after it (jobs of one thread run in order). Its history is read in
    # the same transaction: nothing else joins the thread before this job does.
    history = await rt.conversations.open(key)
    if not p.text.strip() and not (p.files or p.image_urls):
        await rt.slack.chat_postMessage(channel=where.channel, thread_ts=p.thread_ts, text=EMPTY_PROMPT)
        return
    reply = await _reply_for(rt, job, p)
    await reply.set_status("is thinking…")
    turn = await _prepare(rt, p, key, history)
    if isinstance(turn, str):
        # Nothing half-done: the person hears what is wrong with what they shared; OpenAI is not asked.
        await requester.tell(rt.slack, where, turn)
        return

    started = time.monotonic()
    first_token_seen = False

    async def on_text(text: str) -> None:
        nonlocal first_token_seen
        if not first_token_seen:
            first_token_seen = True
            rt.metrics.first_token_seconds.observe(time.monotonic() - started)
        await reply.append(text)

    if turn.assistant is not None:
        offered = bot_tools.expand(turn.assistant.tools) or None
    else:
        offered = bot_tools.DEFINITIONS if rt.settings.openai_tools_enabled else None

    async def attempt(choice: Choice) -> tuple[ChatOutcome, str, list[str]]:
        turn.request = turn.request.model_copy(update={"model": choice.model})
        if choice is not turn.choice and choice.replaced:
            turn.notes.append(choice.note())
        if turn.assistant is not None and uses_hosted_tools(turn.assistant.tools):
            return await hosted_reply.converse(rt, turn.request, on_text, reply, where, turn.assistant)
        return await _converse(rt, turn.request, on_text, reply, where, offered)

    try:
        assert turn.choice is not None
        outcome, said, notes = await rt.chooser.call(turn.choice, attempt)
    except ModelShutDown as exc:
        await reply.fail(exc.message())
        await rt.conversations.append(key, [turn.question], job_id=job.id)
        return
    except (openai.OpenAIError, ChatTimeout) as exc:
        rt.metrics.openai_errors.labels(type(exc).__name__).inc()
        log.warning("chat job %s failed upstream: %s", job.id, type(exc).__name__)
        failure = ("\n\n" if reply.said else "") + describe(exc, turn.request.model, images=turn.images)
        # The question stays in the conversation so that "try again" in the thread has context.
        await chat_outcome.finish(rt, job, reply, key, failure, [turn.question])
        return

    cut = outcome.incomplete_note
    answer_message = StoredMessage(
        role="assistant",
        # Marked as the person sees it, so the model knows its last answer was cut.
        content="\n\n".join(
            part for part in [*notes, said or _tool_calls_text(outcome).strip(), cut] if part
        ),
        model=outcome.model,
        prompt_tokens=outcome.prompt_tokens,
        completion_tokens=outcome.completion_tokens,
    )
    footer = await _footer(rt, turn, outcome)
    await chat_outcome.finish(rt, job, reply, key, footer, [turn.question, answer_message], rated=True)
    rt.metrics.delivery_paths.labels(reply.path).inc()
    log.debug("chat job %s: the answer reached Slack as %s", job.id, reply.path)
    if turn.first_in_thread and p.channel_type == "im":
        await _set_title(rt, where, p.text)
    _count_tokens(rt, outcome)


async def _reply_for(rt: Runtime, job: ClaimedJob, p: ChatReply) -> StreamedReply:
    """Where the answer goes: a new message, or the one an interrupted attempt started."""
    existing_ts = await _earlier_reply(rt, job, p) if job.resumed else None

    async def remember_reply_ts(ts: str) -> None:
        job.progress = {**job.progress, "reply_ts": ts}
        await rt.jobs.save_progress(job.id, job.progress)

    return chat_outcome.reply_in_thread(rt, p, existing_ts, remember_reply_ts)


async def _prepare(rt: Runtime, p: ChatReply, key: ThreadKey, history: list[StoredMessage]) -> Turn | str:
    """The request for this turn: the history, shared files, assistant, model, fitted to the
    window. A string instead is what is wrong with what was shared."""
    name = await rt.people.name(p.where.user)
    options = dict(p.options)
    detail = options.pop("detail", None) or "auto"
    chosen_model = options.pop("model", None)
    inputs = chat_inputs.Inputs()
    if p.files or p.image_urls:
        inputs = await chat_inputs.gather(
            rt, p.where.team_id, p.files, p.image_urls, chosen_model or rt.settings.openai_chat_model
        )
        if inputs.problems:
            return ":warning: " + "\n".join(inputs.problems)
    assistant = await _assistant_for(rt, p)
    # "@bot ask NAME …" with no such assistant is an ordinary question, word for word.
    text = (p.full_text or p.text) if p.assistant_name and assistant is None else p.text
    content = "\n\n".join(part for part in (text.strip() or ABOUT_THIS, inputs.document_text) if part)
    question = StoredMessage(
        role="user",
        content=content,
        name=name,
        slack_ts=p.ts,
        attachment_ids=tuple(inputs.image_ids),
        user_id=p.where.user,
    )
    image_ids = [i for message in [*history, question] for i in message.attachment_ids]
    try:
        choice = await rt.chooser.choose(
            "vision" if image_ids else "chat",
            flag=chosen_model,
            # An assistant with no model of its own follows the default (replaced when shut down).
            assistant=(assistant.name, assistant.model) if assistant and assistant.model else None,
        )
    except ModelShutDown as exc:
        return exc.message()
    model = choice.model
    options.setdefault("user", safety_identifier(p.where.team_id, p.where.user))
    images = await rt.attachments.get_many(image_ids)
    system = await _system(rt, assistant, model)
    messages = chat_messages(system, history, [question], images=images, detail=detail)
    messages, dropped = await asyncio.to_thread(_fit, rt, model, messages, options.get("max_tokens"))
    try:
        request = ChatRequest(model=model, messages=messages, **options)
    except ValidationError as exc:  # flags are validated when typed; this guards stored jobs
        return job_problem(exc)
    notes = [*inputs.notes, choice.note()] if choice.replaced else inputs.notes
    return Turn(key, question, not history, request, bool(image_ids), dropped, notes, assistant, choice)


async def _footer(rt: Runtime, turn: Turn, outcome: ChatOutcome) -> str:
    """What follows the answer: tool calls shown, notices, and which assistant answered."""
    extra = _tool_calls_text(outcome)
    if outcome.incomplete_note:
        extra += "\n\n" + outcome.incomplete_note
    if turn.dropped and await rt.conversations.first_trim_notice(turn.key):
        extra += "\n\n" + TRIMMED
    for note in turn.notes:
        extra += "\n\n" + note
    if turn.assistant is not None:
        extra += f"\n\n_— answered by the assistant *{turn.assistant.name}*_"
    return extra


async def _converse(
    rt: Runtime,
    request: ChatRequest,
    on_text: Callable[[str], Awaitable[None]],
    reply: StreamedReply,
    where: Where,
    offered: list[dict[str, Any]] | None,
) -> tuple[ChatOutcome, str, list[str]]:
    """Ask, run the bot's own tools the model calls, ask again; (last outcome, text said, notes)."""
    if (request.n or 1) > 1:
        outcome = await complete_chat(rt.openai, request, rt.timeouts)
        await reply.append(_numbered_choices(outcome))
        return outcome, outcome.text, []
    messages = list(request.messages)
    said: list[str] = []
    notes: list[str] = []
    for round_ in range(MAX_TOOL_ROUNDS + 1):
        offer = bool(offered) and round_ < MAX_TOOL_ROUNDS
        current = request.model_copy(update={"messages": messages, "tools": offered if offer else None})
        try:
            outcome = await stream_chat(rt.openai, current, on_text, rt.timeouts)
        except openai.BadRequestError as exc:
            if not offer or exc.param != "tools":
                raise
            offered, offer = None, False  # this model refuses function tools: answer without them
            outcome = await stream_chat(
                rt.openai, current.model_copy(update={"tools": None}), on_text, rt.timeouts
            )
        if outcome.text:
            said.append(outcome.text)
        ours = [call for call in outcome.tool_calls if call.name in bot_tools.NAMES]
        if not offer or not ours or outcome.incomplete_note:  # a cut call is never run
            return outcome, "".join(said), notes
        await reply.set_status("is working on it…")
        messages.append(ChatMessage(**bot_tools.assistant_turn(outcome.text, outcome.tool_calls)))
        for index, call in enumerate(outcome.tool_calls):
            result, note = await bot_tools.run(rt, call, where) if call.name in bot_tools.NAMES else (
                f"{call.name} is not available here.", "")  # fmt: skip
            messages.append(ChatMessage(**bot_tools.tool_turn(call, index, result)))
            if note:
                notes.append(note)
        if outcome.text:
            await reply.append("\n\n")
    return outcome, "".join(said), notes


async def _assistant_for(rt: Runtime, p: ChatReply) -> AssistantRecord | None:
    """ "@bot ask NAME …" puts NAME to work in this thread; otherwise the thread's or channel's own."""
    team, channel = p.where.team_id, p.where.channel
    if p.assistant_name:
        assistant = await rt.assistants.get(team, p.assistant_name)
        if assistant is not None:
            await rt.assistants.use(team, channel, p.thread_ts, assistant.id)
            return assistant
    return await rt.assistants.in_use(team, channel, p.thread_ts)


async def _system(rt: Runtime, assistant: AssistantRecord | None, model: str) -> str:
    """The system message: the bot's prompt, or the assistant's instructions and reference files."""
    if assistant is None:
        return system_prompt(rt.settings.openai_system_prompt)
    parts = [assistant.instructions or f"You are {assistant.name}, an assistant in Slack."]
    files = await rt.assistants.files(assistant.id)
    if files:
        reference = "\n\n".join(f"[Reference file `{name}`]\n{text}" for _, name, text in files)
        budget = rt.context_window(model) // 3
        reference, _ = await asyncio.to_thread(
            documents.fit_text, reference, budget, lambda text: tokens.count_text(model, text)
        )
        parts.append("Reference material:\n" + reference)
    return "\n\n".join(parts)


def _fit(
    rt: Runtime, model: str, messages: list[ChatMessage], max_tokens: int | None
) -> tuple[list[ChatMessage], int]:
    window = rt.context_window(model)
    budget = window - (max_tokens or min(DEFAULT_ANSWER_RESERVE, window // 4)) - tokens.REPLY_PRIMER
    return fit(
        messages,
        budget,
        lambda m: tokens.count_message(model, m.model_dump()),
        lambda m: tokens.at_most_message(m.model_dump()),
    )


async def _set_title(rt: Runtime, where: Where, question: str) -> None:
    """Name a new chat after its first question, as the DM's thread list shows it."""
    title = " ".join(question.split())
    title = title if len(title) <= 60 else title[:59].rstrip() + "…"
    with optional(), contextlib.suppress(SlackApiError):
        await rt.slack.assistant_threads_setTitle(
            channel_id=where.channel, thread_ts=where.thread_ts or "", title=title
        )


def _numbered_choices(outcome: ChatOutcome) -> str:
    if len(outcome.choices) <= 1:
        return outcome.text
    return "\n\n".join(f"*Choice {i}*\n{choice}" for i, choice in enumerate(outcome.choices, 1))


def _tool_calls_text(outcome: ChatOutcome) -> str:
    if not outcome.tool_calls:
        return ""
    lines = [
        f"*Tool call:* `{call.name}` with arguments `{call.arguments or '{}'}`" for call in outcome.tool_calls
    ]
    return "\n\n" + "\n".join(lines)


def _count_tokens(rt: Runtime, outcome: ChatOutcome) -> None:
    if outcome.prompt_tokens is not None:
        rt.metrics.tokens.labels(outcome.model, "prompt").inc(outcome.prompt_tokens)
    if outcome.completion_tokens is not None:
        rt.metrics.tokens.labels(outcome.model, "completion").inc(outcome.completion_tokens)
