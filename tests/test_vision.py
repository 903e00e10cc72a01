"""Vision prompt: ask about shared pictures (and documents), and keep asking in the thread."""

from __future__ import annotations

import asyncio
import base64
import json
import sqlite3
from pathlib import Path

import pytest

from tests.fakes.openai_api import ErrorReply, FakeOpenAI, _png
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess
from tests.test_documents import build_pdf, text_stream

RED, BLUE = _png(2, 2, (255, 0, 0, 255)), _png(3, 1, (0, 0, 255, 255))


def data_url(content: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(content).decode()


def image_parts(body: dict) -> list[dict]:  # type: ignore[type-arg]
    content = body["messages"][-1]["content"]
    return [part for part in content if part["type"] == "image_url"]


async def test_an_image_attached_to_a_mention_goes_to_the_vision_model_as_a_data_url(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    bot = await start_bot(OPENAI_VISION_MODEL="gpt-6-sol")
    image = slack.add_file(RED, "red.png", "image/png", "png")
    event = payloads.mention("what colour is this?")
    event["files"] = [image]
    await bot.send_event(payloads.event_callback(event))

    [reply] = await slack.wait_thread_messages("C0CHAN", event["ts"])
    assert reply.visible_text == "Echo: what colour is this?"
    [body] = openai_api.chat_bodies()
    assert body["model"] == "gpt-6-sol"
    content = body["messages"][-1]["content"]
    assert content[0] == {"type": "text", "text": "what colour is this?"}
    assert content[1] == {"type": "image_url", "image_url": {"url": data_url(RED), "detail": "auto"}}
    assert slack.downloads[0].headers["authorization"] == f"Bearer {slack.bot_token}"


async def test_several_images_in_a_dm_all_go_in_order_and_follow_ups_still_see_them(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI, tmp_path: Path
) -> None:
    files = [
        slack.add_file(RED, "a.png", "image/png", "png"),
        slack.add_file(BLUE, "b.png", "image/png", "png"),
    ]
    event = payloads.message(
        "compare these", channel="D0DM", channel_type="im", subtype="file_share", files=files
    )
    await bot.send_event(payloads.event_callback(event))
    await slack.wait_thread_messages("D0DM", event["ts"])
    first = openai_api.chat_bodies()[0]
    assert [p["image_url"]["url"] for p in image_parts(first)] == [data_url(RED), data_url(BLUE)]
    assert first["model"] == "gpt-6-luna"  # OPENAI_VISION_MODEL's default

    for n in range(2, 5):
        reply = payloads.message(f"and now {n}?", channel="D0DM", channel_type="im", thread_ts=event["ts"])
        await bot.send_event(payloads.event_callback(reply))
        await slack.wait_thread_messages("D0DM", event["ts"], count=n)
    last = openai_api.chat_bodies()[-1]
    carried = [m for m in last["messages"] if isinstance(m["content"], list)]
    assert len(carried) == 1 and [p["image_url"]["url"] for p in carried[0]["content"][1:]] == [
        data_url(RED), data_url(BLUE),
    ]  # fmt: skip
    assert len(slack.downloads) == 2  # downloaded once, not per turn

    with sqlite3.connect(tmp_path / "data" / "bot.db") as db:
        assert db.execute("SELECT count(*) FROM attachments").fetchone() == (2,)
        stored = " ".join(row[0] for row in db.execute("SELECT content FROM conversation_messages"))
    assert base64.b64encode(RED).decode() not in stored


async def test_the_same_image_shared_twice_is_stored_once(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI, tmp_path: Path
) -> None:
    for i in range(2):
        file = slack.add_file(RED, f"copy{i}.png", "image/png", "png")
        event = payloads.message(
            "again", channel="D0DM", channel_type="im", subtype="file_share", files=[file]
        )
        await bot.send_event(payloads.event_callback(event))
        await slack.wait_thread_messages("D0DM", event["ts"])
    with sqlite3.connect(tmp_path / "data" / "bot.db") as db:
        assert db.execute("SELECT count(*) FROM attachments").fetchone() == (1,)


async def test_vision_command_with_a_slack_file_link_and_flags(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    file = slack.add_file(BLUE, "chart.png", "image/png", "png")
    link = f"https://test.slack.com/files/U0BOB/{file['id']}/chart.png"
    status, body = await bot.send_form(
        payloads.slash_command(
            "/vision", f"--detail high --temperature 0.1 What does this chart show? {link}"
        )
    )
    assert status == 200 and body == ""
    [request] = await openai_api.wait_for("/v1/chat/completions")
    assert request.json is not None
    assert request.json["temperature"] == 0.1
    assert image_parts(request.json) == [
        {"type": "image_url", "image_url": {"url": data_url(BLUE), "detail": "high"}}
    ]
    assert request.json["messages"][-1]["content"][0]["text"] == "What does this chart show?"
    root = next(m for m in slack.messages if m.thread_ts is None and m.is_bot)
    assert "What does this chart show?" in root.visible_text and "1 image attached" in root.visible_text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://example.com/cat.png", "only https:// links are allowed"),
        ("https://10.0.0.7/cat.png", "private"),
        ("https://127.0.0.1/cat.png", ""),
    ],
)
async def test_an_unsafe_image_url_is_refused_at_once(
    bot: BotProcess, openai_api: FakeOpenAI, url: str, expected: str
) -> None:
    status, body = await bot.send_form(payloads.slash_command("/vision", f"what is this {url}"))
    text = json.loads(body)["text"]
    assert status == 200 and url in text and expected in text
    await asyncio.sleep(0.3)
    assert openai_api.requests_to("/v1/chat/completions") == []


async def test_a_host_that_resolves_to_a_private_address_is_refused(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    await bot.send_form(payloads.slash_command("/vision", "what is this https://localhost/cat.png"))
    [notice] = await slack.wait_for("chat.postEphemeral", timeout=20)
    assert "https://localhost/cat.png" in notice.args["text"]
    assert openai_api.requests_to("/v1/chat/completions") == []


@pytest.mark.parametrize(
    ("content", "name", "mimetype", "filetype", "extra", "expected"),
    [
        (RED, "big.png", "image/png", "png", {"size": 21 * 1024 * 1024}, "the limit is 20 MB"),
        (b"PK\x03\x04zip", "archive.zip", "application/zip", "zip", {}, "neither an image"),
        (RED, "private.png", "image/png", "png", {"login_page": True}, "login page"),
        (b"BM" + b"\x00" * 60, "old.png", "image/png", "png", {}, "PNG, JPEG, WEBP or non-animated GIF"),
    ],
    ids=["too-large", "wrong-type", "login-page", "not-really-an-image"],
)
async def test_a_shared_file_that_cannot_be_used_gets_a_message_and_no_openai_call(
    bot: BotProcess,
    slack: FakeSlack,
    openai_api: FakeOpenAI,
    content: bytes,
    name: str,
    mimetype: str,
    filetype: str,
    extra: dict,  # type: ignore[type-arg]
    expected: str,
) -> None:
    file = slack.add_file(content, name, mimetype, filetype, **extra)
    event = payloads.mention("look")
    event["files"] = [file]
    await bot.send_event(payloads.event_callback(event))
    [notice] = await slack.wait_for("chat.postEphemeral", timeout=20)
    assert expected in notice.args["text"]
    assert openai_api.requests_to("/v1/chat/completions") == []


async def test_a_model_that_cannot_see_images_gets_a_clear_message(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    openai_api.queue_chat(
        ErrorReply(400, "Invalid content type. image_url is only supported by certain models.")
    )
    image = slack.add_file(RED, "red.png", "image/png", "png")
    event = payloads.mention("--model text-only-1 what is it?")
    event["files"] = [image]
    await bot.send_event(payloads.event_callback(event))
    [reply] = await slack.wait_thread_messages("C0CHAN", event["ts"])
    assert "`text-only-1` cannot look at images" in reply.visible_text
    assert "OPENAI_VISION_MODEL" in reply.visible_text


async def test_a_pdf_and_a_csv_are_read_into_the_conversation(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    pdf = slack.add_file(
        build_pdf([text_stream("Quarterly revenue grew 12%.")]), "report.pdf", "application/pdf", "pdf"
    )
    csv = slack.add_file(b"region,sales\nnorth,10\nsouth,7\n", "sales.csv", "text/csv", "csv")
    event = payloads.message(
        "summarize", channel="D0DM", channel_type="im", subtype="file_share", files=[pdf, csv]
    )
    await bot.send_event(payloads.event_callback(event))
    await slack.wait_thread_messages("D0DM", event["ts"])
    question = openai_api.chat_bodies()[0]["messages"][-1]["content"]
    assert question.startswith("summarize\n\n[Document `report.pdf`]\n")
    assert "Quarterly revenue grew 12%." in question
    assert "[Document `sales.csv`]\nregion,sales\nnorth,10\nsouth,7" in question

    follow_up = payloads.message(
        "which region sold more?", channel="D0DM", channel_type="im", thread_ts=event["ts"]
    )
    await bot.send_event(payloads.event_callback(follow_up))
    await openai_api.wait_for("/v1/chat/completions", count=2)
    assert "north,10" in openai_api.chat_bodies()[1]["messages"][1]["content"]


async def test_a_long_document_is_cut_to_fit_with_a_note(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    bot = await start_bot(OPENAI_CONTEXT_TOKENS="3000")
    text = "\n".join(f"line {i} of a very long document with many words in it" for i in range(2000)).encode()
    doc = slack.add_file(text, "long.txt", "text/plain", "text")
    event = payloads.message(
        "read this", channel="D0DM", channel_type="im", subtype="file_share", files=[doc]
    )
    await bot.send_event(payloads.event_callback(event))
    [reply] = await slack.wait_thread_messages("D0DM", event["ts"])
    assert "`long.txt` was cut to fit" in reply.visible_text
    question = openai_api.chat_bodies()[0]["messages"][-1]["content"]
    assert "line 0 of" in question and "line 1999 of" not in question
