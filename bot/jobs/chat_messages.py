"""Pure conversation logic: from the stored thread to the messages sent to the model."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.content.images import data_url
from handlers.ask_chatgpt import ChatMessage
from storage import StoredAttachment, StoredMessage


def system_prompt(template: str, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return template.replace("{date}", now.strftime("%A %d %B %Y"))


def chat_messages(
    system: str,
    history: list[StoredMessage],
    new: list[StoredMessage],
    images: Mapping[int, StoredAttachment] | None = None,
    detail: str = "auto",
) -> list[ChatMessage]:
    """The request's messages; a message that refers to images carries them as image parts,
    rebuilt from the stored images (each stored once, however long the thread)."""
    messages = [ChatMessage(role="system", content=system)] if system else []
    for message in [*history, *new]:
        content: str | list[dict[str, Any]] = message.content
        attached = [images[i] for i in message.attachment_ids if images and i in images]
        if attached:
            content = [{"type": "text", "text": message.content}] + [
                {
                    "type": "image_url",
                    "image_url": {"url": data_url(image.content, image.mime), "detail": detail},
                }
                for image in attached
            ]
        messages.append(
            ChatMessage(
                role=message.role,
                content=content,
                name=message.name if message.role == "user" else None,
            )
        )
    return messages
