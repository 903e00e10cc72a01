"""The model each call uses: the one asked for, or, for a default that OpenAI has shut down, its
successor (bot/openai_models/lifecycle.py), chosen before the call. One log line and a count in
/metrics per replaced call; a model someone set is never replaced (ModelShutDown says what to do)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import openai

from bot.config import Settings
from bot.openai_models.catalog import ModelCatalog
from bot.openai_models.lifecycle import Action, Choice, DeploymentMissing, ModelShutDown, Source, choose
from bot.process.metrics import Metrics
from handlers.realtime_speech import RealtimeSpeechError

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_SUCCESSORS_TRIED = 3

# How long a job waits for the first reading of the model list (the bot reads it before serving).
FIRST_LIST_WAIT_SECONDS = 5.0
GONE_CODES = {
    "model_not_found",
    "deploymentnotfound",
    "deployment_not_found",
    "model_not_available",
    "model_retired",
}


def answered_gone(exc: BaseException) -> bool:
    """OpenAI answered that the model does not exist (any more)."""
    if isinstance(exc, RealtimeSpeechError):
        return exc.status == 404 or (exc.code or "").lower() in GONE_CODES
    if not isinstance(exc, openai.NotFoundError):
        return False
    code = str(exc.code or "").lower()
    return code in GONE_CODES or (not code and "model" in str(exc.message).lower())


class ModelChooser:
    def __init__(
        self,
        settings: Settings,
        catalog: ModelCatalog,
        metrics: Metrics,
        workspace_set: frozenset[str] = frozenset(),
    ) -> None:
        self.settings = settings
        self.catalog = catalog
        self.metrics = metrics
        # The actions whose model a workspace's admins set (`/openai model`): source "workspace".
        self.workspace_set = workspace_set

    async def choose(
        self, action: Action, *, flag: str | None = None, assistant: tuple[str, str] | None = None
    ) -> Choice:
        """The model for `action`: a `--model` flag, else the assistant's (name, model), else the
        setting or the default. Raises ModelShutDown when a set model is gone."""
        source: Source
        name = None
        if flag:
            model, source = flag, "flag"
        elif assistant is not None:
            (name, model), source = assistant, "assistant"
        elif action in self.workspace_set:
            model, source = self.settings.model_for(action), "workspace"
        else:
            model, source = self.settings.model_for(action), self.settings.model_source(action)
        if self.settings.azure:
            # Azure deployments are named by the admin and carry no shutdown date here: never replaced.
            return Choice(action, model, model, "setting" if source == "default" else source, assistant=name)
        await self.catalog.ready(FIRST_LIST_WAIT_SECONDS)
        choice = choose(self.catalog, action, model, source, assistant=name)
        if choice.replaced:
            log.warning(
                "the default %s model %s is shut down (%s); using %s",
                action,
                choice.asked,
                choice.shutdown_date or "answered not found",
                choice.model,
            )
            self.metrics.model_replaced.labels(action, choice.asked, choice.model).inc()
        return choice

    async def after_gone(self, choice: Choice, exc: BaseException) -> Choice | None:
        """After a call failed: the successor to try once more when OpenAI answered that the default
        model is gone; None when `exc` is something else. Raises ModelShutDown when the model was set
        (or no successor is left): the reply then says what to change."""
        if not answered_gone(exc):
            return None
        if self.settings.azure:
            raise DeploymentMissing(choice, self.settings.openai_api_version)
        self.catalog.mark_gone(choice.model)
        if not choice.swappable:
            raise ModelShutDown(
                Choice(choice.action, choice.model, choice.model, choice.source, assistant=choice.assistant)
            )
        return await self.choose(choice.action)

    async def call(self, choice: Choice, attempt: Callable[[Choice], Awaitable[T]]) -> T:
        """`attempt(choice)`; when OpenAI answers that a default model is gone, again with its
        successor (at most a few times). Raises what the last attempt raised, or ModelShutDown."""
        for _ in range(MAX_SUCCESSORS_TRIED):
            try:
                return await attempt(choice)
            except (openai.OpenAIError, RealtimeSpeechError) as exc:
                following = await self.after_gone(choice, exc)
                if following is None or following.model == choice.model:
                    raise
                choice = following
        return await attempt(choice)
