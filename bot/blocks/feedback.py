"""Answers people can rate (pure builders): Slack's feedback buttons at the end of every chat answer,
the private "What was wrong?" after a thumbs down, and the form that takes the answer to it."""

from __future__ import annotations

import json
from typing import Any, Literal

from bot.blocks import forms

ACTION_ID = "answer_feedback"
BLOCK_ID = "answer_feedback"
Vote = Literal["positive", "negative"]
POSITIVE: Vote = "positive"
NEGATIVE: Vote = "negative"
VOTES: tuple[Vote, ...] = (POSITIVE, NEGATIVE)

EXPLAIN_ACTION_ID = "answer_feedback_explain"
COMMENT_CALLBACK_ID = "answer_feedback_comment"
COMMENT_BLOCK = "comment"
COMMENT_MAX = 2_000
WHAT_WAS_WRONG = "What was wrong? Tell me in a few words and it is kept with your vote (or just ignore this)."
THANKS = "Thanks, noted with your vote."


def answer_blocks() -> list[dict[str, Any]]:
    """The block that ends every chat answer: a thumbs up and a thumbs down."""

    def button(text: str, value: str, label: str) -> dict[str, Any]:
        return {"text": forms.plain(text), "value": value, "accessibility_label": label}

    return [
        {
            "type": "context_actions",
            "block_id": BLOCK_ID,
            "elements": [
                {
                    "type": "feedback_buttons",
                    "action_id": ACTION_ID,
                    "positive_button": button("Good answer", POSITIVE, "Mark this answer as good"),
                    "negative_button": button("Bad answer", NEGATIVE, "Mark this answer as bad"),
                }
            ],
        }
    ]


def what_was_wrong(answer: dict[str, str]) -> list[dict[str, Any]]:
    """The private follow-up to a thumbs down; `answer` locates the answer (team, channel, ts…)."""
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": WHAT_WAS_WRONG}},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": EXPLAIN_ACTION_ID,
                    "text": forms.plain("Tell what was wrong"),
                    "value": json.dumps(answer, separators=(",", ":")),
                }
            ],
        },
    ]


def comment_modal(answer: dict[str, str]) -> dict[str, Any]:
    field = forms.text_input(
        COMMENT_BLOCK,
        "What was wrong with the answer?",
        placeholder="e.g. it made up a date; too long; it misread the question",
        multiline=True,
        optional=False,
    )
    field["element"]["max_length"] = COMMENT_MAX
    return forms.modal(COMMENT_CALLBACK_ID, "Answer feedback", "Send", answer, [field])


def read_comment(state: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """(comment, errors by block id) from the submitted form."""
    comment = forms.value(state, COMMENT_BLOCK).strip()
    if not comment:
        return "", {COMMENT_BLOCK: "Please say what was wrong, or close this form."}
    return comment[:COMMENT_MAX], {}
