"""A stream cut short never passes for a whole answer: the thread says so, and so does the history."""

from __future__ import annotations

import random

import pytest

from handlers.ask_chatgpt import INCOMPLETE
from tests.fakes.openai_api import ChatReply, FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess

CHUNKS = [f"w{i} " for i in range(12)]


async def ask(bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI, reply: ChatReply) -> tuple[str, str]:
    """Ask once with `reply` scripted; (the thread's finished answer, what the model reads of it next)."""
    openai_api.queue_chat(reply)
    event = payloads.mention("a long answer please")
    await bot.send_event(payloads.event_callback(event))
    [answer] = await slack.wait_thread_messages("C0CHAN", event["ts"], timeout=20)
    await slack.wait_until(lambda: not answer.streaming, what="the answer to finish")
    asked = len(openai_api.requests_to("/v1/chat/completions"))
    await bot.send_event(payloads.event_callback(payloads.message("go on", thread_ts=event["ts"])))
    await openai_api.wait_for("/v1/chat/completions", count=asked + 1)
    stored = openai_api.chat_bodies()[-1]["messages"][-2]
    assert stored["role"] == "assistant"
    return answer.visible_text, stored["content"]


async def test_a_stream_closed_at_random_points_without_a_finish_reason_is_marked_incomplete(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    note = INCOMPLETE[None]
    for cut in [0, 1, *random.Random(12).sample(range(2, len(CHUNKS)), 3)]:
        shown, stored = await ask(bot, slack, openai_api, ChatReply(chunks=CHUNKS, close_after=cut))
        said = "".join(CHUNKS[:cut])
        assert shown.startswith(said) and shown.rstrip().endswith(note), (cut, shown)
        assert stored.startswith(said.strip()) and stored.endswith(note), (cut, stored)


@pytest.mark.parametrize("reason", ["length", "content_filter"])
async def test_an_answer_stopped_by_length_or_the_content_filter_says_it_is_incomplete(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI, reason: str
) -> None:
    shown, stored = await ask(bot, slack, openai_api, ChatReply(chunks=CHUNKS[:3], finish_reason=reason))
    assert shown == "".join(CHUNKS[:3]) + "\n\n" + INCOMPLETE[reason]
    assert stored == "".join(CHUNKS[:3]) + "\n\n" + INCOMPLETE[reason]


async def test_a_whole_answer_carries_no_mark(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    shown, stored = await ask(bot, slack, openai_api, ChatReply(chunks=CHUNKS[:3]))
    assert shown == stored == "".join(CHUNKS[:3])
