"""The bot's own actions offered to the model as tools inside any chat thread.

"Draw me a lighthouse" or "read that aloud" just works: the model calls the tool, the bot runs the
action, uploads the result into the thread, and tells the model what it did.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import openai
from pydantic import ValidationError

from bot.delivery import openai_errors
from bot.jobs.create_image import create_and_upload, image_request
from bot.jobs.create_speech import speak_and_upload, speech_request
from bot.jobs.transcribe import transcribe_thread_audio
from handlers.ask_chatgpt import ToolCall
from handlers.create_speech import VOICES
from handlers.downloads import DownloadError
from handlers.realtime_speech import RealtimeSpeechError

if TYPE_CHECKING:
    from bot.process.runtime import Runtime

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


@dataclass(frozen=True)
class Place:
    team_id: str
    channel: str
    thread_ts: str
    user: str


def _arguments(call: ToolCall) -> dict[str, Any]:
    parsed = call.arguments_json()
    return parsed if isinstance(parsed, dict) else {}


async def run(rt: Runtime, call: ToolCall, place: Place) -> tuple[str, str]:
    """Run one tool call: (result for the model, a note kept in the conversation)."""
    args = _arguments(call)
    try:
        if call.name == "create_image":
            request = image_request(
                rt, place.team_id, place.user, {"prompt": args.get("prompt", ""), "size": args.get("size")}
            )
            result = await create_and_upload(
                rt, request, channel=place.channel, thread_ts=place.thread_ts, user=place.user
            )
            if not result.images:
                return "No image was returned.", ""
            return (
                f"Created {len(result.images)} image(s) and posted them in the thread.",
                f"[The bot created an image in the thread: {request.prompt}]",
            )
        if call.name == "read_aloud":
            request = speech_request(rt, {"input": args.get("text", ""), "voice": args.get("voice")})
            parts = await speak_and_upload(
                rt,
                request,
                channel=place.channel,
                thread_ts=place.thread_ts,
                comment=f"<@{place.user}> :speaker:",
            )
            return (
                f"Read the text aloud and posted the audio ({parts} file(s)) in the thread.",
                "[The bot posted an audio reading in the thread]",
            )
        if call.name == "transcribe":
            texts = await transcribe_thread_audio(rt, place)
            if not texts:
                return "There is no audio at the start of this thread.", ""
            return "Transcribed and posted in the thread:\n" + "\n\n".join(texts), ""
    except ValidationError as exc:
        return f"Could not run {call.name}: {exc.errors()[0]['msg']}", ""
    except (openai.OpenAIError, DownloadError, RealtimeSpeechError) as exc:
        log.warning("tool %s failed: %s", call.name, type(exc).__name__)
        return f"{call.name} failed: {openai_errors.describe(exc)}", ""
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
