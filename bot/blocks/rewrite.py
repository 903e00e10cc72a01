"""What "Translate" and "Proofread" show (pure): the private translation with a choice of another
language, and the Proofread modal (loading, result with a choice of tone, or a problem)."""

from __future__ import annotations

import json
from typing import Any

from bot.blocks import forms
from bot.slack.languages import LANGUAGES
from handlers.rewrite_text import TONES

TRANSLATE_AGAIN_ACTION_ID = "translate_again"
TONE_ACTION_ID = "proofread_tone"
RESULT_CALLBACK_ID = "proofread_result"
RESULT_BLOCK = "result"
FIELD_MAX = 3_000  # a text input holds at most 3,000 characters
SECTION_MAX = 3_000


def _sections(text: str) -> list[dict[str, Any]]:
    pieces = [text[i : i + SECTION_MAX] for i in range(0, len(text), SECTION_MAX)] or [" "]
    return [{"type": "section", "text": {"type": "mrkdwn", "text": piece}} for piece in pieces[:40]]


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def translation(text: str, language: str, source_job: int) -> list[dict[str, Any]]:
    """The private translation, then a select to translate the same message into another language."""
    options = [
        {"text": forms.plain(name), "value": f"{source_job}:{code}"} for code, name in LANGUAGES.items()
    ]
    return [
        *_sections(text),
        _context(f"Translated into {language} by ChatGPT. Only you can see this."),
        {
            "type": "actions",
            "elements": [
                {
                    "type": "static_select",
                    "action_id": TRANSLATE_AGAIN_ACTION_ID,
                    "placeholder": forms.plain("Translate into another language"),
                    "options": options[: forms.MAX_OPTIONS],
                }
            ],
        },
    ]


def _tone_select(tone: str) -> dict[str, Any]:
    options = [{"text": forms.plain(label), "value": value} for value, (label, _) in TONES.items()]
    element: dict[str, Any] = {"type": "static_select", "action_id": TONE_ACTION_ID, "options": options}
    chosen = next((o for o in options if o["value"] == tone), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return {"type": "actions", "block_id": "tone", "elements": [element]}


def proofread_loading(external_id: str | None, tone: str = "keep", note: str = "") -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": RESULT_CALLBACK_ID,
        "title": forms.plain("Proofread", 24),
        "close": forms.plain("Close", 24),
        "blocks": [_context(note or f":hourglass_flowing_sand: Proofreading ({TONES[tone][0].lower()})…")],
    }
    if external_id:
        view["external_id"] = external_id
    return view


def proofread_result(text: str, tone: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """The corrected text in a field the person can copy from (or edit), the tone to change, and
    "Post in thread", which posts the field's text on their behalf, saying so."""
    if len(text) <= FIELD_MAX:
        field = forms.text_input(
            RESULT_BLOCK, "Proofread text (copy it, or edit and post it)", multiline=True
        )
        field["optional"] = False
        field["element"]["initial_value"] = text
        field["element"]["max_length"] = FIELD_MAX
        shown = [field]
    else:
        shown = _sections(text)
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Tone*"}},
        _tone_select(tone),
        *shown,
        _context("*Post in thread* posts it in the message's thread, saying you posted it, proofread by me."),
    ]
    modal = forms.modal(RESULT_CALLBACK_ID, "Proofread", "Post in thread", metadata, blocks)
    modal["close"] = forms.plain("Close", 24)
    return modal


def proofread_problem(problem: str, tone: str, metadata: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": RESULT_CALLBACK_ID,
        "title": forms.plain("Proofread", 24),
        "close": forms.plain("Close", 24),
        "private_metadata": json.dumps(metadata),
        "blocks": [_tone_select(tone), *_sections(problem)],
    }


def posted(text: str, user: str) -> tuple[str, list[dict[str, Any]]]:
    """The message posted in the thread on the person's behalf: (fallback text, blocks)."""
    note = f"Posted by <@{user}>, proofread by ChatGPT."
    return f"{text}\n\n_{note}_", [*_sections(text), _context(note)]


def read_result(state: dict[str, Any]) -> str:
    return forms.value(state, RESULT_BLOCK).strip()
