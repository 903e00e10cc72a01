"""`/openai …` as people type it: a workspace's settings, usage and help (issue 14).

    /openai help                          the subcommands
    /openai usage                         your usage (admins: the workspace's too)
    /openai show                          the workspace's settings (a key shows as set, never itself)
    /openai settings                      a modal holding the settings
    /openai key sk-…  |  /openai key clear
    /openai azure ENDPOINT API_VERSION KEY  |  /openai azure clear
    /openai model ACTION MODEL  |  /openai model ACTION default
    /openai action ACTION on|off
    /openai channels all  |  /openai channels add|remove|only #channel …
    /openai limit user|workspace N  |  /openai limit user default      (0: no limit)

ACTION is one of chat, vision, image, speech, transcription, translation. `parse` raises
CommandError naming the part that is wrong and what is allowed.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from bot.slack.text import unescape

ACTIONS = ("chat", "vision", "image", "speech", "transcription", "translation")
VERBS = ("help", "usage", "show", "settings", "key", "azure", "model", "action", "channels", "limit")
MAX_LIMIT = 10**12
_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]{2,})(?:\|[^>]*)?>$|^([CG][A-Z0-9]{2,})$")
_MODEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$")

Verb = Literal["help", "usage", "show", "settings", "key", "azure", "model", "action", "channels", "limit"]
_KEY = re.compile(r"[A-Za-z0-9_\-]{20,256}")
_ENDPOINT = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d{1,5})?/?")
_API_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}(?:-preview)?|v1|latest|preview")


class CommandError(ValueError):
    """What is wrong with the command, in words for the person who typed it."""


class SettingsCommand(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    verb: Verb
    action: str | None = None
    model: str | None = None  # None with verb "model": back to the bot's default
    enabled: bool | None = None
    key: str | None = None  # None with verb "key" (or "azure"): clear the workspace's own key
    endpoint: str | None = None  # verb "azure": the Azure OpenAI resource's URL
    api_version: str | None = None  # verb "azure"
    channel_mode: Literal["all", "add", "remove", "only"] | None = None
    channels: tuple[str, ...] = ()
    scope: Literal["user", "workspace"] | None = None
    limit: int | None = None  # None: back to the default

    @property
    def changes_settings(self) -> bool:
        return self.verb in ("key", "azure", "model", "action", "channels", "limit")


def _action(word: str | None) -> str:
    if word is None or word.lower() not in ACTIONS:
        raise CommandError(
            f"ACTION must be one of {', '.join(ACTIONS)}" + (f" (not `{word}`)" if word else "")
        )
    return word.lower()


def _azure(rest: list[str]) -> SettingsCommand:
    if len(rest) == 1 and rest[0].lower() == "clear":
        return SettingsCommand(verb="azure")
    if len(rest) != 3:
        raise CommandError("`/openai azure` takes the endpoint URL, the API version and the key (or `clear`)")
    endpoint = rest[0]
    if endpoint.startswith("<") and endpoint.endswith(">"):  # as Slack links a URL
        endpoint = endpoint[1:-1].split("|", 1)[0]
    if not _ENDPOINT.fullmatch(endpoint):
        raise CommandError("the endpoint must be the resource's URL, such as https://NAME.openai.azure.com")
    if not _API_VERSION.fullmatch(rest[1]):
        raise CommandError("the API version must be one such as 2025-04-01-preview")
    if not _KEY.fullmatch(rest[2]):
        raise CommandError("the key must be 20 to 256 letters, digits, - or _ (as Azure issues them)")
    return SettingsCommand(verb="azure", endpoint=endpoint.rstrip("/"), api_version=rest[1], key=rest[2])


def parse(text: str) -> SettingsCommand:
    words = unescape(text).split()
    if not words:
        return SettingsCommand(verb="help")
    verb, rest = words[0].lower(), words[1:]
    if verb not in VERBS:
        raise CommandError(f"`{words[0][:40]}` is not a subcommand: use one of {', '.join(VERBS)}")
    if verb in ("help", "usage", "show", "settings"):
        if rest:
            raise CommandError(f"`/openai {verb}` takes nothing after it")
        return SettingsCommand(verb=verb)
    if verb == "key":
        if len(rest) != 1:
            raise CommandError("`/openai key` takes one word: the workspace's OpenAI key, or `clear`")
        if rest[0].lower() == "clear":
            return SettingsCommand(verb="key")
        if not _KEY.fullmatch(rest[0]):
            raise CommandError("the key must be 20 to 256 letters, digits, - or _ (as OpenAI issues them)")
        return SettingsCommand(verb="key", key=rest[0])
    if verb == "azure":
        return _azure(rest)
    if verb == "model":
        if len(rest) != 2:
            raise CommandError("`/openai model` takes ACTION and MODEL (or `default`)")
        action = _action(rest[0])
        if rest[1].lower() == "default":
            return SettingsCommand(verb="model", action=action)
        if not _MODEL.fullmatch(rest[1]):
            raise CommandError("MODEL must be a model name such as gpt-6-luna (letters, digits, . _ : / -)")
        return SettingsCommand(verb="model", action=action, model=rest[1])
    if verb == "action":
        if len(rest) != 2 or rest[1].lower() not in ("on", "off"):
            raise CommandError("`/openai action` takes ACTION and `on` or `off`")
        return SettingsCommand(verb="action", action=_action(rest[0]), enabled=rest[1].lower() == "on")
    if verb == "channels":
        mode = rest[0].lower() if rest else ""
        if mode == "all" and len(rest) == 1:
            return SettingsCommand(verb="channels", channel_mode="all")
        if mode not in ("add", "remove", "only") or len(rest) < 2:
            raise CommandError("`/openai channels` takes `all`, or `add`, `remove` or `only` and #channels")
        found = []
        for word in rest[1:]:
            match = _CHANNEL.fullmatch(word)
            if match is None:
                raise CommandError(
                    f"`{word[:40]}` is not a channel: pick channels with # so Slack links them"
                )
            found.append(match.group(1) or match.group(2))
        return SettingsCommand(verb="channels", channel_mode=mode, channels=tuple(dict.fromkeys(found)))
    # limit
    if len(rest) != 2 or rest[0].lower() not in ("user", "workspace"):
        raise CommandError("`/openai limit` takes `user` or `workspace` and a number of tokens per day")
    scope = rest[0].lower()
    if rest[1].lower() == "default":
        return SettingsCommand(verb="limit", scope=scope)
    number = rest[1].replace(",", "").replace("_", "")
    if not number.isascii() or not number.isdigit() or int(number) > MAX_LIMIT:
        raise CommandError(f"the limit must be a whole number of tokens from 0 (no limit) to {MAX_LIMIT:,}")
    return SettingsCommand(verb="limit", scope=scope, limit=int(number))
