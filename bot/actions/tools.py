"""The bot's own actions offered to the model as tools inside any chat thread.

"Draw me a lighthouse" or "read that aloud" just works: the model calls the tool, the bot runs the
action, uploads the result into the thread, and tells the model what it did.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import openai
from pydantic import ValidationError

from bot.actions.images import create_as_chosen
from bot.actions.speech import speak_as_chosen
from bot.actions.transcription import transcribe_thread_audio
from bot.delivery.openai_errors import describe
from bot.delivery.validation_messages import first_problem
from bot.delivery.where import Where
from bot.downloads.core import DownloadFailed
from bot.openai_models.lifecycle import ModelShutDown
from bot.process.runtime import Runtime
from handlers.ask_chatgpt import ToolCall
from handlers.create_speech import VOICES
from handlers.realtime_speech import RealtimeSpeechError

log = logging.getLogger(__name__)

DEFINITIONS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "create_image",
            "description": "Create an image from a description and post it in this Slack thread.",
            "parameters": {
                "type": "object",
                "properties": {
                    "prompt": {"type": "string", "description": "A detailed description of the image."},
                    "size": {"type": "string", "enum": ["auto", "1024x1024", "1536x1024", "1024x1536"]},
                },
                "required": ["prompt"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "read_aloud",
            "description": "Read text aloud and post the audio file in this Slack thread.",
            "parameters": {
                "type": "object",
                "properties": {
                    "text": {"type": "string", "description": "The exact text to read aloud."},
                    "voice": {"type": "string", "enum": list(VOICES)},
                },
                "required": ["text"],
            },
        },
    },
]
TRANSCRIBE = {
    "type": "function",
    "function": {
        "name": "transcribe",
        "description": "Transcribe the audio that started this Slack thread and post the transcript in it.",
        "parameters": {"type": "object", "properties": {}},
    },
}
BY_NAME = {tool["function"]["name"]: tool for tool in [*DEFINITIONS, TRANSCRIBE]}
NAMES = set(BY_NAME)


def expand(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An assistant's tools as the request needs them: the bot's actions get their full definitions."""
    return [BY_NAME.get(tool.get("function", {}).get("name"), tool) for tool in tools]


def _arguments(call: ToolCall) -> dict[str, Any]:
    parsed = call.arguments_json()
    return parsed if isinstance(parsed, dict) else {}


async def run(rt: Runtime, call: ToolCall, where: Where) -> tuple[str, str]:
    """Run one tool call in `where`'s thread: (result for the model, a note kept in the conversation)."""
    args = _arguments(call)
    try:
        if call.name == "create_image":
            options = {"prompt": args.get("prompt", ""), "size": args.get("size")}
            request, result = await create_as_chosen(rt, options, where)
            if not result.images:
                return "No image was returned.", ""
            return (
                f"Created {len(result.images)} image(s) and posted them in the thread.",
                f"[The bot created an image in the thread: {request.prompt}]",
            )
        if call.name == "read_aloud":
            options = {"input": args.get("text", ""), "voice": args.get("voice")}
            await speak_as_chosen(rt, options, where, comment=f"<@{where.user}> :speaker:")
            return (
                "Read the text aloud and posted the audio in the thread.",
                "[The bot posted an audio reading in the thread]",
            )
        if call.name == "transcribe":
            texts = await transcribe_thread_audio(rt, where)
            if not texts:
                return "There is no audio at the start of this thread.", ""
            return "Transcribed and posted in the thread:\n" + "\n\n".join(texts), ""
    except ValidationError as exc:
        return f"Could not run {call.name}: {first_problem(exc)}", ""
    except ModelShutDown as exc:
        return f"{call.name} failed: {exc.message()}", ""
    except (openai.OpenAIError, DownloadFailed, RealtimeSpeechError) as exc:
        log.warning("tool %s failed: %s", call.name, type(exc).__name__)
        return f"{call.name} failed: {describe(exc)}", ""
    return f"There is no tool named {call.name}.", ""


def assistant_turn(text: str, calls: list[ToolCall]) -> dict[str, Any]:
    """The assistant message that carried the tool calls, as the next request must repeat it."""
    return {
        "role": "assistant",
        "content": text or None,
        "tool_calls": [
            {
                "id": call.id or f"call_{i}",
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for i, call in enumerate(calls)
        ],
    }


def tool_turn(call: ToolCall, index: int, result: str) -> dict[str, Any]:
    return {
        "role": "tool",
        "tool_call_id": call.id or f"call_{index}",
        "content": json.dumps({"result": result}),
    }
