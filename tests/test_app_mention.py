"""A mention in a channel is answered in its thread, streamed, once, whatever Slack delivers."""

from __future__ import annotations

import asyncio
import hashlib

from tests.conftest import BOTH_DATABASES
from tests.fakes.openai_api import ChatReply, FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess


@BOTH_DATABASES
async def test_a_mention_is_answered_in_its_thread_by_streaming(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    slack.add_user("U0ALICE", display_name="Alice Liddell")
    openai_api.queue_chat(ChatReply(chunks=["**Haiku** ", "is a short ", "poem of ", "three lines."]))
    event = payloads.mention("what is a *haiku* &amp; why?")

    status, _ = await bot.send_event(payloads.event_callback(event))

    assert status == 200
    [answer] = await slack.wait_thread_messages("C0CHAN", event["ts"])
    assert answer.visible_text == "**Haiku** is a short poem of three lines."
    [start] = slack.calls_to("chat.startStream")
    assert start.args["thread_ts"] == event["ts"]
    assert start.args["recipient_user_id"] == "U0ALICE"
    assert start.args["recipient_team_id"] == "T0TEST"
    assert slack.calls_to("chat.stopStream")
    assert slack.status_updates("C0CHAN", event["ts"])[0] == "is thinking…"
    [request] = openai_api.requests_to("/v1/chat/completions")
    body = request.json
    assert body is not None
    assert body["model"] == "gpt-6-luna"
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["messages"][0]["role"] == "system"
    assert body["messages"][-1] == {
        "role": "user",
        "content": "what is a *haiku* & why?",
        "name": "Alice_Liddell",
    }
    # The end user is identified to OpenAI by an anonymous, stable hash of the Slack user.
    expected_id = hashlib.sha256(b"T0TEST:U0ALICE").hexdigest()[:32]
    assert body["safety_identifier"] == expected_id
    # Properties the user did not set are not sent (reasoning models refuse sampling parameters).
    for unset in (
        "temperature",
        "top_p",
        "n",
        "max_tokens",
        "max_completion_tokens",
        "stop",
        "user",
        "logit_bias",
    ):
        assert unset not in body


async def test_the_first_words_show_before_the_model_finishes(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    # A slow model: the stream must start with the first token, not after 256 characters or at the end.
    openai_api.queue_chat(ChatReply(chunks=["Hello", " there", " friend"], chunk_delay=1.0))
    event = payloads.mention("hi")
    await bot.send_event(payloads.event_callback(event))

    [start] = await slack.wait_for("chat.startStream")
    first = start.args.get("chunks") or [{"text": start.args.get("markdown_text", "")}]
    assert "".join(chunk.get("text", "") for chunk in first) == "Hello"
    assert not slack.calls_to("chat.stopStream")  # the model is still answering
    # Later tokens are flushed by time, each before the next one arrives.
    await slack.wait_until(
        lambda: any(
            "there" in str(call.args.get("chunks") or call.args.get("markdown_text"))
            for call in slack.calls_to("chat.appendStream")
        ),
        timeout=5,
        what="the second token appended on its own",
    )
    assert not slack.calls_to("chat.stopStream")
    [answer] = await slack.wait_thread_messages("C0CHAN", event["ts"])
    assert answer.visible_text == "Hello there friend"


async def test_where_slack_refuses_streaming_one_message_is_posted_then_updated(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    slack.refuse_streaming = True
    openai_api.queue_chat(ChatReply(chunks=["One ", "two ", "three."], chunk_delay=0.3))
    event = payloads.mention("count")
    await bot.send_event(payloads.event_callback(event))

    await slack.wait_until(
        lambda: [c for c in slack.calls_to("chat.update") if "three." in str(c.args.get("markdown_text"))],
        what="the final chat.update",
    )
    [answer] = slack.thread_messages("C0CHAN", event["ts"])
    assert answer.visible_text == "One two three."
    [post] = slack.calls_to("chat.postMessage")
    assert post.args["thread_ts"] == event["ts"]
    assert post.args["markdown_text"].startswith("One")
    assert len(slack.calls_to("chat.update")) <= 4  # throttled by time, not one per token


async def test_a_stream_that_expires_carries_on_with_chat_update(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    slack.expire_streams_after_appends = 1
    openai_api.queue_chat(ChatReply(chunks=["a" * 300, "b" * 300, "c" * 10], chunk_delay=0.1))
    event = payloads.mention("long")
    await bot.send_event(payloads.event_callback(event))

    expected = "a" * 300 + "b" * 300 + "c" * 10
    await slack.wait_until(
        lambda: any(m.visible_text == expected for m in slack.thread_messages("C0CHAN", event["ts"])),
        what="the whole answer in the thread",
    )
    assert len(slack.thread_messages("C0CHAN", event["ts"])) == 1


async def test_the_same_message_delivered_three_times_is_answered_once(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    event = payloads.mention("only once please")
    first = payloads.event_callback(event)
    twin = payloads.event_callback(
        payloads.message(event["text"], ts=event["ts"], channel="C0CHAN"), event_id="EvTWIN"
    )
    results = await asyncio.gather(
        bot.send_event(first),
        bot.send_event(first, retry_num=1),
        bot.send_event(twin),
    )
    assert [status for status, _ in results] == [200, 200, 200]

    await slack.wait_thread_messages("C0CHAN", event["ts"])
    await asyncio.sleep(1.0)  # room for a second answer, were there one
    assert len(openai_api.requests_to("/v1/chat/completions")) == 1
    assert len(slack.thread_messages("C0CHAN", event["ts"])) == 1


async def test_many_threads_stream_at_once(bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI) -> None:
    count = 12
    for _ in range(count):
        openai_api.queue_chat(ChatReply(chunks=["start", " middle", " end"], chunk_delay=0.7))
    events = [payloads.mention(f"question {i}") for i in range(count)]
    await asyncio.gather(*(bot.send_event(payloads.event_callback(e)) for e in events))

    # Every answer has started before any has finished: no answer waits for another.
    await slack.wait_for("chat.startStream", count=count, timeout=15)
    assert not slack.calls_to("chat.stopStream")
    for event in events:
        [answer] = await slack.wait_thread_messages("C0CHAN", event["ts"], timeout=15)
        assert answer.visible_text == "start middle end"


async def test_the_bot_ignores_itself_other_bots_edits_and_deletions(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    ignored = [
        payloads.message("<@UBOT> hello from me", user="UBOT", bot_id="B0BOT"),
        payloads.message(
            "<@UBOT> I am another bot", user="U0OTHERBOT", bot_id="B0OTHER", subtype="bot_message"
        ),
        payloads.message(
            "", user=None, subtype="message_changed", message={"text": "<@UBOT> edited", "user": "U0ALICE"}
        ),
        payloads.message("", user=None, subtype="message_deleted", deleted_ts="1.0"),
        payloads.message("hi", channel="D0DM", channel_type="im", user="UBOT", bot_id="B0BOT"),
    ]
    for event in ignored:
        status, _ = await bot.send_event(payloads.event_callback(event))
        assert status == 200
    # A real mention afterwards is answered: the bot was listening all along.
    event = payloads.mention("are you there?")
    await bot.send_event(payloads.event_callback(event))
    await slack.wait_thread_messages("C0CHAN", event["ts"])
    assert len(openai_api.requests_to("/v1/chat/completions")) == 1
    assert len(slack.bot_messages()) == 1


async def test_an_empty_mention_gets_a_hint_and_no_openai_call(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    event = payloads.mention("")
    await bot.send_event(payloads.event_callback(event))
    [hint] = await slack.wait_thread_messages("C0CHAN", event["ts"])
    assert "Ask me anything" in hint.visible_text
    assert openai_api.requests_to("/v1/chat/completions") == []
