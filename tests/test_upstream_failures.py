"""Every upstream failure ends in a readable message in the thread, never silence."""

from __future__ import annotations

import pytest

from tests.fakes.openai_api import ChatReply, ErrorReply, FakeOpenAI, Hang
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess


async def answer_to(bot: BotProcess, slack: FakeSlack, text: str = "hello") -> str:
    event = payloads.mention(text)
    await bot.send_event(payloads.event_callback(event))
    [message] = await slack.wait_thread_messages("C0CHAN", event["ts"], timeout=20)
    return message.visible_text


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (ErrorReply(401, "Incorrect API key provided", code="invalid_api_key"), "`OPENAI_API_KEY`"),
        (ErrorReply(429, "Rate limit reached", repeat=3), "rate limiting"),
        (ErrorReply(429, "You exceeded your quota", code="insufficient_quota", repeat=3), "out of quota"),
        (ErrorReply(500, "The server had an error", repeat=3), "OpenAI is having trouble (HTTP 500)"),
        (ErrorReply(503, "Overloaded", repeat=3), "OpenAI is having trouble (HTTP 503)"),
        (
            # The default model answered as gone: its successor answers instead (issue 13).
            ErrorReply(404, "The model `gpt-6-luna` does not exist", code="model_not_found"),
            "`gpt-6-luna` is no longer served; `gpt-6-sol` was used instead",
        ),
        (
            ErrorReply(
                400,
                "Unsupported parameter: 'temperature' is not supported with this model.",
                code="unsupported_parameter",
                param="temperature",
            ),
            "does not accept the parameter `temperature`",
        ),
    ],
    ids=["401", "429", "quota", "500", "503", "unknown-model", "unsupported-parameter"],
)
async def test_an_openai_error_becomes_a_readable_message(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI, reply: ErrorReply, expected: str
) -> None:
    openai_api.queue_chat(reply)
    text = await answer_to(bot, slack)
    assert expected in text
    assert "Traceback" not in text and "sk-test-key" not in text


async def test_a_model_that_never_answers_ends_with_a_message(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    bot = await start_bot(OPENAI_FIRST_TOKEN_TIMEOUT="1", OPENAI_MAX_RETRIES="0")
    openai_api.queue_chat(Hang(30))
    text = await answer_to(bot, slack)
    assert "did not start answering within 1 seconds" in text


async def test_a_stream_that_stalls_keeps_what_was_said_and_says_it_stopped(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    bot = await start_bot(OPENAI_BETWEEN_TOKENS_TIMEOUT="1")
    openai_api.queue_chat(ChatReply(chunks=["The beginning", " and then"], stall_after=2))
    text = await answer_to(bot, slack)
    assert text.startswith("The beginning and then")
    assert "stopped sending the answer for more than 1 seconds" in text


async def test_a_long_answer_that_keeps_streaming_is_not_cut_off(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    # Longer in total than the between-tokens timeout, never a gap as long: it must complete.
    bot = await start_bot(OPENAI_BETWEEN_TOKENS_TIMEOUT="0.5", OPENAI_FIRST_TOKEN_TIMEOUT="1")
    chunks = [f"word{i} " for i in range(12)]
    openai_api.queue_chat(ChatReply(chunks=chunks, chunk_delay=0.2))
    text = await answer_to(bot, slack)
    assert text == "".join(chunks)


async def test_the_whole_answer_has_a_generous_overall_limit(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    bot = await start_bot(OPENAI_TOTAL_TIMEOUT="1.5")
    openai_api.queue_chat(ChatReply(chunks=[f"w{i} " for i in range(20)], chunk_delay=0.2))
    text = await answer_to(bot, slack)
    assert text.startswith("w0 w1")
    assert "took longer than the 1.5 seconds allowed" in text
