"""An answer once complete never changes: SIGKILL at each point of a chat job's life.

The fake Slack holds the final Slack call (chat.stopStream) before or after carrying it out, so
the kill lands exactly there. Whatever the point, the thread ends with one answer, the model is
asked again only when nothing complete was shown, and the history the model reads next holds the
answer the person saw.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from storage import Database, JobStore
from tests.conftest import BOTH_DATABASES
from tests.fakes.openai_api import ChatReply, ErrorReply, FakeOpenAI
from tests.fakes.slack_api import FakeSlack, SlackMessage
from tests.support import payloads
from tests.support.bot_process import BotProcess

FIRST, SECOND = "Answer A, complete.", "Answer B, complete."


def history(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(m["role"], m["content"]) for m in body["messages"][1:]]


async def the_answer(slack: FakeSlack, thread_ts: str, text: str) -> SlackMessage:
    def finished() -> SlackMessage | None:
        done = [m for m in slack.thread_messages("C0CHAN", thread_ts) if not m.streaming]
        return next((m for m in done if m.visible_text == text), None)

    return await slack.wait_until(finished, timeout=20, what=f"the finished answer {text!r}")


async def job_done(db_url: str) -> None:
    db = Database(db_url)
    try:
        for _ in range(400):
            if (await JobStore(db).counts()).get("done"):
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the job was never recorded as done")
    finally:
        await db.close()


async def kill_at(point: str, bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI, db_url: str) -> None:
    """Queue the first attempt's answer, start it, and SIGKILL the bot at `point`."""
    if point == "before_first_token":
        openai_api.queue_chat(ChatReply(FIRST, first_delay=30))
        await openai_api.wait_for("/v1/chat/completions")
    elif point == "mid_stream":
        openai_api.queue_chat(ChatReply(chunks=["Answer A,", " complete."], chunk_delay=30))
        await slack.wait_for("chat.startStream")
    elif point in ("before_final_call", "after_final_call"):
        hold = (slack.hold_before if point == "before_final_call" else slack.hold_after)("chat.stopStream")
        openai_api.queue_chat(ChatReply(chunks=["Answer A,", " complete."]))
        await asyncio.wait_for(hold.reached.wait(), 20)
    elif point == "after_saved":
        openai_api.queue_chat(ChatReply(chunks=["Answer A,", " complete."]))
        await job_done(db_url)
    await bot.kill()


# (where the kill lands, what the thread ends with, how many times the model was asked)
POINTS = [
    ("before_first_token", SECOND, 2),
    ("mid_stream", SECOND, 2),
    ("before_final_call", FIRST, 1),  # recorded, not yet shown complete: shown now, not asked again
    ("after_final_call", FIRST, 1),  # complete in Slack, the job not yet done: left as it is
    ("after_saved", FIRST, 1),
]


@pytest.mark.parametrize(("point", "final", "asked"), POINTS, ids=[p[0] for p in POINTS])
async def test_killed_at_each_point_of_a_job_one_answer_that_never_changes_once_complete(
    start_bot: Callable[..., Any],
    slack: FakeSlack,
    openai_api: FakeOpenAI,
    db_url: str,
    point: str,
    final: str,
    asked: int,
) -> None:
    bot = await start_bot()
    event = payloads.mention("tell me something")
    await bot.send_event(payloads.event_callback(event))
    await kill_at(point, bot, slack, openai_api, db_url)
    complete_at_kill = [
        m.visible_text for m in slack.thread_messages("C0CHAN", event["ts"]) if not m.streaming
    ]
    openai_api.queue_chat(ChatReply(SECOND))

    bot = await start_bot()
    answer = await the_answer(slack, event["ts"], final)
    await job_done(db_url)  # the resumed job has finished: whatever it shows, it has shown

    assert [m.visible_text for m in slack.thread_messages("C0CHAN", event["ts"])] == [final]
    assert len(openai_api.requests_to("/v1/chat/completions")) == asked
    if complete_at_kill:  # once complete, every later write to the message says the same
        assert complete_at_kill == [final]
        later = [u.get("markdown_text") or u.get("text") for u in answer.updates]
        assert set(later) <= {final}, later

    # The history the model reads next holds the answer that the person saw, once.
    await bot.send_event(payloads.event_callback(payloads.message("and then?", thread_ts=event["ts"])))
    await openai_api.wait_for("/v1/chat/completions", count=asked + 1)
    assert history(openai_api.chat_bodies()[-1]) == [
        ("user", "tell me something"),
        ("assistant", final),
        ("user", "and then?"),
    ]


