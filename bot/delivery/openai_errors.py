"""Turn what went wrong upstream into one readable sentence for the person in Slack."""

from __future__ import annotations

import openai

from handlers.ask_chatgpt import ChatTimeout
from handlers.responses_chat import ResponseFailed

_STAGES = {
    "first_token": "OpenAI did not start answering within {s:g} seconds",
    "between_tokens": "OpenAI stopped sending the answer for more than {s:g} seconds",
    "total": "The answer took longer than the {s:g} seconds allowed",
}


def _detail(exc: openai.APIStatusError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error", body) if isinstance(body, dict) else {}
    message = error.get("message") if isinstance(error, dict) else None
    return str(message or exc.message or "").strip()


def describe(exc: BaseException, model: str | None = None, *, images: bool = False) -> str:
    """A message a Slack user understands, naming what to change when something can be changed."""
    model_text = f"`{model}`" if model else "the model"
    if images and isinstance(exc, openai.BadRequestError) and "image" in _detail(exc).lower():
        return (
            f":eyes: The model {model_text} cannot look at images. Ask again with `--model` set to a "
            "vision model, or ask an admin to set `OPENAI_VISION_MODEL` to one."
        )
    if isinstance(exc, ResponseFailed):
        return f":warning: {exc}"
    if isinstance(exc, ChatTimeout):
        return f":hourglass: {_STAGES[exc.stage].format(s=exc.seconds)}. Please try again in a moment."
    if isinstance(exc, openai.APITimeoutError):
        return ":hourglass: OpenAI took too long to answer. Please try again in a moment."
    if isinstance(exc, openai.APIConnectionError):
        return ":electric_plug: The bot could not reach OpenAI. Please try again in a moment."
    if isinstance(exc, openai.AuthenticationError):
        return (
            ":key: OpenAI rejected the bot's API key (401). "
            "A Slack admin should check the `OPENAI_API_KEY` setting."
        )
    if isinstance(exc, openai.PermissionDeniedError):
        return f":no_entry: OpenAI refused access to {model_text} for this API key (403): {_detail(exc)}"
    if isinstance(exc, openai.NotFoundError):
        return (
            f":mag: OpenAI does not know the model {model_text}, or this API key cannot use it. "
            "Pick another model with `--model`, or ask an admin to change the default model setting."
        )
    if isinstance(exc, openai.RateLimitError):
        if exc.code == "insufficient_quota":
            return (
                ":money_with_wings: The OpenAI account is out of quota. A Slack admin should check billing."
            )
        return ":snail: OpenAI is rate limiting the bot right now (429). Please try again in a minute."
    if isinstance(exc, openai.BadRequestError):
        if exc.code in {"unsupported_parameter", "unsupported_value"} and exc.param:
            return (
                f":warning: The model {model_text} does not accept the parameter `{exc.param}`: "
                f"{_detail(exc)} Leave it out or choose another model."
            )
        if exc.code == "context_length_exceeded":
            return ":scroll: The conversation is too long for the model. Start a new thread, please."
        if exc.code in {"content_policy_violation", "content_filter"}:
            return ":no_entry_sign: OpenAI declined this request under its content policy."
        param = f" (parameter `{exc.param}`)" if exc.param else ""
        return f":warning: OpenAI could not accept the request{param}: {_detail(exc)}"
    if isinstance(exc, openai.UnprocessableEntityError):
        return f":warning: OpenAI could not process the request: {_detail(exc)}"
    if isinstance(exc, openai.InternalServerError):
        return (
            f":cloud: OpenAI is having trouble (HTTP {exc.status_code}). Please try again in a few minutes."
        )
    if isinstance(exc, openai.APIStatusError):
        return f":warning: OpenAI answered with an error (HTTP {exc.status_code}): {_detail(exc)}"
    return ":boom: Something went wrong while answering. The error was logged; please try again."
