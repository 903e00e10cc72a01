"""Flags before the free text, as people type them in Slack: `--temperature 0.2 --stop "END" question`.

Text is read as Slack sends it (`&amp;`, `&lt;`, `&gt;` unescaped first); values may be quoted with
straight or typographic quotes; `--` ends the flags. A bad flag raises FlagError with a message
that names the flag and what is allowed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.slack.files import file_ids_in
from bot.slack.text import unescape
from handlers.create_image import QUALITIES, RESPONSE_FORMATS, SIZE_RULE, STYLES, valid_size
from handlers.create_speech import FORMATS as SPEECH_FORMATS
from handlers.create_speech import SPEED, VOICES
from handlers.limits import (
    CHOICES,
    LOGIT_BIAS,
    MAX_STOP_SEQUENCES,
    MAX_TOKENS,
    PENALTY,
    TEMPERATURE,
    TOP_P,
    Range,
)
from handlers.transcribe_audio import FORMATS as AUDIO_FORMATS
from handlers.transcribe_audio import TEMPERATURE_RANGE as AUDIO_TEMPERATURE

DOUBLE_QUOTES = frozenset('"“”„«»')
SINGLE_QUOTES = frozenset("'‘’")
QUOTES = DOUBLE_QUOTES | SINGLE_QUOTES


class FlagError(ValueError):
    """A message for the person who typed the flags."""


def _number_text(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _range_text(kind: str, allowed: Range) -> str:
    low, high = _number_text(allowed.low), _number_text(allowed.high)
    if low and high:
        return f"{kind} from {low} to {high}"
    if low:
        return f"{kind} of at least {low}"
    return kind


@dataclass(frozen=True)
class Flag:
    """One flag: how its text becomes a value, and what is allowed, in words."""

    name: str  # kebab case, without the dashes
    field: str
    parse: Callable[[str], Any]
    allowed: str
    repeatable: int = 1  # how many times it may be given; more than 1 makes a list

    def value(self, raw: str) -> Any:
        try:
            return self.parse(raw)
        except (ValueError, TypeError, RecursionError):  # RecursionError: JSON nested too deep
            raise FlagError(f"`--{self.name}` must be {self.allowed} (got `{raw}`).") from None


def number(allowed: Range) -> tuple[Callable[[str], float], str]:
    def parse(raw: str) -> float:
        value = float(raw)
        if not math.isfinite(value) or not _within(value, allowed):
            raise ValueError
        return value

    return parse, _range_text("a number", allowed)


def whole_number(allowed: Range) -> tuple[Callable[[str], int], str]:
    def parse(raw: str) -> int:
        value = int(raw)
        if not _within(value, allowed):
            raise ValueError
        return value

    return parse, _range_text("a whole number", allowed)


def _within(value: float, allowed: Range) -> bool:
    return (allowed.low is None or value >= allowed.low) and (allowed.high is None or value <= allowed.high)


def choice(options: tuple[str, ...]) -> tuple[Callable[[str], str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in options:
            raise ValueError
        return value

    return parse, "one of " + ", ".join(options)


def image_size(raw: str) -> str:
    value = raw.strip().lower().replace("×", "x")
    if not valid_size(value):
        raise ValueError
    return value


def text(raw: str) -> str:
    if not raw.strip():
        raise ValueError
    return raw


def logit_bias(raw: str) -> dict[str, int]:
    parsed = json.loads(raw)
    if not isinstance(parsed, dict) or not parsed:
        raise ValueError
    result: dict[str, int] = {}
    for token_id, bias in parsed.items():
        if not str(token_id).isdigit() or isinstance(bias, bool) or not isinstance(bias, int | float):
            raise ValueError
        if bias != int(bias) or not _within(bias, LOGIT_BIAS):
            raise ValueError
        result[str(token_id)] = int(bias)
    return result


def _flag(
    name: str, field: str, parse_and_allowed: tuple[Callable[[str], Any], str], repeatable: int = 1
) -> Flag:
    parse, allowed = parse_and_allowed
    return Flag(name, field, parse, allowed, repeatable)


CHAT_FLAGS: dict[str, Flag] = {
    flag.name: flag
    for flag in (
        _flag("model", "model", (text, "a model name, e.g. gpt-6-luna")),
        _flag("temperature", "temperature", number(TEMPERATURE)),
        _flag("top-p", "top_p", number(TOP_P)),
        _flag("max-tokens", "max_tokens", whole_number(MAX_TOKENS)),
        _flag("n", "n", whole_number(CHOICES)),
        _flag("stop", "stop", (text, f"a stop sequence (give --stop up to {MAX_STOP_SEQUENCES} times)"),
              repeatable=MAX_STOP_SEQUENCES),
        _flag("presence-penalty", "presence_penalty", number(PENALTY)),
        _flag("frequency-penalty", "frequency_penalty", number(PENALTY)),
        _flag(
            "logit-bias",
            "logit_bias",
            (logit_bias, 'a JSON object of integer token ids to whole numbers from -100 to 100, '
             'e.g. \'{"50256": -100}\''),
        ),
        _flag("user", "user", (text, "an end-user id")),
    )
}  # fmt: skip


IMAGE_FLAGS: dict[str, Flag] = {
    flag.name: flag
    for flag in (
        _flag("model", "model", (text, "a model name, e.g. gpt-image-2.6-flare")),
        _flag("quality", "quality", choice(QUALITIES)),
        _flag("size", "size", (image_size, SIZE_RULE)),
        _flag("style", "style", choice(STYLES)),
        _flag("response-format", "response_format", choice(RESPONSE_FORMATS)),
        _flag("n", "n", whole_number(CHOICES)),
        _flag("user", "user", (text, "an end-user id")),
    )
}

SPEECH_FLAGS: dict[str, Flag] = {
    flag.name: flag
    for flag in (
        _flag("model", "model", (text, "a model name, e.g. gpt-4o-mini-tts or gpt-realtime-2.1-mini")),
        _flag("voice", "voice", choice(VOICES)),
        _flag("response-format", "response_format", choice(SPEECH_FORMATS)),
        _flag("speed", "speed", number(SPEED)),
        _flag("instructions", "instructions", (text, 'how to speak, e.g. "calm and slow"')),
    )
}


def language(raw: str) -> str:
    value = raw.strip()
    if not re.fullmatch(r"[a-zA-Z]{2,3}(-[a-zA-Z]{2,4})?", value):
        raise ValueError
    return value.lower()


_AUDIO_COMMON = (
    _flag("model", "model", (text, "a model name, e.g. gpt-transcribe or whisper-1")),
    _flag("prompt", "prompt", (text, "text that guides the style or spelling")),
    _flag("response-format", "response_format", choice(AUDIO_FORMATS)),
    _flag("temperature", "temperature", number(Range(*AUDIO_TEMPERATURE))),
)
TRANSCRIBE_FLAGS: dict[str, Flag] = {
    flag.name: flag
    for flag in (
        *_AUDIO_COMMON,
        _flag("language", "language", (language, "an ISO-639-1 code such as en, de or pt")),
    )
}
TRANSLATE_FLAGS: dict[str, Flag] = {flag.name: flag for flag in _AUDIO_COMMON}


def json_tools(raw: str) -> list[Any]:
    """A JSON array of tools, or bot action names separated by commas."""
    raw = raw.strip()
    parsed = (
        json.loads(raw)
        if raw.startswith(("[", "{"))
        else [name.strip() for name in raw.split(",") if name.strip()]
    )
    if isinstance(parsed, dict):
        parsed = [parsed]
    if not isinstance(parsed, list):
        raise ValueError
    return parsed


def file_ids(raw: str) -> list[str]:
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    ids = [(file_ids_in(part) or [part])[0] for part in ids]  # a file link stands for its id
    if not ids or not all(re.fullmatch(r"F[A-Z0-9]{6,}", i) for i in ids):
        raise ValueError
    return ids


def string_map(raw: str) -> dict[str, str]:
    parsed = json.loads(raw)
    if not isinstance(parsed, dict) or not all(
        isinstance(v, str | int | float | bool) for v in parsed.values()
    ):
        raise ValueError
    return {str(key): str(value) for key, value in parsed.items()}


ASSISTANT_FLAGS: dict[str, Flag] = {
    flag.name: flag
    for flag in (
        _flag("name", "name", (text, "one word, e.g. SupportBot")),
        _flag("model", "model", (text, "a model name, e.g. gpt-6-luna")),
        _flag("description", "description", (text, "a short description (at most 512 characters)")),
        _flag("instructions", "instructions", (text, "the system instructions (quote them)")),
        _flag(
            "tools",
            "tools",
            (
                json_tools,
                "a JSON array of function tools, or tool names: create_image,read_aloud,transcribe,"
                "code_interpreter,file_search,web_search",
            ),
        ),
        _flag("file-ids", "file_ids", (file_ids, "Slack file ids or links, separated by commas")),
        _flag("metadata", "metadata", (string_map, 'a JSON object of strings, e.g. \'{"team": "support"}\'')),
    )
}

DETAIL_LEVELS = ("auto", "low", "high", "original")
VISION_FLAGS: dict[str, Flag] = {**CHAT_FLAGS, "detail": _flag("detail", "detail", choice(DETAIL_LEVELS))}


def _read_value(text_: str, start: int) -> tuple[str, int]:
    """A value at `start`: quoted (straight or typographic quotes) or up to the next space."""
    if start < len(text_) and text_[start] in QUOTES:
        # Autocorrect mixes quote styles: a value opened with “ may close with ” or a straight ".
        closers = DOUBLE_QUOTES if text_[start] in DOUBLE_QUOTES else SINGLE_QUOTES
        end = next((i for i in range(start + 1, len(text_)) if text_[i] in closers), -1)
        if end == -1:
            raise FlagError("A quoted value has no closing quote.")
        return text_[start + 1 : end], end + 1
    end = start
    while end < len(text_) and not text_[end].isspace():
        end += 1
    return text_[start:end], end


def parse_flags(raw: str, flags: Mapping[str, Flag], command: str) -> tuple[dict[str, Any], str]:
    """Split `raw` into {field: value} and the free text that follows the flags."""
    text_ = unescape(raw)
    values: dict[str, Any] = {}
    counts: dict[str, int] = {}
    position = 0
    while True:
        while position < len(text_) and text_[position].isspace():
            position += 1
        if not text_.startswith("--", position) and not text_.startswith("—", position):
            break
        name, position = _read_value(text_, position)
        name = name.lstrip("-—")
        if not name:  # a lone `--` ends the flags
            break
        flag = flags.get(name)
        if flag is None:
            allowed = ", ".join(f"`--{known}`" for known in flags)
            raise FlagError(f"`--{name}` is not a flag of `{command}`. Its flags are: {allowed}.")
        while position < len(text_) and text_[position].isspace():
            position += 1
        if position >= len(text_):
            raise FlagError(f"`--{name}` needs a value: {flag.allowed}.")
        raw_value, position = _read_value(text_, position)
        counts[name] = counts.get(name, 0) + 1
        if counts[name] > flag.repeatable:
            times = "once" if flag.repeatable == 1 else f"at most {flag.repeatable} times"
            raise FlagError(f"`--{name}` may be given {times}.")
        value = flag.value(raw_value)
        if flag.repeatable > 1:
            values.setdefault(flag.field, []).append(value)
        else:
            values[flag.field] = value
    return values, text_[position:].strip()