@BOTH_DATABASES
async def test_on_either_database_a_kill_after_the_final_call_changes_nothing(
    start_bot: Callable[..., Any], slack: FakeSlack, openai_api: FakeOpenAI, db_url: str
) -> None:
    bot = await start_bot(JOB_LEASE_SECONDS="1")
    event = payloads.mention("once")
    await bot.send_event(payloads.event_callback(event))
    await kill_at("after_final_call", bot, slack, openai_api, db_url)
    await start_bot(JOB_LEASE_SECONDS="1")
    await slack.wait_for("chat.update", timeout=20)  # the resumed job re-delivered the recorded text
    await asyncio.sleep(0.5)
    [answer] = slack.thread_messages("C0CHAN", event["ts"])
    assert answer.visible_text == FIRST and not answer.streaming
    assert len(openai_api.requests_to("/v1/chat/completions")) == 1


async def test_a_reply_first_shown_by_its_finishing_call_killed_after_it_stays_one_message(
    start_bot: Callable[..., Any], slack: FakeSlack, openai_api: FakeOpenAI, db_url: str
) -> None:
    """The finishing call posts the message (here a failure notice: nothing was streamed before),
    and its ts is not recorded on its own: the resumed job finds the message in the thread and
    makes it read the same, once, without asking the model again."""
    bot = await start_bot()
    event = payloads.mention("fail once")
    hold = slack.hold_after("chat.stopStream")
    openai_api.queue_chat(ErrorReply(400, "This request was refused."))
    await bot.send_event(payloads.event_callback(event))
    await asyncio.wait_for(hold.reached.wait(), 20)
    await bot.kill()
    [shown] = [m.visible_text for m in slack.thread_messages("C0CHAN", event["ts"]) if not m.streaming]

    await start_bot()
    await job_done(db_url)
    [answer] = slack.thread_messages("C0CHAN", event["ts"])
    assert answer.visible_text == shown and "refused" in shown and not answer.streaming
    assert {u.get("markdown_text") or u.get("text") for u in answer.updates} <= {shown}
    assert len(openai_api.requests_to("/v1/chat/completions")) == 1
    assert len(slack.calls_to("chat.startStream")) == 1 and not slack.calls_to("chat.postMessage")


@pytest.mark.parametrize("held", ["before", "after"])
async def test_an_upload_killed_at_its_final_call_is_shared_once_and_the_image_made_once(
    start_bot: Callable[..., Any], slack: FakeSlack, openai_api: FakeOpenAI, db_url: str, held: str
) -> None:
    bot = await start_bot()
    hold = (slack.hold_before if held == "before" else slack.hold_after)("files.completeUploadExternal")
    await bot.send_form(payloads.slash_command("/image", "A lighthouse at dawn"))
    await asyncio.wait_for(hold.reached.wait(), 20)
    await bot.kill()

    await start_bot()
    # Resumed: files.info on the recorded id tells whether the share went through; if not, the
    # recorded upload is shared now. Either way the image is not made again.
    await slack.wait_for("files.info", timeout=20)
    await slack.wait_until(lambda: slack.upload_batches, timeout=20, what="the upload")
    await job_done(db_url)
    [batch] = slack.upload_batches
    assert batch[0].initial_comment.startswith("<@U0ALICE>: A lighthouse at dawn")
    assert len([m for m in slack.bot_messages("C0CHAN") if m.files]) == 1
    assert len(openai_api.requests_to("/v1/images/generations")) == 1
    assert len(slack.calls_to("files.getUploadURLExternal")) == 1


@pytest.mark.parametrize("held", ["before", "after"])
async def test_a_transcript_killed_at_its_post_is_posted_once_and_made_once(
    start_bot: Callable[..., Any], slack: FakeSlack, openai_api: FakeOpenAI, db_url: str, held: str
) -> None:
    bot = await start_bot()
    file = slack.add_file(b"ID3\x04\x00fake-mp3-audio" * 50, "standup.mp3", "audio/mpeg", "mp3")
    event = payloads.message("", channel="D0DM", channel_type="im", subtype="file_share", files=[file])
    hold = (slack.hold_before if held == "before" else slack.hold_after)("chat.postMessage")
    await bot.send_event(payloads.event_callback(event))
    await asyncio.wait_for(hold.reached.wait(), 20)
    await bot.kill()

    await start_bot()
    text = "*Transcript of `standup.mp3`*\nThis is a fake transcription."
    await slack.wait_until(
        lambda: [m for m in slack.thread_messages("D0DM", event["ts"]) if m.visible_text == text],
        timeout=20,
        what="the transcript",
    )
    await job_done(db_url)  # the resumed job has finished: whatever it posts, it has posted
    assert [m.visible_text for m in slack.thread_messages("D0DM", event["ts"])] == [text]
    assert len(openai_api.requests_to("/v1/audio/transcriptions")) == 1
