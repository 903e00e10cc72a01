"""An answer from an assistant with OpenAI's hosted tools, through the Responses API (issue 13).

Streamed into the same Slack reply as any answer; then the files its code wrote are downloaded from
their container and uploaded into the thread (byte for byte), and its sources are listed: links for
web search, the files drawn on for file search. The seed's `n`, `stop`, penalties and `logit_bias`
do not exist in the Responses API: they are left out, and the reply says so.
"""

from __future__ import annotations

import logging
from typing import Any

import openai

from bot.actions import mcp_secrets
from bot.actions import tools as bot_tools
from bot.blocks import mcp_approval
from bot.content.secrets import SecretUnreadable
from bot.delivery.streamed_reply import StreamedReply
from bot.delivery.uploads import OutgoingFile, upload
from bot.delivery.where import Where
from bot.process.runtime import Runtime
from handlers import responses_chat
from handlers.ask_chatgpt import ChatOutcome, ChatRequest, OnText
from handlers.responses_chat import Citation, ResponseFailed, ResponseOutcome
from storage.assistants import AssistantRecord

log = logging.getLogger(__name__)
MAX_TOOL_ROUNDS = 3


def sources_text(citations: list[Citation]) -> str:
    links = [c for c in citations if c.kind == "url"]
    files = list(dict.fromkeys(c.title for c in citations if c.kind == "file"))
    lines = []
    if links:
        lines.append("*Sources*\n" + "\n".join(f"• <{c.url}|{c.title.replace('|', '-')}>" for c in links))
    if files:
        lines.append("*From the assistant's files:* " + ", ".join(f"`{name}`" for name in files))
    return "\n\n".join(lines)


async def upload_container_files(rt: Runtime, where: Where, citations: list[Citation]) -> list[str]:
    """The files code_interpreter wrote, uploaded into the thread as they are; their names."""
    outgoing: list[OutgoingFile] = []
    for citation in citations:
        if citation.kind != "container_file" or citation.file_id is None or citation.container_id is None:
            continue
        try:
            content = await rt.openai.containers.files.content.retrieve(
                citation.file_id, container_id=citation.container_id
            )
        except openai.OpenAIError as exc:
            log.warning("could not download container file %s: %s", citation.file_id, type(exc).__name__)
            continue
        outgoing.append(OutgoingFile(citation.title, content.content, citation.title))
    if outgoing:
        await upload(
            rt.slack,
            channel=where.channel,
            thread_ts=where.thread_ts,
            files=outgoing,
            comment="_Files the assistant's code wrote:_",
        )
    return [file.filename for file in outgoing]


async def converse(
    rt: Runtime,
    request: ChatRequest,
    on_text: OnText,
    reply: StreamedReply,
    where: Where,
    assistant: AssistantRecord,
) -> tuple[ChatOutcome, str, list[str]]:
    """(outcome, what was said, notes kept in the conversation), as chat_reply's path returns them."""
    ignored = [name for name in responses_chat.NOT_IN_RESPONSES if getattr(request, name) is not None]
    tools = tools_for_request(rt, assistant.tools)
    body = responses_chat.params(request, tools)
    total = ResponseOutcome(model=request.model)
    notes: list[str] = []
    shown = False

    async def showing(text: str) -> None:
        nonlocal shown
        shown = True
        await on_text(text)

    for round_ in range(MAX_TOOL_ROUNDS + 1):
        result = await responses_chat.stream_body(rt.openai, body, showing, rt.timeouts)
        if result.broken and not shown and not result.used_mcp:
            # Nothing reached Slack (and no MCP tool ran, which a second request could run twice):
            # ask once more. A stream cut after text was shown ends with the "incomplete" line.
            log.warning("the Responses stream broke before any text; asking once more")
            result = await responses_chat.stream_body(rt.openai, body, showing, rt.timeouts)
        _merge(total, result)
        ours = [call for call in result.tool_calls if call.name in bot_tools.NAMES]
        if not ours or result.response_id is None or round_ == MAX_TOOL_ROUNDS:
            break
        await reply.set_status("is working on it…")
        outputs = []
        for call in result.tool_calls:
            output, note = await bot_tools.run(rt, call, where) if call.name in bot_tools.NAMES else (
                f"{call.name} is not available here.", "")  # fmt: skip
            outputs.append({"type": "function_call_output", "call_id": call.id, "output": output})
            if note:
                notes.append(note)
        body = responses_chat.follow_up_params(result.model or request.model, result.response_id, outputs,
                                               tools, body.get("instructions"))  # fmt: skip
        if result.text:
            await showing("\n\n")
    if ignored:
        names = ", ".join(f"`--{name.replace('_', '-')}`" for name in ignored)
        await reply.append(
            f"\n\n_{names}: not sent, the Responses API (which runs hosted tools) does not take them._"
        )
    said, more = await after(rt, total, reply, where, assistant.name)
    total.tool_calls = [call for call in total.tool_calls if call.name not in bot_tools.NAMES]
    return outcome_of(total), said, [*notes, *more]


def _merge(total: ResponseOutcome, result: ResponseOutcome) -> None:
    total.text = "\n\n".join(part for part in (total.text, result.text) if part)
    total.model = result.model or total.model
    total.citations += [c for c in result.citations if c not in total.citations]
    total.tool_calls = result.tool_calls
    total.approvals = result.approvals
    total.response_id = result.response_id
    total.finish_reason = result.finish_reason
    for name in ("prompt_tokens", "completion_tokens"):
        value = getattr(result, name)
        if value is not None:
            setattr(total, name, (getattr(total, name) or 0) + value)


def tools_for_request(rt: Runtime, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The assistant's tools with MCP authorization opened; ResponseFailed when it cannot be."""
    try:
        return mcp_secrets.opened(rt.settings, bot_tools.expand(tools))
    except (ValueError, SecretUnreadable) as exc:
        raise ResponseFailed(f"The assistant's MCP server authorization cannot be used: {exc}.") from None


def outcome_of(result: ResponseOutcome) -> ChatOutcome:
    return ChatOutcome(
        text=result.text,
        model=result.model,
        choices=[result.text],
        tool_calls=result.tool_calls,
        finish_reason=result.finish_reason,
        prompt_tokens=result.prompt_tokens,
        completion_tokens=result.completion_tokens,
    )


async def after(
    rt: Runtime, result: ResponseOutcome, reply: StreamedReply, where: Where, assistant: str
) -> tuple[str, list[str]]:
    """Once the text has streamed: the sources, the files code wrote, and the approvals an MCP
    server asks for, asked of the requester in the thread. (what was said, notes)."""
    said = result.text
    sources = sources_text(result.citations)
    if sources:
        await reply.append("\n\n" + sources)
        said += "\n\n" + sources
    notes = []
    written = await upload_container_files(rt, where, result.citations)
    if written:
        notes.append(
            "[The assistant's code wrote these files, uploaded in the thread: " + ", ".join(written) + "]"
        )
    for approval in result.approvals:
        if result.response_id is None:
            break
        value = mcp_approval.button_value(result.response_id, approval.id, where.user, assistant)
        text, blocks = mcp_approval.question_blocks(
            where.user, approval.server_label, approval.name, approval.arguments, value
        )
        await rt.slack.chat_postMessage(
            channel=where.channel, thread_ts=where.thread_ts, text=text, blocks=blocks
        )
        waiting = f"_Waiting for <@{where.user}> to approve `{approval.name}` on `{approval.server_label}`._"
        await reply.append(("\n\n" if said else "") + waiting)
        said += ("\n\n" if said else "") + waiting
    return said, notes
