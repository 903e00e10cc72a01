"""The Responses API path (assistants with hosted tools) has the chat path's per-stage limits and
words when OpenAI stalls, asks once more when the stream breaks before any text reached Slack, and
marks the answer incomplete when it breaks after."""

from __future__ import annotations

import pytest

from handlers.ask_chatgpt import INCOMPLETE
from tests.fakes.openai_api import FakeOpenAI, Hang, ResponsesReply
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess
from tests.test_assistants import assistant
from tests.test_hosted_tools import create

LONG = "The beginning and then a good deal more of the answer, which goes on."


async def ask(bot: BotProcess, slack: FakeSlack, question: str) -> str:
    """The finished reply to a mention."""
    event = payloads.mention(question)
    await bot.send_event(payloads.event_callback(event))
    [reply] = await slack.wait_thread_messages("C0CHAN", event["ts"], timeout=20)
    await slack.wait_until(lambda: not reply.streaming, timeout=20, what="the answer to finish")
    return reply.visible_text


async def scout(start_bot, slack: FakeSlack, **env: str) -> BotProcess:  # type: ignore[no-untyped-def]
    bot: BotProcess = await start_bot(**env)
    await create(bot, slack, "create --name Scout --tools web_search")
    await assistant(bot, "use Scout")
    await slack.wait_for("chat.postMessage")
    return bot


@pytest.mark.parametrize("reply", [ResponsesReply(text="late", first_delay=30), Hang(30, after_headers=True)])
async def test_a_response_that_never_starts_ends_with_the_first_token_message(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,
    reply: ResponsesReply | Hang,  # type: ignore[no-untyped-def]
) -> None:
    bot = await scout(start_bot, slack, OPENAI_FIRST_TOKEN_TIMEOUT="1", OPENAI_MAX_RETRIES="0")
    openai_api.queue("/responses", reply)
    text = await ask(bot, slack, "anyone there?")
    assert "OpenAI did not start answering within 1 seconds. Please try again in a moment." in text
    assert len(openai_api.requests_to("/v1/responses")) == 1  # a stall is not asked again


async def test_a_response_that_stalls_keeps_what_was_said_and_says_it_stopped(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    bot = await scout(start_bot, slack, OPENAI_BETWEEN_TOKENS_TIMEOUT="1")
    openai_api.queue("/responses", ResponsesReply(text=LONG, stall_after=2))
    text = await ask(bot, slack, "tell me")
    assert text.startswith(LONG[:16]) and LONG[:17] not in text
    assert "OpenAI stopped sending the answer for more than 1 seconds" in text


async def test_a_response_that_keeps_streaming_is_not_cut_but_the_total_limit_holds(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    bot = await scout(start_bot, slack, OPENAI_BETWEEN_TOKENS_TIMEOUT="0.5", OPENAI_TOTAL_TIMEOUT="2.5")
    openai_api.queue("/responses", ResponsesReply(text=LONG[:48], chunk_delay=0.2))  # 6 pieces, ~1 s
    text = await ask(bot, slack, "first")
    assert text.startswith(LONG[:48]) and INCOMPLETE[None] not in text and "seconds" not in text
    openai_api.queue("/responses", ResponsesReply(text=LONG * 2, chunk_delay=0.2))  # ~3.4 s
    text = await ask(bot, slack, "second")
    assert text.startswith(LONG[:8]) and "took longer than the 2.5 seconds allowed" in text


@pytest.mark.parametrize("broken", [{"disconnect_after": 0}, {"close_after": 0}], ids=["dropped", "closed"])
async def test_a_stream_that_breaks_before_any_text_is_asked_once_more(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI, broken: dict[str, int]
) -> None:
    await create(bot, slack, "create --name Scout --tools web_search")
    await assistant(bot, "use Scout")
    await slack.wait_for("chat.postMessage")
    openai_api.queue("/responses", ResponsesReply(text="never seen", **broken))
    text = await ask(bot, slack, "are you there?")
    assert text.startswith("Echo: ") and "are you there?" in text and "never seen" not in text
    assert INCOMPLETE[None] not in text  # a whole answer carries no mark
    first, second = openai_api.requests_to("/v1/responses")
    assert first.json == second.json

    # Broken twice: not asked a third time, and said plainly.
    openai_api.queue("/responses", ResponsesReply(text="a", **broken), ResponsesReply(text="b", **broken))
    text = await ask(bot, slack, "again?")
    assert text.strip().startswith(INCOMPLETE[None])
    assert len(openai_api.requests_to("/v1/responses")) == 4


async def test_a_stream_that_breaks_after_text_was_shown_ends_with_the_incomplete_line(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    await create(bot, slack, "create --name Scout --tools web_search")
    await assistant(bot, "use Scout")
    await slack.wait_for("chat.postMessage")
    openai_api.queue("/responses", ResponsesReply(text=LONG, disconnect_after=2))
    text = await ask(bot, slack, "tell me")
    assert text.startswith(LONG[:16]) and LONG[:17] not in text
    assert INCOMPLETE[None] in text
    assert len(openai_api.requests_to("/v1/responses")) == 1  # what was shown is never repeated
