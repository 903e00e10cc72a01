"""An assistant's model through OpenAI's shutdowns: one created without `--model` stores none and
follows the default chat model (so its successor once it is shut down); one with a model of its
own is never swapped, and `python -m bot check` lists it with its date and the command to change."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.openai_api import FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess
from tests.test_assistants import assistant, private_reply, shown_json
from tests.test_model_lifecycle import day, shut_down
from tests.test_settings_and_cli import run_bot
from tests.test_workspace_rules import ADMIN, openai_command, told


async def create(bot: BotProcess, slack: FakeSlack, flags: str, count: int) -> dict:  # type: ignore[type-arg]
    assert await assistant(bot, "create " + flags) == (200, "")
    return shown_json(await private_reply(slack, count))


async def answer_from(bot: BotProcess, slack: FakeSlack, name: str, question: str) -> str:
    event = payloads.mention(f"ask {name} {question}")
    await bot.send_event(payloads.event_callback(event))
    [reply] = await slack.wait_thread_messages("C0CHAN", event["ts"], timeout=20)
    await slack.wait_until(lambda: not reply.streaming, what="the answer to finish")
    return reply.visible_text


async def test_an_assistant_without_a_model_follows_the_default_and_its_successor_a_set_one_is_not_swapped(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    shut_down(openai_api, "gpt-6-luna")  # the default chat model, past its date and answered gone
    bot = await start_bot()
    follower = await create(bot, slack, "--name Follower --instructions 'Be brief.'", 1)
    assert follower["model"] == "(the bot's default chat model)"
    pinned = await create(bot, slack, "--name Pinned --model gpt-6-luna", 2)
    assert pinned["model"] == "gpt-6-luna"

    text = await answer_from(bot, slack, "Follower", "hello")
    assert "Echo: hello" in text and "`gpt-6-sol` was used instead" in text
    assert [body["model"] for body in openai_api.chat_bodies()] == ["gpt-6-sol"]

    event = payloads.mention("ask Pinned hello")
    await bot.send_event(payloads.event_callback(event))
    text = await private_reply(slack, 3)  # said to the one who asked
    assert "`gpt-6-luna` was shut down on 2026-01-06" in text
    assert "`/assistant update Pinned --model …`" in text and "gpt-6-sol" in text
    assert len(openai_api.chat_bodies()) == 1  # not asked with the gone model, nor swapped

    # `--model default` gives an old assistant back to the default.
    assert await assistant(bot, "update Pinned --model default") == (200, "")
    assert shown_json(await private_reply(slack, 4))["model"] == "(the bot's default chat model)"
    text = await answer_from(bot, slack, "Pinned", "again")
    assert "Echo: again" in text
    assert [body["model"] for body in openai_api.chat_bodies()] == ["gpt-6-sol", "gpt-6-sol"]
    assert await assistant(bot, "list") == (200, "")
    listed = await private_reply(slack, 5)
    assert "*Follower* (the default chat model)" in listed and "*Pinned* (the default chat model)" in listed


async def test_check_lists_each_assistants_model_with_its_date_and_says_it_is_never_swapped(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,
    bot_env: dict[str, str],
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    shut_down(openai_api, "gpt-4.1", on=day(12), answer_gone=False)
    shut_down(openai_api, "gpt-4o", on=day(-2), answer_gone=False)
    shut_down(openai_api, "gpt-6-sol", on=day(200), answer_gone=False)
    bot = await start_bot(ADMIN_USER_IDS=ADMIN)
    await create(bot, slack, "--name Soon --model gpt-4.1", 1)
    await create(bot, slack, "--name Gone --model gpt-4o", 2)
    await create(bot, slack, "--name Later --model gpt-6-sol", 3)
    await create(bot, slack, "--name Plain", 4)
    await create(bot, slack, "--name Unknown --model gpt-nowhere", 5)
    await openai_command(bot, "model speech gpt-4o-mini-tts")  # a workspace's own model is set too
    assert "gpt-4o-mini-tts" in (await told(slack, ADMIN, 1))[0]

    rc, output = await run_bot("check", env=bot_env, cwd=tmp_path)
    assert rc == 0, output  # an assistant's model never fails the bot itself
    lines = {
        line.split("Assistant ", 1)[1].split(" ", 1)[0]: line.strip()
        for line in output.splitlines()
        if "Assistant " in line
    }
    assert set(lines) == {"Soon", "Gone", "Later", "Plain", "Unknown"}, output
    soon = lines["Soon"]
    assert soon.startswith("[warn]") and "(workspace T0TEST)" in soon
    assert f"model gpt-4.1 shuts down on {day(12)} (in 12 days)" in soon
    assert "it will NOT be swapped automatically" in soon
    assert "`/assistant update Soon --model …` (e.g. `--model gpt-6-luna`)" in soon
    gone = lines["Gone"]
    assert gone.startswith("[warn]") and f"model gpt-4o was shut down on {day(-2)}" in gone
    assert "`/assistant update Gone --model …`" in gone and "NOT be swapped" in gone
    later = lines["Later"]
    assert later.startswith("[ok]") and f"model gpt-6-sol shuts down on {day(200)} (in 200 days)" in later
    assert "`/assistant update Later --model …`" in later
    assert lines["Plain"].startswith("[ok]") and "follows the default chat model" in lines["Plain"]
    [workspace] = [line.strip() for line in output.splitlines() if "in workspace T0TEST" in line]
    assert "Model for speech in workspace T0TEST (`/openai model`)" in workspace
    assert "model gpt-4o-mini-tts shuts down on 2027-01-06" in workspace and "NOT be swapped" in workspace
    assert "`/openai model speech gpt-realtime-2.1-mini`" in workspace
    assert "`/openai model speech default` to follow the bot's" in workspace
    unknown = lines["Unknown"]
    assert unknown.startswith("[warn]") and "gpt-nowhere is not offered to this key" in unknown
