"""Assistants: created in Slack, listed, shown, changed, deleted, and put to work."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.conftest import BOTH_DATABASES
from tests.fakes.openai_api import ChatReply, FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


async def assistant(bot: BotProcess, text: str, **kwargs: str) -> tuple[int, str]:
    return await bot.send_form(payloads.slash_command("/assistant", text, **kwargs))


async def private_reply(slack: FakeSlack, count: int = 1) -> str:
    calls = await slack.wait_for("chat.postEphemeral", count=count)
    return str(calls[count - 1].args["text"])


def shown_json(text: str) -> dict:  # type: ignore[type-arg]
    return json.loads(text.split("```\n", 1)[1].rsplit("\n```", 1)[0])


async def create_support(bot: BotProcess, slack: FakeSlack, extra: str = "") -> dict:  # type: ignore[type-arg]
    tools = json.dumps([WEATHER_TOOL, "create_image"])
    status, body = await assistant(
        bot,
        f'create --name Support --model gpt-6-sol --description "Answers support questions" '
        f"--instructions \"You are Support. Be kind.\" --tools '{tools}' "
        f'--metadata \'{{"team": "cx"}}\' {extra}',
    )
    assert (status, body) == (200, "")
    return shown_json(await private_reply(slack))


@BOTH_DATABASES
async def test_create_by_flags_shows_the_assistant_as_the_seed_did(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    created = await create_support(bot, slack)
    assert set(created) == set(
        "id object created_at name description model instructions tools file_ids metadata".split()
    )
    assert created["id"].startswith("asst_") and created["object"] == "assistant"
    assert isinstance(created["created_at"], int)
    assert (created["name"], created["model"], created["description"]) == (
        "Support", "gpt-6-sol", "Answers support questions",
    )  # fmt: skip
    assert created["instructions"] == "You are Support. Be kind."
    assert created["tools"] == [WEATHER_TOOL, {"type": "function", "function": {"name": "create_image"}}]
    assert created["metadata"] == {"team": "cx"} and created["file_ids"] == []
    assert openai_api.requests_to("/v1/chat/completions") == []


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (f"--name {'n' * 257}", "`--name`"),
        (
            f'--name A --description "{"d" * 513}"',
            "`--description`: String should have at most 512 characters",
        ),
        (
            "--name A --tools '" + json.dumps(["create_image"] * 129) + "'",
            "`--tools`: List should have at most 128",
        ),
        ("--name A --metadata '" + json.dumps({f"k{i}": "v" for i in range(17)}) + "'", "at most 16 pairs"),
        ("--name A --metadata '" + json.dumps({"k" * 65: "v"}) + "'", "keys may be at most 64 characters"),
        (
            "--name A --metadata '" + json.dumps({"k": "v" * 513}) + "'",
            "values may be at most 512 characters",
        ),
        (
            '--name A --tools \'[{"type": "function", "function": {"name": "x", "parameters": []}}]\'',
            'must be a JSON schema with "type": "object"',
        ),
        ("--name A --tools teleport", "`teleport` is not a tool I know"),
        ("--name A --file-ids nope", "`--file-ids` must be Slack file ids"),
        ("--description lonely", "`--name` is required"),
        ("--name list", "must be one word, and not none, list"),
    ],
)
async def test_every_limit_is_enforced_with_a_clear_message(
    bot: BotProcess, slack: FakeSlack, flags: str, expected: str
) -> None:
    status, body = await assistant(bot, f"create {flags}")
    assert status == 200 and expected in json.loads(body)["text"]
    await assistant(bot, "list")
    assert "No assistants yet" in await private_reply(slack)


async def test_list_show_update_delete(bot: BotProcess, slack: FakeSlack) -> None:
    await create_support(bot, slack)
    await assistant(bot, 'create --name Writer --instructions "Write well."', user="U0BOB")
    assert "Created" in await private_reply(slack, 2)

    await assistant(bot, "list")
    listing = await private_reply(slack, 3)
    assert (
        "*Support* (`gpt-6-sol`): Answers support questions" in listing
        and "*Writer* (the default chat model)" in listing
    )

    await assistant(bot, 'update support --description "New words" --model gpt-6-luna', user="U0BOB")
    updated = await private_reply(slack, 4)
    assert "created by <@U0ALICE>, last changed by <@U0BOB>" in updated
    assert shown_json(updated)["description"] == "New words" and shown_json(updated)["model"] == "gpt-6-luna"

    await assistant(bot, "create --name SUPPORT")
    assert "already an assistant named" in await private_reply(slack, 5)

    await assistant(bot, "show Support")
    assert shown_json(await private_reply(slack, 6))["description"] == "New words"
    await assistant(bot, "delete Support")
    assert "Deleted the assistant *Support*" in await private_reply(slack, 7)
    await assistant(bot, "show Support")
    assert "There is no assistant named *Support*" in await private_reply(slack, 8)


async def test_create_by_modal(bot: BotProcess, slack: FakeSlack) -> None:
    await assistant(bot, "create")
    [opened] = await slack.wait_for("views.open")
    view = opened.args["view"]
    assert [b["block_id"] for b in view["blocks"]] == [
        "name", "model", "description", "instructions", "tools", "file_ids", "metadata",
    ]  # fmt: skip

    def typed(value: str) -> dict[str, object]:
        return {"value": {"type": "plain_text_input", "value": value}}

    values = {"name": typed("Helper"), "description": typed("d" * 513), "metadata": typed('{"a": "b"}')}
    _, body = await bot.send_form(payloads.interactive(payloads.view_submission(view, values)))
    assert json.loads(body)["errors"] == {"description": "String should have at most 512 characters"}

    values["description"] = typed("Helps")
    values["tools"] = typed("read_aloud")
    status, body = await bot.send_form(payloads.interactive(payloads.view_submission(view, values)))
    assert (status, body) == (200, "")
    created = shown_json(await private_reply(slack))
    assert (created["name"], created["description"], created["metadata"]) == ("Helper", "Helps", {"a": "b"})
    assert created["tools"] == [{"type": "function", "function": {"name": "read_aloud"}}]


@BOTH_DATABASES
async def test_an_assistant_at_work_in_a_channel_with_its_model_instructions_tools_and_files(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    manual = slack.add_file(b"Refunds take 5 days.\n", "policy.txt", "text/plain", "text")
    await create_support(bot, slack, extra=f"--file-ids {manual['id']}")
    await assistant(bot, "use Support")
    [announced] = await slack.wait_for("chat.postMessage")
    assert "put the assistant *Support* to work in this channel" in announced.args["text"]

    openai_api.queue_chat(
        ChatReply(tool_calls=[{"id": "w1", "name": "get_weather", "arguments": '{"city": "Oslo"}'}])
    )
    event = payloads.mention("How long do refunds take, and the weather in Oslo?")
    await bot.send_event(payloads.event_callback(event))
    [answer] = await slack.wait_thread_messages("C0CHAN", event["ts"])
    body = openai_api.chat_bodies()[0]
    assert body["model"] == "gpt-6-sol"
    system = body["messages"][0]
    assert system["role"] == "system" and system["content"].startswith("You are Support. Be kind.")
    assert "[Reference file `policy.txt`]\nRefunds take 5 days." in system["content"]
    names = [tool["function"]["name"] for tool in body["tools"]]
    assert names == ["get_weather", "create_image"]
    assert body["tools"][1]["function"]["parameters"]["required"] == ["prompt"]  # the bot's full definition
    # A function the bot cannot run is shown with its arguments; the answer names its assistant.
    assert '*Tool call:* `get_weather` with arguments `{"city": "Oslo"}`' in answer.visible_text
    assert "answered by the assistant *Support*" in answer.visible_text
    assert len(slack.downloads) == 1  # the reference file was read once, at creation

    await assistant(bot, "use none")
    await slack.wait_for("chat.postMessage", count=2)
    other = payloads.mention("plain question")
    await bot.send_event(payloads.event_callback(other))
    await slack.wait_thread_messages("C0CHAN", other["ts"])
    assert openai_api.chat_bodies()[-1]["model"] == "gpt-6-luna"


async def test_use_in_a_thread_and_ask_name_for_one_thread(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    await create_support(bot, slack)
    root = payloads.mention("hello")
    await bot.send_event(payloads.event_callback(root))
    await slack.wait_thread_messages("C0CHAN", root["ts"])
    await bot.send_event(payloads.event_callback(payloads.mention("use Support", thread_ts=root["ts"])))
    await slack.wait_until(
        lambda: [
            m
            for m in slack.thread_messages("C0CHAN", root["ts"])
            if "to work in this thread" in m.visible_text
        ],
        what="the thread announcement",
    )
    await bot.send_event(payloads.event_callback(payloads.message("and now?", thread_ts=root["ts"])))
    await openai_api.wait_for("/v1/chat/completions", count=2)
    assert openai_api.chat_bodies()[1]["model"] == "gpt-6-sol"
    elsewhere = payloads.mention("not in that thread")
    await bot.send_event(payloads.event_callback(elsewhere))
    await openai_api.wait_for("/v1/chat/completions", count=3)
    assert openai_api.chat_bodies()[2]["model"] == "gpt-6-luna"

    asked = payloads.mention("ask Support what are your hours?")
    await bot.send_event(payloads.event_callback(asked))
    [answer] = await slack.wait_thread_messages("C0CHAN", asked["ts"])
    body = openai_api.chat_bodies()[3]
    assert body["model"] == "gpt-6-sol" and body["messages"][-1]["content"] == "what are your hours?"
    assert "answered by the assistant *Support*" in answer.visible_text

    unknown = payloads.mention("ask me anything you like")
    await bot.send_event(payloads.event_callback(unknown))
    await openai_api.wait_for("/v1/chat/completions", count=5)
    assert openai_api.chat_bodies()[4]["messages"][-1]["content"] == "ask me anything you like"


async def test_an_assistant_runs_the_bots_own_action_as_a_tool(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    await create_support(bot, slack)
    await assistant(bot, "use Support")
    await slack.wait_for("chat.postMessage")
    openai_api.queue_chat(
        ChatReply(tool_calls=[{"id": "i1", "name": "create_image", "arguments": '{"prompt": "a logo"}'}]),
        ChatReply("Here it is."),
    )
    event = payloads.mention("make us a logo")
    await bot.send_event(payloads.event_callback(event))
    [[image]] = await slack.wait_until(lambda: slack.upload_batches, what="the upload")
    assert image.thread_ts == event["ts"] and image.content == openai_api.image_bytes
    await openai_api.wait_for("/v1/chat/completions", count=2)
    assert openai_api.chat_bodies()[1]["messages"][-1]["role"] == "tool"
    await asyncio.sleep(0)
