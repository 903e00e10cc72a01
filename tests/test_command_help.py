"""`/ask help` and the others: every flag the command's parser accepts, with what it allows."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.slack.command_help import HELP_WORDS, asks_for_help
from tests.fakes.openai_api import FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess

# (command, text that reaches the flag parser with an unknown flag)
COMMANDS = [
    ("/ask", "--no-such-flag 1 hi"),
    ("/image", "--no-such-flag 1 a cat"),
    ("/speech", "--no-such-flag 1 hello"),
    ("/vision", "--no-such-flag 1 what? https://example.com/a.png"),
    ("/transcribe", "--no-such-flag 1 https://x.slack.com/files/U1/F0123ABCD/a.m4a"),
    ("/translate", "--no-such-flag 1 https://x.slack.com/files/U1/F0123ABCD/a.m4a"),
    ("/assistant", "create --no-such-flag 1"),
]


def flags_in(text: str) -> set[str]:
    return set(re.findall(r"`(--[a-z][a-z-]*)`", text))


async def ephemeral(bot: BotProcess, command: str, text: str) -> str:
    status, body = await bot.send_form(payloads.slash_command(command, text))
    assert status == 200
    response = json.loads(body)
    assert response["response_type"] == "ephemeral"
    return str(response["text"])


@pytest.mark.parametrize(("command", "unknown"), COMMANDS)
async def test_help_lists_every_flag_the_parser_accepts(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI, command: str, unknown: str
) -> None:
    help_text = await ephemeral(bot, command, "help")
    # The parser's own list of its flags, as it names them when refusing an unknown one.
    refusal = await ephemeral(bot, command, unknown)
    assert "is not a flag of" in refusal
    accepted = flags_in(refusal.split("Its flags are:", 1)[1])
    listed = flags_in(help_text.split("*Flags*", 1)[1].split("*Examples*", 1)[0])
    assert listed == accepted, f"{command} help lists {sorted(listed)}, the parser takes {sorted(accepted)}"
    assert "*Examples*" in help_text and f"`{command}" in help_text.split("*Examples*", 1)[1]
    await asyncio.sleep(0.2)
    assert [r.path for r in openai_api.requests if r.path != "/v1/models"] == []
    assert slack.calls_to("chat.postMessage") == []


async def test_help_gives_each_flags_range(bot: BotProcess) -> None:
    text = await ephemeral(bot, "/ask", "HELP")
    assert "`--temperature`: a number from 0 to 2" in text
    assert "`--n`: a whole number from 1 to 10" in text
    assert "`--stop`: a stop sequence" in text and "(up to 4 times)" in text
    image = await ephemeral(bot, "/image", "help")
    assert "`--quality`: one of auto, low" in image
    speech = await ephemeral(bot, "/speech", " help ")
    assert "`--speed`: a number from 0.25 to 4" in speech
    transcribe = await ephemeral(bot, "/transcribe", "help")
    assert "`--temperature`: a number from 0 to 1" in transcribe
    assistant = await ephemeral(bot, "/assistant", "help")
    assert "`/assistant show NAME`" in assistant and "`--file-ids`" in assistant


async def test_a_question_that_starts_with_help_is_asked(bot: BotProcess, slack: FakeSlack) -> None:
    status, body = await bot.send_form(payloads.slash_command("/ask", "help me write a haiku"))
    assert status == 200 and body == ""
    await slack.wait_for("chat.postMessage")


@given(st.text(max_size=40))
def test_only_a_lone_help_word_asks_for_help(text: str) -> None:
    assert asks_for_help(text) == (text.strip().lower() in HELP_WORDS)


@given(st.sampled_from(sorted(HELP_WORDS)), st.text(" \t\n", max_size=3), st.text(" \t\n", max_size=3))
def test_help_is_found_whatever_the_case_and_spacing(word: str, before: str, after: str) -> None:
    assert asks_for_help(before + word.upper() + after)
    assert not asks_for_help(f"{word} me with this")
