"""`/ask`: every property reaching the request, every bad flag refused, the modal, n > 1, tools."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.conftest import BOTH_DATABASES
from tests.fakes.openai_api import ChatReply, FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess


async def ask(bot: BotProcess, text: str, **kwargs: str) -> tuple[int, str]:
    return await bot.send_form(payloads.slash_command("/ask", text, **kwargs))


async def question_thread(slack: FakeSlack) -> str:
    """The ts of the question the bot posted for /ask (its answer goes in that thread)."""
    [post] = await slack.wait_for("chat.postMessage")
    root = next(m for m in slack.messages if m.thread_ts is None and m.is_bot)
    assert post.args["channel"] == "C0CHAN"
    return root.ts


@BOTH_DATABASES
async def test_every_flag_reaches_the_request(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    text = (
        "--model gpt-6-sol --temperature 0.2 --top-p 0.9 --max-tokens 300 --n 1 "
        '--stop "END" --stop “STOP” --presence-penalty -0.5 --frequency-penalty 1.5 '
        '--logit-bias \'{"50256": -100, "15": 5}\' --user alice-42 '
        "What is &lt;b&gt; in HTML &amp; why?"
    )
    status, body = await ask(bot, text)
    assert status == 200 and body == ""

    root = await question_thread(slack)
    [answer] = await slack.wait_thread_messages("C0CHAN", root)
    assert answer.visible_text == "Echo: What is <b> in HTML & why?"
    question = slack.message("C0CHAN", root).visible_text
    assert "<@U0ALICE> asked" in question and "What is <b> in HTML & why?" in question
    request = openai_api.chat_bodies()[0]
    assert request["model"] == "gpt-6-sol"
    assert request["temperature"] == 0.2
    assert request["top_p"] == 0.9
    assert request["max_completion_tokens"] == 300
    assert "max_tokens" not in request
    assert request["n"] == 1
    assert request["stop"] == ["END", "STOP"]
    assert request["presence_penalty"] == -0.5
    assert request["frequency_penalty"] == 1.5
    assert request["logit_bias"] == {"50256": -100, "15": 5}
    assert request["safety_identifier"] == "alice-42"
    assert "user" not in request
    assert request["messages"][-1]["content"] == "What is <b> in HTML & why?"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("--temperature 3 hi", "`--temperature` must be a number from 0 to 2 (got `3`)"),
        ("--temperature warm hi", "`--temperature` must be a number from 0 to 2"),
        ("--top-p 1.5 hi", "`--top-p` must be a number from 0 to 1"),
        ("--presence-penalty -3 hi", "`--presence-penalty` must be a number from -2 to 2"),
        ("--frequency-penalty 2.5 hi", "`--frequency-penalty` must be a number from -2 to 2"),
        ("--n 11 hi", "`--n` must be a whole number from 1 to 10"),
        ("--n 0 hi", "`--n` must be a whole number from 1 to 10"),
        ("--max-tokens 0 hi", "`--max-tokens` must be a whole number of at least 1"),
        ("--max-tokens 1.5 hi", "`--max-tokens` must be a whole number of at least 1"),
        ("--logit-bias '{\"abc\": 5}' hi", "`--logit-bias` must be a JSON object of integer token ids"),
        ("--logit-bias '{\"12\": 101}' hi", "whole numbers from -100 to 100"),
        ("--logit-bias nope hi", "`--logit-bias` must be a JSON object"),
        ("--stop a --stop b --stop c --stop d --stop e hi", "`--stop` may be given at most 4 times"),
        ("--voice alloy hi", "`--voice` is not a flag of `/ask`. Its flags are: `--model`, `--temperature`"),
        ("--temperature", "`--temperature` needs a value"),
        ("--temperature 0.5", "`/ask` needs a question after the flags"),
        ('--stop "unclosed hi', "no closing quote"),
    ],
)
async def test_a_bad_flag_is_answered_privately_and_nothing_reaches_openai(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI, text: str, expected: str
) -> None:
    status, body = await ask(bot, text)
    assert status == 200
    response = json.loads(body)
    assert response["response_type"] == "ephemeral"
    assert expected in response["text"]
    await asyncio.sleep(0.3)
    assert openai_api.requests_to("/v1/chat/completions") == []
    assert slack.calls_to("chat.postMessage") == []


async def test_n_above_one_shows_every_choice_numbered_and_keeps_the_first(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    openai_api.queue_chat(ChatReply(choices=["Red.", "Green.", "Blue."]))
    await ask(bot, "--n 3 Name a colour")
    root = await question_thread(slack)
    [answer] = await slack.wait_thread_messages("C0CHAN", root)
    assert answer.visible_text == "*Choice 1*\nRed.\n\n*Choice 2*\nGreen.\n\n*Choice 3*\nBlue."
    assert openai_api.chat_bodies()[0]["n"] == 3

    # The conversation keeps the first choice: a follow-up in the thread sends it as the answer.
    follow_up = payloads.message("and another?", thread_ts=root)
    await bot.send_event(payloads.event_callback(follow_up))
    await openai_api.wait_for("/v1/chat/completions", count=2)
    history = openai_api.chat_bodies()[1]["messages"]
    assert [m["content"] for m in history[1:]] == ["Name a colour", "Red.", "and another?"]


async def test_a_tool_call_is_shown_with_its_arguments(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    openai_api.queue_chat(
        ChatReply(
            tool_calls=[{"name": "get_weather", "arguments": '{"city": "Oslo"}'}], finish_reason="tool_calls"
        )
    )
    await ask(bot, "Weather in Oslo?")
    root = await question_thread(slack)
    [answer] = await slack.wait_thread_messages("C0CHAN", root)
    assert '*Tool call:* `get_weather` with arguments `{"city": "Oslo"}`' in answer.visible_text


async def test_ask_in_a_channel_the_bot_is_not_in_says_how_to_invite_it(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    slack.fail_next("chat.postMessage", error="not_in_channel")
    slack.fail_next("chat.postEphemeral", error="not_in_channel")
    await ask(bot, "hello?", response_url=slack.response_url("ask1"))
    await slack.wait_until(lambda: slack.responses, what="the private reply")
    assert "/invite @ChatGPT" in slack.responses[0]["text"]
    assert slack.responses[0]["response_type"] == "ephemeral"
    assert openai_api.requests_to("/v1/chat/completions") == []


async def test_ask_with_no_text_opens_the_modal_with_the_models_the_key_can_use(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    openai_api.models.append({"id": "gpt-4.1-nano", "object": "model", "created": 1, "owned_by": "system",
                              "shutdown_date": "2026-10-23"})  # fmt: skip
    bot = await start_bot()
    status, _ = await ask(bot, "", trigger_id="123.trigger")
    assert status == 200
    [opened] = await slack.wait_for("views.open")
    assert opened.args["trigger_id"] == "123.trigger"
    view = opened.args["view"]
    assert view["callback_id"] == "ask_modal"
    blocks = {block["block_id"]: block for block in view["blocks"]}
    assert list(blocks) == [
        "prompt", "model", "temperature", "top_p", "max_tokens", "n", "stop",
        "presence_penalty", "frequency_penalty", "logit_bias", "user",
    ]  # fmt: skip
    models = [option["value"] for option in blocks["model"]["element"]["options"]]
    assert models[0] == "gpt-6-luna"  # the default first
    assert "gpt-6-sol" in models
    assert "gpt-5" in models  # it still works until its shutdown date
    assert "gpt-4.1-nano" not in models  # shut down already
    assert not any(m.startswith(("gpt-image", "whisper", "gpt-4o-mini-tts", "gpt-realtime")) for m in models)
    assert json.loads(view["private_metadata"])["channel_id"] == "C0CHAN"
    assert openai_api.requests_to("/v1/chat/completions") == []


def modal_values(**fields: str) -> dict[str, dict[str, dict[str, object]]]:
    values: dict[str, dict[str, dict[str, object]]] = {}
    for block_id, value in fields.items():
        if block_id == "model":
            values[block_id] = {"value": {"type": "static_select", "selected_option": {"value": value}}}
        else:
            values[block_id] = {"value": {"type": "plain_text_input", "value": value}}
    return values


async def opened_modal(bot: BotProcess, slack: FakeSlack) -> dict[str, object]:
    await ask(bot, "")
    [opened] = await slack.wait_for("views.open")
    return opened.args["view"]  # type: ignore[no-any-return]


async def test_a_modal_with_bad_fields_shows_the_errors_on_those_fields(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    view = await opened_modal(bot, slack)
    values = modal_values(prompt="", temperature="9", n="0", stop="a\nb\nc\nd\ne", logit_bias="[1]")
    status, body = await bot.send_form(payloads.interactive(payloads.view_submission(view, values)))
    assert status == 200
    response = json.loads(body)
    assert response["response_action"] == "errors"
    assert response["errors"] == {
        "prompt": "Please type a question.",
        "temperature": "Must be a number from 0 to 2.",
        "n": "Must be a whole number from 1 to 10.",
        "stop": "At most 4, one per line.",
        "logit_bias": response["errors"]["logit_bias"],
    }
    assert response["errors"]["logit_bias"].startswith("Must be a JSON object")
    await asyncio.sleep(0.3)
    assert openai_api.requests_to("/v1/chat/completions") == []


async def test_a_valid_modal_asks_in_the_channel_it_was_opened_from(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    view = await opened_modal(bot, slack)
    values = modal_values(prompt="Explain tides", model="gpt-6-sol", temperature="0.3", stop="END\nSTOP")
    status, body = await bot.send_form(payloads.interactive(payloads.view_submission(view, values)))
    assert status == 200 and body == ""
    root = await question_thread(slack)
    [answer] = await slack.wait_thread_messages("C0CHAN", root)
    assert answer.visible_text == "Echo: Explain tides"
    request = openai_api.chat_bodies()[0]
    assert (request["model"], request["temperature"], request["stop"]) == ("gpt-6-sol", 0.3, ["END", "STOP"])


async def test_ask_in_a_dm_answers_in_the_dm(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    await ask(bot, "--temperature 1 hi from a DM", channel="D0DM")
    [post] = await slack.wait_for("chat.postMessage")
    assert post.args["channel"] == "D0DM"
    root = next(m for m in slack.messages if m.thread_ts is None and m.is_bot)
    [answer] = await slack.wait_thread_messages("D0DM", root.ts)
    assert answer.visible_text == "Echo: hi from a DM"
