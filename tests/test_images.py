"""Create image: /image, its modal, and the create_image tool inside a conversation."""

from __future__ import annotations

import asyncio
import base64
import json

import pytest

from tests.fakes.openai_api import ChatReply, ErrorReply, FakeOpenAI, JsonReply
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess

JPEG = b"\xff\xd8\xff\xe0" + b"fake-jpeg-body" * 10


async def image_command(bot: BotProcess, text: str, **kwargs: str) -> tuple[int, str]:
    return await bot.send_form(payloads.slash_command("/image", text, **kwargs))


async def test_every_property_reaches_the_request_and_n_images_arrive_in_one_upload(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    bot = await start_bot(OPENAI_IMAGE_MODEL="dall-e-3")  # a model that takes style and response format
    png = base64.b64encode(openai_api.image_bytes).decode()
    jpeg = base64.b64encode(JPEG).decode()
    data = [{"b64_json": png, "revised_prompt": "A tall red lighthouse at dawn"}, {"b64_json": jpeg}]
    openai_api.queue("/v1/images/generations", JsonReply({"created": 1, "data": data}))
    status, body = await image_command(
        bot, "--quality high --size 1536x1024 --style natural --response-format b64_json --n 2 --user u-7 "
        "A lighthouse at dawn",
    )  # fmt: skip
    assert status == 200 and "Creating 2 images" in json.loads(body)["text"]

    [batch] = await slack.wait_until(lambda: slack.upload_batches, what="the upload")
    assert [f.filename for f in batch] == ["a-lighthouse-at-dawn-1.png", "a-lighthouse-at-dawn-2.jpeg"]
    assert batch[0].content == openai_api.image_bytes and batch[1].content == JPEG
    assert batch[0].channel == "C0CHAN" and batch[0].thread_ts is None
    assert batch[0].initial_comment.startswith("<@U0ALICE>: A lighthouse at dawn")
    assert "Revised prompt: A tall red lighthouse at dawn" in batch[0].initial_comment
    [request] = openai_api.requests_to("/v1/images/generations")
    assert request.json == {
        "model": "dall-e-3", "prompt": "A lighthouse at dawn", "quality": "high", "size": "1536x1024",
        "style": "natural", "response_format": "b64_json", "n": 2, "user": "u-7",
    }  # fmt: skip


async def test_style_and_format_have_no_effect_on_gpt_image_models_and_the_user_is_told(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    await image_command(bot, "--style vivid --response-format url A cat")
    [batch] = await slack.wait_until(lambda: slack.upload_batches, what="the upload")
    [request] = openai_api.requests_to("/v1/images/generations")
    assert request.json is not None
    assert "style" not in request.json and "response_format" not in request.json
    assert request.json["model"] == "gpt-image-2.6-flare"
    assert "`--style` and `--response-format` have no effect with `gpt-image-2.6-flare`" in (
        batch[0].initial_comment or ""
    )
    assert batch[0].content == openai_api.image_bytes


async def test_a_url_answer_is_downloaded_not_linked(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    bot = await start_bot(OPENAI_IMAGE_MODEL="dall-e-3")
    await image_command(bot, "--response-format url A cat")
    [batch] = await slack.wait_until(lambda: slack.upload_batches, what="the upload")
    assert batch[0].content == openai_api.image_bytes
    assert batch[0].filename == "a-cat.png"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("--n 11 a cat", "`--n` must be a whole number from 1 to 10"),
        ("--size 1000x1000 a cat", "`--size` must be auto, 1024x1024"),
        ("--quality ultra a cat", "`--quality` must be one of auto, low, medium, high"),
        ("--style moody a cat", "`--style` must be one of vivid, natural"),
        ("--voice alloy a cat", "`--voice` is not a flag of `/image`"),
        ("--n 2", "`/image` needs text after the flags"),
    ],
)
async def test_a_bad_image_flag_is_refused_privately(
    bot: BotProcess, openai_api: FakeOpenAI, text: str, expected: str
) -> None:
    status, body = await image_command(bot, text)
    assert status == 200 and expected in json.loads(body)["text"]
    await asyncio.sleep(0.3)
    assert openai_api.requests_to("/v1/images/generations") == []


async def test_an_upstream_refusal_is_told_to_the_user(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    openai_api.queue(
        "/v1/images/generations",
        ErrorReply(400, "Your request was rejected by the safety system.", code="content_policy_violation"),
    )
    await image_command(bot, "something not allowed")
    [notice] = await slack.wait_for("chat.postEphemeral")
    assert "declined this request under its content policy" in notice.args["text"]
    assert slack.upload_batches == []


async def test_the_image_modal_opens_and_a_valid_submission_creates_the_image(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    await image_command(bot, "")
    [opened] = await slack.wait_for("views.open")
    view = opened.args["view"]
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert [b["element"]["type"] for b in view["blocks"]][:6] == ["plain_text_input"] + ["static_select"] * 5
    assert blocks["model"]["element"]["initial_option"]["value"] == "gpt-image-2.6-flare"

    def chosen(value: str) -> dict[str, object]:
        return {"value": {"type": "static_select", "selected_option": {"value": value}}}

    values = {
        "prompt": {"value": {"type": "plain_text_input", "value": "A red fox"}},
        "model": chosen("gpt-image-2.6-flare"),
        "quality": chosen("low"),
        "size": chosen("1024x1536"),
        "n": {"value": {"type": "plain_text_input", "value": "12"}},
    }
    _, body = await bot.send_form(payloads.interactive(payloads.view_submission(view, values)))
    assert json.loads(body) == {
        "response_action": "errors",
        "errors": {"n": "Must be a whole number from 1 to 10."},
    }

    values["n"] = {"value": {"type": "plain_text_input", "value": "1"}}
    status, body = await bot.send_form(payloads.interactive(payloads.view_submission(view, values)))
    assert status == 200 and body == ""
    [batch] = await slack.wait_until(lambda: slack.upload_batches, what="the upload")
    assert batch[0].filename == "a-red-fox.png"
    [request] = openai_api.requests_to("/v1/images/generations")
    assert request.json is not None
    assert (request.json["quality"], request.json["size"], request.json["n"]) == ("low", "1024x1536", 1)


async def test_asking_for_a_picture_in_a_thread_runs_the_tool_and_uploads_into_the_thread(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    openai_api.queue_chat(
        ChatReply(
            tool_calls=[{"id": "call_1", "name": "create_image", "arguments": '{"prompt": "a lighthouse"}'}]
        ),
        ChatReply("Here is your lighthouse."),
    )
    event = payloads.mention("draw me a lighthouse")
    await bot.send_event(payloads.event_callback(event))

    await openai_api.wait_for("/v1/chat/completions", count=2)
    first, second = openai_api.chat_bodies()
    assert {tool["function"]["name"] for tool in first["tools"]} == {"create_image", "read_aloud"}
    [batch] = await slack.wait_until(lambda: slack.upload_batches, what="the upload")
    assert batch[0].thread_ts == event["ts"] and batch[0].content == openai_api.image_bytes
    assert second["messages"][-2]["tool_calls"][0]["function"]["name"] == "create_image"
    assert second["messages"][-1]["role"] == "tool" and second["messages"][-1]["tool_call_id"] == "call_1"
    assert "posted them in the thread" in second["messages"][-1]["content"]
    answer = await slack.wait_until(
        lambda: [
            m
            for m in slack.thread_messages("C0CHAN", event["ts"])
            if m.visible_text and not m.files and not m.streaming
        ],
        what="the answer",
    )
    assert answer[0].visible_text == "Here is your lighthouse."


async def test_tools_can_be_turned_off(start_bot, slack: FakeSlack, openai_api: FakeOpenAI) -> None:  # type: ignore[no-untyped-def]
    bot = await start_bot(OPENAI_TOOLS_ENABLED="false")
    event = payloads.mention("draw me a lighthouse")
    await bot.send_event(payloads.event_callback(event))
    await slack.wait_thread_messages("C0CHAN", event["ts"])
    assert "tools" not in openai_api.chat_bodies()[0]
