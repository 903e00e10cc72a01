"""The models the key can use, with their shutdown dates: read at start, again every few hours, and
soon after OpenAI answers that a model is gone. Feeds the /ask modal's model lists and the choice of
a successor for a default model that has been shut down (bot/openai_models/lifecycle.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import openai

log = logging.getLogger(__name__)

# Families that are not chat models (images, audio, embeddings, moderation, realtime).
NOT_CHAT = ("dall-e", "gpt-image", "chatgpt-image", "tts", "whisper", "transcribe", "embedding",
            "moderation", "realtime", "audio", "sora", "davinci", "babbage", "search")  # fmt: skip
REFRESH_SECONDS = 3 * 3600.0  # the list again every few hours (OPENAI_MODELS_REFRESH_SECONDS)
RETRY_SECONDS = 60.0  # sooner when listing failed
GONE_REFRESH_SECONDS = 30.0  # at most this often after a "model not found" answer


def is_chat_model(model_id: str) -> bool:
    return not any(part in model_id for part in NOT_CHAT)


def is_image_model(model_id: str) -> bool:
    return model_id.startswith(("gpt-image", "chatgpt-image", "dall-e"))


def is_speech_model(model_id: str) -> bool:
    return "tts" in model_id or model_id.startswith("gpt-realtime")


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def is_retired(shutdown_date: str | None, on: str | None = None) -> bool:
    return bool(shutdown_date) and str(shutdown_date) <= (on or today())


@dataclass(frozen=True)
class ListedModel:
    id: str
    shutdown_date: str | None = None


class ModelCatalog:
    def __init__(
        self,
        client: openai.AsyncOpenAI,
        ttl_seconds: float = 600.0,
        refresh_seconds: float = REFRESH_SECONDS,
    ) -> None:
        self._client = client
        self._ttl = ttl_seconds
        self._refresh_seconds = refresh_seconds
        self._listed: dict[str, ListedModel] = {}
        self._gone: dict[str, float] = {}  # model -> when OpenAI answered that it does not exist
        self._fetched_at = 0.0
        self._loaded = asyncio.Event()
        self._last_gone_refresh = 0.0
        self._refreshing: asyncio.Task[None] | None = None
        self._loop: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ reading the list

    async def refresh(self) -> bool:
        try:
            page = await self._client.with_options(max_retries=1, timeout=15).models.list()
        except openai.OpenAIError as exc:
            log.warning("could not list models (%s); keeping the previous list", type(exc).__name__)
            return False
        self.load(page.data)
        return True

    def load(self, models: Iterable[object]) -> None:
        """Take a model list (the SDK's Model objects) as the current one."""
        listed = {}
        for model in models:
            model_id = str(getattr(model, "id", ""))
            shutdown = getattr(model, "shutdown_date", None)
            listed[model_id] = ListedModel(model_id, str(shutdown) if shutdown else None)
        self._listed = listed
        self._fetched_at = time.monotonic()
        self._loaded.set()

    async def start(self, wait_seconds: float = 5.0) -> None:
        """Read the list now (waiting up to `wait_seconds`), then every few hours in the background."""
        if self._loop is None or self._loop.done():
            self._loop = asyncio.create_task(self._refresh_forever(), name="model-catalog-loop")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._loaded.wait(), wait_seconds)

    async def _refresh_forever(self) -> None:
        while True:
            ok = await self.refresh()
            await asyncio.sleep(self._refresh_seconds if ok else min(RETRY_SECONDS, self._refresh_seconds))

    def refresh_in_background(self) -> None:
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.create_task(self._refresh_once(), name="model-catalog")

    async def _refresh_once(self) -> None:
        await self.refresh()

    async def ready(self, wait_seconds: float = 5.0) -> bool:
        """True once the list was read; waits for the first reading up to `wait_seconds`."""
        if not self._loaded.is_set():
            if self._loop is None and (self._refreshing is None or self._refreshing.done()):
                self.refresh_in_background()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._loaded.wait(), wait_seconds)
        return self._loaded.is_set()

    # ------------------------------------------------------------------ what is known of a model

    def listed(self, model: str) -> ListedModel | None:
        return self._listed.get(model)

    def shutdown_date(self, model: str) -> str | None:
        known = self._listed.get(model)
        return known.shutdown_date if known else None

    def answered_gone(self, model: str) -> bool:
        at = self._gone.get(model)
        return at is not None and time.monotonic() - at < self._refresh_seconds

    def is_gone(self, model: str, on: str | None = None) -> bool:
        """Past its shutdown date, or answered "not found" by OpenAI within the last refresh period."""
        return is_retired(self.shutdown_date(model), on) or self.answered_gone(model)

    def mark_gone(self, model: str) -> None:
        """OpenAI answered that `model` does not exist: remember it, and read the list again soon."""
        self._gone[model] = time.monotonic()
        if time.monotonic() - self._last_gone_refresh >= GONE_REFRESH_SECONDS:
            self._last_gone_refresh = time.monotonic()
            self.refresh_in_background()

    # ------------------------------------------------------------------ lists for the modals

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
            if not self._listed and self._refreshing is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(self._refreshing), wait_seconds)
        return sorted(model for model in self._listed if not self.is_gone(model))

    async def close(self) -> None:
        for task in (self._refreshing, self._loop):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
