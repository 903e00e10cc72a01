"""Message shortcut "Summarize thread": read once from Slack, summary posted in the thread."""

from __future__ import annotations

from tests.fakes.openai_api import ChatReply, FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess


async def test_the_thread_is_summarized_in_place_and_becomes_a_conversation(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    slack.replies_max_limit = 15  # what Slack gives most apps per page
    slack.add_user("U0ALICE", display_name="Alice")
    slack.add_user("U0BOB", display_name="Bob")
    root_ts = "1700000000.100000"
    slack.add_message("C0CHAN", root_ts, "Should we ship on Friday?", "U0ALICE")
    for i in range(40):  # longer than one page of conversations.replies
        slack.add_message(
            "C0CHAN", f"1700000000.1{i + 1:05d}", f"point {i} &amp; more", "U0BOB", thread_ts=root_ts
        )
    last = "1700000000.200000"
    slack.add_message("C0CHAN", last, "Decision: ship Monday.", "U0ALICE", thread_ts=root_ts)
    openai_api.queue_chat(ChatReply("- Ship Monday (Alice)."), ChatReply("Alice decided."))
    clicked = {
        "type": "message",
        "user": "U0BOB",
        "ts": f"1700000000.1{5:05d}",
        "thread_ts": root_ts,
        "text": "x",
    }

    status, _ = await bot.send_form(
        payloads.interactive(payloads.message_shortcut("summarize_thread", clicked))
    )
    assert status == 200

    [summary] = await slack.wait_thread_messages("C0CHAN", root_ts)
    assert summary.visible_text == "- Ship Monday (Alice)."
    question = openai_api.chat_bodies()[0]["messages"][-1]
    assert question["content"].startswith("Summarize this Slack thread")
    assert "Alice: Should we ship on Friday?" in question["content"]
    assert "Bob: point 39 & more" in question["content"]
    assert question["content"].endswith("Alice: Decision: ship Monday.")
    assert len(slack.calls_to("conversations.replies")) == 3  # 42 messages, 15 a page

    # A follow-up in the thread continues from the summary, without reading Slack again.
    reads = len(slack.calls_to("conversations.replies"))
    await bot.send_event(payloads.event_callback(payloads.message("Who decided?", thread_ts=root_ts)))
    await openai_api.wait_for("/v1/chat/completions", count=2)
    history = openai_api.chat_bodies()[1]["messages"]
    assert history[-2] == {"role": "assistant", "content": "- Ship Monday (Alice)."}
    assert len(slack.calls_to("conversations.replies")) == reads
