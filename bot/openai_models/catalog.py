"""The chat models the key can use, for the /ask modal: cached, refreshed in the background."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime

import openai

log = logging.getLogger(__name__)

# Families that are not chat models (images, audio, embeddings, moderation, realtime).
NOT_CHAT = ("dall-e", "gpt-image", "chatgpt-image", "tts", "whisper", "transcribe", "embedding",
            "moderation", "realtime", "audio", "sora", "davinci", "babbage", "search")  # fmt: skip


def is_chat_model(model_id: str) -> bool:
    return not any(part in model_id for part in NOT_CHAT)


def is_image_model(model_id: str) -> bool:
    return model_id.startswith(("gpt-image", "chatgpt-image", "dall-e"))


def is_speech_model(model_id: str) -> bool:
    return "tts" in model_id or model_id.startswith("gpt-realtime")


def is_retired(shutdown_date: str | None, today: str | None = None) -> bool:
    today = today or datetime.now(UTC).date().isoformat()
    return bool(shutdown_date) and str(shutdown_date) <= today


class ModelCatalog:
    def __init__(self, client: openai.AsyncOpenAI, ttl_seconds: float = 600.0) -> None:
        self._client = client
        self._ttl = ttl_seconds
        self._models: list[str] = []
        self._fetched_at = 0.0
        self._refreshing: asyncio.Task[None] | None = None

    async def refresh(self) -> None:
        try:
            page = await self._client.with_options(max_retries=1, timeout=15).models.list()
        except openai.OpenAIError as exc:
            log.warning("could not list models (%s); keeping the previous list", type(exc).__name__)
            return
        self._models = sorted(
            model.id for model in page.data if is_chat_model(model.id) and not is_retired(model.shutdown_date)
        )
        self._fetched_at = time.monotonic()

    def refresh_in_background(self) -> None:
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.create_task(self.refresh(), name="model-catalog")

    async def chat_models(self) -> list[str]:
        return [model for model in await self.available() if is_chat_model(model)]

    async def image_models(self) -> list[str]:
        return [model for model in await self.available() if is_image_model(model)]

    async def speech_models(self) -> list[str]:
        return [model for model in await self.available() if is_speech_model(model)]

    async def available(self, wait_seconds: float = 1.0) -> list[str]:
        """Every model not shut down: cached; a stale list is refreshed in the background, a missing
        one briefly awaited (a modal must open within Slack's 3 seconds)."""
        if time.monotonic() - self._fetched_at > self._ttl:
            self.refresh_in_background()
            if not self._models and self._refreshing is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(self._refreshing), wait_seconds)
        return list(self._models)

    async def close(self) -> None:
        if self._refreshing is not None and not self._refreshing.done():
            self._refreshing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refreshing
