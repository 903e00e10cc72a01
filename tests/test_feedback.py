"""Answers people can rate: every chat answer ends with feedback buttons; a click is stored with the
answer, counted in /metrics, a second click replaces the first, a forged click changes nothing."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any
from urllib.parse import urlencode

from storage import Database, ThreadKey
from storage.feedback import FeedbackStore, StoredVote
from tests.conftest import BOTH_DATABASES
from tests.fakes.openai_api import ChatReply, FakeOpenAI
from tests.fakes.slack_api import FakeSlack, SlackMessage
from tests.support import payloads
from tests.support.bot_process import BotProcess


def feedback_element(message: SlackMessage) -> dict[str, Any]:
    """The feedback buttons that end the message (fails when the message does not end with them)."""
    assert message.blocks, f"the answer has no blocks: {message}"
    last = message.blocks[-1]
    assert last["type"] == "context_actions"
    [element] = last["elements"]
    assert element["type"] == "feedback_buttons"
    assert element["positive_button"]["value"] == "positive"
    assert element["negative_button"]["value"] == "negative"
    return element


async def answered(slack: FakeSlack, channel: str, thread_ts: str, text: str) -> SlackMessage:
    def done() -> SlackMessage | None:
        for message in slack.thread_messages(channel, thread_ts):
            if message.blocks and text in (message.visible_text or ""):
                return message
        return None

    return await slack.wait_until(done, what=f"the answer with its feedback block in {channel}")


async def click(
    bot: BotProcess, answer: SlackMessage, value: str, *, user: str = "U0ALICE", at: float | None = None
) -> int:
    element = feedback_element(answer)
    message = answer.to_api("B0BOT")
    action = {
        "type": "feedback_buttons",
        "action_id": element["action_id"],
        "block_id": answer.blocks[-1].get("block_id", "b") if answer.blocks else "b",
        "value": value,
        "action_ts": f"{at or time.time():.6f}",
    }
    body = payloads.block_action(action, channel=answer.channel, user=user, message=message)
    status, _ = await bot.send_form(payloads.interactive(body))
    return status


async def stored_votes(db_url: str, answer: SlackMessage) -> list[StoredVote]:
    db = Database(db_url)
    try:
        return await FeedbackStore(db).votes(
            ThreadKey("T0TEST", answer.channel, answer.thread_ts or answer.ts), answer.ts
        )
    finally:
        await db.close()


async def metric(bot: BotProcess, name: str, value: str) -> float:
    status, text = await bot.get("/metrics")
    assert status == 200
    found = re.search(rf'^{name}{{value="{value}"}} ([0-9.e+]+)$', text, re.M)
    assert found, f"{name}{{value={value!r}}} is not in /metrics"
    return float(found.group(1))


async def test_a_streamed_answer_in_a_channel_ends_with_feedback_buttons(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    openai_api.queue_chat(ChatReply(chunks=["A haiku ", "is short."]))
    event = payloads.mention("what is a haiku?")
    await bot.send_event(payloads.event_callback(event))
    answer = await answered(slack, "C0CHAN", event["ts"], "A haiku is short.")
    assert answer.created_by == "chat.startStream"
    feedback_element(answer)
    [stop] = slack.calls_to("chat.stopStream")
    assert stop.args["blocks"][-1]["type"] == "context_actions"


async def test_an_answer_in_a_dm_ends_with_feedback_buttons(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    openai_api.queue_chat(ChatReply("Tides follow the moon."))
    event = payloads.message("why tides?", channel="D0DM", channel_type="im")
    await bot.send_event(payloads.event_callback(event))
    answer = await answered(slack, "D0DM", event["ts"], "Tides follow the moon.")
    feedback_element(answer)


async def test_a_posted_and_edited_answer_ends_with_feedback_buttons(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    slack.refuse_streaming = True
    openai_api.queue_chat(ChatReply(chunks=["One ", "two ", "three."], chunk_delay=0.2))
    event = payloads.mention("count")
    await bot.send_event(payloads.event_callback(event))
    answer = await answered(slack, "C0CHAN", event["ts"], "One two three.")
    assert answer.created_by == "chat.postMessage"
    assert answer.visible_text == "One two three."
    assert answer.blocks is not None
    assert answer.blocks[0] == {"type": "markdown", "text": "One two three."}
    feedback_element(answer)
    # Only the finished answer carries the buttons: the edits while it was written did not.
    [post] = slack.calls_to("chat.postMessage")
    assert "blocks" not in post.args


async def test_an_answer_posted_whole_ends_with_feedback_buttons(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    openai_api.queue_chat(ChatReply(choices=["Red.", "Green."]))
    await bot.send_form(payloads.slash_command("/ask", "--n 2 Name a colour"))
    root = await slack.wait_until(
        lambda: next((m for m in slack.messages if m.thread_ts is None and m.is_bot), None),
        what="the question posted",
    )
    answer = await answered(slack, "C0CHAN", root.ts, "Green.")
    feedback_element(answer)


async def test_an_answer_whose_stream_expired_still_ends_with_feedback_buttons(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    slack.expire_streams_after_appends = 1
    openai_api.queue_chat(ChatReply(chunks=["a" * 300, "b" * 300, "c"], chunk_delay=0.1))
    event = payloads.mention("long")
    await bot.send_event(payloads.event_callback(event))
    answer = await answered(slack, "C0CHAN", event["ts"], "c")
    assert answer.visible_text == "a" * 300 + "b" * 300 + "c"
    feedback_element(answer)


@BOTH_DATABASES
async def test_clicks_reach_the_stored_vote_and_metrics_and_a_change_of_mind_replaces_it(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI, db_url: str
) -> None:
    event = payloads.mention("rate me")
    await bot.send_event(payloads.event_callback(event))
    answer = await answered(slack, "C0CHAN", event["ts"], "Echo: rate me")
    assert await metric(bot, "bot_feedback_total", "positive") == 0

    first = time.time()
    assert await click(bot, answer, "positive", at=first) == 200
    votes = await wait_votes(db_url, answer, lambda v: [x.value for x in v] == ["positive"])
    assert votes[0].user_id == "U0ALICE" and abs(votes[0].voted_at - first) < 0.001
    assert await metric(bot, "bot_feedback_total", "positive") == 1
    assert not slack.ephemerals  # a thumbs up asks nothing

    # A change of mind: the later click replaces the vote, and the bot asks what was wrong.
    assert await click(bot, answer, "negative", at=first + 1) == 200
    await wait_votes(db_url, answer, lambda v: [x.value for x in v] == ["negative"])
    [asked] = await slack.wait_until(lambda: slack.ephemerals, what="What was wrong?")
    assert asked.ephemeral_user == "U0ALICE" and asked.thread_ts == event["ts"]
    assert "What was wrong?" in (asked.text or "")
    assert await metric(bot, "bot_feedback_total", "negative") == 1
    assert await metric(bot, "bot_feedback_replaced_total", "positive") == 1

    # An older click delivered late changes nothing; another person's vote is their own.
    assert await click(bot, answer, "positive", at=first + 0.5) == 200
    assert await click(bot, answer, "positive", user="U0BOB") == 200
    votes = await wait_votes(db_url, answer, lambda v: len(v) == 2)
    assert [(v.user_id, v.value) for v in votes] == [("U0ALICE", "negative"), ("U0BOB", "positive")]

    # "Tell what was wrong": the form opens, and the answer is kept with the vote.
    [button] = asked.blocks[-1]["elements"] if asked.blocks else []
    body = payloads.block_action(
        {"type": "button", "action_id": button["action_id"], "value": button["value"]},
        container={"type": "message", "channel_id": "C0CHAN", "is_ephemeral": True, "message_ts": asked.ts},
    )
    assert (await bot.send_form(payloads.interactive(body)))[0] == 200
    [opened] = await slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "answer_feedback_comment"
    values = {"comment": {"value": {"type": "plain_text_input", "value": "It made up a date."}}}
    status, _ = await bot.send_form(payloads.interactive(payloads.view_submission(view, values)))
    assert status == 200
    votes = await wait_votes(db_url, answer, lambda v: v[0].comment is not None)
    assert votes[0].comment == "It made up a date." and votes[0].value == "negative"


async def wait_votes(
    db_url: str, answer: SlackMessage, ready: Any, timeout: float = 10.0
) -> list[StoredVote]:
    deadline = time.monotonic() + timeout
    while True:
        votes = await stored_votes(db_url, answer)
        if ready(votes):
            return votes
        if time.monotonic() > deadline:
            raise AssertionError(f"the stored votes never got there: {votes}")
        await asyncio.sleep(0.1)


async def test_a_forged_click_gets_401_and_changes_nothing(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI, db_url: str
) -> None:
    event = payloads.mention("rate me")
    await bot.send_event(payloads.event_callback(event))
    answer = await answered(slack, "C0CHAN", event["ts"], "Echo: rate me")
    message = answer.to_api("B0BOT")
    body = payloads.block_action(
        {"type": "feedback_buttons", "action_id": feedback_element(answer)["action_id"], "value": "negative"},
        message=message,
    )
    form = payloads.interactive(body)
    raw = urlencode(form).encode()
    assert (await bot.post(raw, "application/x-www-form-urlencoded", secret="not-the-secret"))[0] == 401
    assert (await bot.post(raw, "application/x-www-form-urlencoded", signed=False))[0] == 401
    stale = int(time.time()) - 600
    assert (await bot.post(raw, "application/x-www-form-urlencoded", timestamp=stale))[0] == 401
    await asyncio.sleep(0.5)
    assert await stored_votes(db_url, answer) == []
    assert await metric(bot, "bot_feedback_total", "negative") == 0
    assert not slack.ephemerals
    # The same click, signed, is a real one.
    assert await click(bot, answer, "negative") == 200
    await wait_votes(db_url, answer, lambda v: len(v) == 1)
