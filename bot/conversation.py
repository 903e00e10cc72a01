"""Pure conversation logic: from the stored thread to the messages sent to the model."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from handlers.ask_chatgpt import ChatMessage
from storage import StoredMessage

_NOT_NAME = re.compile(r"[^a-zA-Z0-9_-]+")


def speaker_name(label: str) -> str:
    """A chat `name`: letters, digits, _ and - only, at most 64 characters."""
    name = _NOT_NAME.sub("_", label).strip("_")
    return (name or "user")[:64]


def system_prompt(template: str, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return template.replace("{date}", now.strftime("%A %d %B %Y"))


def chat_messages(system: str, history: list[StoredMessage], new: list[StoredMessage]) -> list[ChatMessage]:
    messages = [ChatMessage(role="system", content=system)] if system else []
    for message in [*history, *new]:
        messages.append(
            ChatMessage(
                role=message.role,  # type: ignore[arg-type]
                content=message.content,
                name=message.name if message.role == "user" else None,
            )
        )
    return messages
