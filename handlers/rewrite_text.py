"""Translate and Proofread (the message shortcuts): a Slack message rewritten by the chat model.

Both are "Ask ChatGPT" with a fixed instruction; the answer is the rewritten text only. The
instructions keep Slack's own markup (mentions, channel links, links, emoji codes) as it is.
"""

from __future__ import annotations

from openai import AsyncOpenAI

from handlers.ask_chatgpt import ChatMessage, ChatRequest, StageTimeouts, complete_chat

KEEP_MARKUP = (
    "Keep its meaning, line breaks and formatting, and leave Slack mentions (<@U…>), channel links "
    "(<#C…>), links and :emoji: codes exactly as they are. Answer with the rewritten message only: no "
    "preamble, no quotes, no notes."
)

# tone -> (label, instruction)
TONES: dict[str, tuple[str, str]] = {
    "keep": ("As written", "Keep the author's tone and wording; change only what is wrong."),
    "friendly": ("Friendly", "Make it warm and friendly."),
    "formal": ("Formal", "Make it formal and professional."),
    "concise": ("Concise", "Make it shorter and to the point, without losing anything that matters."),
    "confident": ("Confident", "Make it clear and confident, without hedging."),
    "diplomatic": ("Diplomatic", "Make it tactful and diplomatic."),
}
DEFAULT_TONE = "keep"


def translate_request(model: str, text: str, language: str, user: str | None = None) -> ChatRequest:
    system = f"Translate the user's message into {language}. {KEEP_MARKUP}"
    return ChatRequest(
        model=model,
        messages=[ChatMessage(role="system", content=system), ChatMessage(role="user", content=text)],
        user=user,
    )


def proofread_request(model: str, text: str, tone: str, user: str | None = None) -> ChatRequest:
    """ValueError for a tone that is not one of TONES."""
    if tone not in TONES:
        raise ValueError(f"the tone must be one of {', '.join(TONES)}")
    system = (
        "You proofread Slack messages. Correct the spelling, grammar and punctuation of the user's "
        f"message, in its own language. {TONES[tone][1]} {KEEP_MARKUP}"
    )
    return ChatRequest(
        model=model,
        messages=[ChatMessage(role="system", content=system), ChatMessage(role="user", content=text)],
        user=user,
    )


async def rewrite(client: AsyncOpenAI, request: ChatRequest, timeouts: StageTimeouts) -> str:
    """The rewritten text (the model's whole answer, trimmed)."""
    outcome = await complete_chat(client, request, timeouts)
    return outcome.text.strip()
