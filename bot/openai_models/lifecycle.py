"""Which model an action uses, when OpenAI shuts models down.

A **default** model (its setting left unset) that is past its shutdown date, or that OpenAI has
answered "not found" for, is replaced by the next model of its action's succession below, before
the call. A model someone **set** (a setting, a `--model` flag, an assistant's model) is never
replaced: `ModelShutDown` says which model, since when, and what to change.

The successions (documented in the README, "Models and their shutdown dates"):

- speech: `gpt-4o-mini-tts` → `gpt-realtime-2.1-mini`, which speaks through the Realtime API;
- translation: `whisper-1` → transcribe with the transcription model, then translate with the chat
  model (`/audio/translations` shuts down with whisper-1);
- transcription: `gpt-transcribe` (formats only whisper-1 gave are built with estimated timings);
- chat and vision: `gpt-6-luna` → `gpt-6-sol` → `gpt-6.1-sol` → `gpt-6.2-sol`;
- images: `gpt-image-2.6-flare` → `gpt-image-2.6-sunburst`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.openai_models import defaults
from bot.openai_models.catalog import ModelCatalog
from handlers.realtime_speech import is_realtime_model

Action = Literal["chat", "vision", "image", "speech", "transcription", "translation"]
ACTIONS: tuple[Action, ...] = ("chat", "vision", "image", "speech", "transcription", "translation")
# Who chose the model: only a default is ever replaced.
# "workspace": a workspace's admins set it (`/openai model ACTION MODEL`, many workspaces).
Source = Literal["default", "setting", "flag", "assistant", "workspace"]

SETTINGS: dict[Action, str] = {
    "chat": "OPENAI_CHAT_MODEL",
    "vision": "OPENAI_VISION_MODEL",
    "image": "OPENAI_IMAGE_MODEL",
    "speech": "OPENAI_SPEECH_MODEL",
    "transcription": "OPENAI_TRANSCRIPTION_MODEL",
    "translation": "OPENAI_TRANSLATION_MODEL",
}
DEFAULTS: dict[Action, str] = {
    "chat": defaults.CHAT,
    "vision": defaults.VISION,
    "image": defaults.IMAGE,
    "speech": defaults.SPEECH,
    "transcription": defaults.TRANSCRIPTION,
    "translation": defaults.TRANSLATION,
}
CHAT_SUCCESSION = ("gpt-6-luna", "gpt-6-sol", "gpt-6.1-sol", "gpt-6.2-sol")
SUCCESSIONS: dict[Action, tuple[str, ...]] = {
    "chat": CHAT_SUCCESSION,
    "vision": CHAT_SUCCESSION,
    "image": ("gpt-image-2.6-flare", "gpt-image-2.6-sunburst"),
    "speech": ("gpt-4o-mini-tts", "gpt-realtime-2.1-mini"),
    "transcription": ("gpt-transcribe",),
    # Not whisper: the translation is a transcript (OPENAI_TRANSCRIPTION_MODEL) translated by chat.
    "translation": ("whisper-1", "gpt-transcribe"),
}
# How the successor works, for the log, `check` and the reply.
HOW: dict[Action, str] = {
    "speech": "through the Realtime API",
    "translation": "by transcribing, then translating with the chat model",
    "transcription": "with estimated timings where only whisper-1 gave exact ones",
}

# What the bot cannot do through Azure OpenAI (said by `check` and in the README).
AZURE_UNSUPPORTED = (
    "not supported through Azure here: the model list's shutdown dates and replacing a shut-down "
    "model (deployments are yours to name), and the /ask modal's model list (it shows Azure's base "
    "models, not your deployments). Speech needs a deployment of an /audio/speech or gpt-realtime "
    "model, translation a whisper deployment (else transcription plus chat), images an image model"
)

# OpenAI's /audio/speech models shut down on this date. Azure deployments are never replaced, so
# there the bot says plainly what that means (in `check` and in the reply to a failed /speech).
SPEECH_SHUTDOWN = "2027-01-06"


def azure_speech_note(deployment: str) -> str:
    if is_realtime_model(deployment):
        return f"the speech deployment `{deployment}` is read through the Realtime API"
    return (
        f"speech after OpenAI's /audio/speech shutdown ({SPEECH_SHUTDOWN}) is not available on Azure "
        "unless `OPENAI_SPEECH_MODEL` names a Realtime deployment (its name starting with "
        "`gpt-realtime`): the bot does not move Azure speech to the Realtime API by itself"
    )


@dataclass(frozen=True)
class Choice:
    action: Action
    model: str  # the model to call
    asked: str  # the model configured, asked for or defaulted
    source: Source
    shutdown_date: str | None = None  # of `asked`, when it is gone
    assistant: str | None = None  # the assistant's name, when source is "assistant"

    @property
    def replaced(self) -> bool:
        return self.model != self.asked

    @property
    def swappable(self) -> bool:
        return self.source == "default"

    def note(self) -> str:
        """One line for the reply when the default was replaced; "" otherwise."""
        if not self.replaced:
            return ""
        when = f"was shut down on {self.shutdown_date}" if self.shutdown_date else "is no longer served"
        how = HOW.get(self.action)
        return (
            f"_The default {self.action} model `{self.asked}` {when}; `{self.model}` was used instead"
            + (f", {how}" if how else "")
            + "._"
        )


def change_hint(action: Action, source: Source, assistant: str | None = None) -> str:
    if source == "flag":
        return "ask again with another `--model`"
    if source == "assistant":
        return f"change the assistant's model with `/assistant update {assistant or 'NAME'} --model …`"
    if source == "workspace":
        return f"a workspace admin should change its {action} model with `/openai model {action} MODEL`"
    return f"an admin should change the `{SETTINGS[action]}` setting"


class ModelShutDown(Exception):
    """The model someone set is shut down (or no successor is left for a default): never swapped."""

    def __init__(self, choice: Choice, *, suggestion: str | None = None) -> None:
        self.choice = choice
        self.suggestion = suggestion
        super().__init__(self.message())

    def message(self) -> str:
        c = self.choice
        when = (
            f"was shut down on {c.shutdown_date}"
            if c.shutdown_date
            else "is shut down (OpenAI answers that it does not exist)"
        )
        hint = change_hint(c.action, c.source, c.assistant)
        instead = f" (for example to `{self.suggestion}`)" if self.suggestion else ""
        return f":no_entry: The {c.action} model `{c.asked}` {when}. To keep going, {hint}{instead}."


def successor(catalog: ModelCatalog, action: Action, model: str, on: str | None = None) -> str | None:
    """The next model of the action's succession after `model` that is not gone: one the key lists
    first, else the first not known to be gone."""
    chain = SUCCESSIONS[action]
    after = chain[chain.index(model) + 1 :] if model in chain else chain
    alive = [m for m in after if m != model and not catalog.is_gone(m, on)]
    listed = [m for m in alive if catalog.listed(m) is not None]
    candidates = listed or alive
    return candidates[0] if candidates else None


def newest(catalog: ModelCatalog, action: Action, model: str, on: str | None = None) -> str | None:
    """The newest model of the action's succession that is not gone (one the key lists, when there
    is one): what to suggest to an admin."""
    alive = [m for m in SUCCESSIONS[action] if m != model and not catalog.is_gone(m, on)]
    listed = [m for m in alive if catalog.listed(m) is not None]
    candidates = listed or alive
    return candidates[-1] if candidates else None


def choose(
    catalog: ModelCatalog,
    action: Action,
    model: str,
    source: Source,
    *,
    assistant: str | None = None,
    on: str | None = None,
) -> Choice:
    """The model to call for `action`. Raises ModelShutDown for a set model that is gone, or a default
    with no successor left."""
    if not catalog.is_gone(model, on):
        return Choice(action, model, model, source, assistant=assistant)
    gone = Choice(action, model, model, source, catalog.shutdown_date(model), assistant)
    nxt = successor(catalog, action, model, on)
    if source != "default" or nxt is None:
        raise ModelShutDown(gone, suggestion=newest(catalog, action, model, on))
    return Choice(action, nxt, model, source, catalog.shutdown_date(model), assistant)


class DeploymentMissing(ModelShutDown):
    """Azure OpenAI answered 404 for a deployment: it does not exist, or lacks this action."""

    def __init__(self, choice: Choice, api_version: str | None) -> None:
        self.api_version = api_version
        super().__init__(choice)

    def message(self) -> str:
        c = self.choice
        where = "`--model`" if c.source == "flag" else f"the `{SETTINGS[c.action]}` setting"
        if c.source == "workspace":
            where = f"this workspace's `/openai model {c.action} …`"
        text = (
            f":mag: Azure OpenAI has no deployment `{c.model}` that offers {c.action} "
            f"(API version {self.api_version}). The deployment is named by {where}: check it in the "
            "Azure portal, or set it to a deployment of a model that can do this."
        )
        if c.action == "speech" and not is_realtime_model(c.model):
            note = azure_speech_note(c.model)
            text += " Note: " + note[0].upper() + note[1:] + "."
        return text
