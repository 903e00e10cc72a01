"""The Home tab: every action with an example and a button that opens its form (answered in the
person's DM), the message shortcuts, and the person's own recent conversations as links."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.blocks import home
from tests.conftest import BOTH_DATABASES
from tests.fakes.openai_api import FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess

MP3 = b"ID3" + b"\x00" * 2000

FORMS = {
    "home_open_ask": "ask_modal",
    "home_open_image": "image_modal",
    "home_open_speech": "speech_modal",
    "home_open_vision": "vision_modal",
    "home_open_transcribe": "transcribe_modal",
    "home_open_assistant": "assistant_modal",
}


async def open_home(bot: BotProcess, slack: FakeSlack, user: str = "U0ALICE") -> dict[str, Any]:
    before = len(slack.calls_to("views.publish"))
    opened = {"type": "app_home_opened", "user": user, "channel": "D0DM", "tab": "home", "event_ts": "1.2"}
    await bot.send_event(payloads.event_callback(opened))
    published = await slack.wait_for("views.publish", count=before + 1)
    call = published[before]
    assert call.args["user_id"] == user
    return call.args["view"]  # type: ignore[no-any-return]


def buttons(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        block["accessory"]["action_id"]: block
        for block in view["blocks"]
        if block.get("accessory", {}).get("type") == "button"
    }


async def test_the_home_tab_shows_every_action_with_an_example_and_a_button(
    bot: BotProcess, slack: FakeSlack
) -> None:
    view = await open_home(bot, slack)
    assert view["type"] == "home"
    found = buttons(view)
    assert set(found) == set(FORMS)
    for action_id, block in found.items():
        assert "Example: `/" in block["text"]["text"], f"{action_id} has no example"
        assert block["accessory"]["value"] == "D0DM"
    text = json.dumps(view)
    for shortcut in ("Summarize thread", "Translate", "Proofread", "Read aloud", "Translate to English"):
        assert f"*{shortcut}*" in text
    assert "/ask help" in text and "gpt-6-luna" in text
    assert "None yet" in text  # no conversations yet
    assert "*Your usage today*" in text and "Nothing yet today." in text
    assert "home_open_settings" not in text  # the workspace's settings are for its admins


@pytest.mark.parametrize(("action_id", "callback_id"), sorted(FORMS.items()))
async def test_each_button_opens_its_form_answered_in_the_dm(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI, action_id: str, callback_id: str
) -> None:
    view = await open_home(bot, slack)
    button = buttons(view)[action_id]["accessory"]
    home_view = slack.home_views["U0ALICE"]
    body = payloads.block_action(
        {"type": "button", "action_id": button["action_id"], "value": button["value"]}, view=home_view
    )
    status, _ = await bot.send_form(payloads.interactive(body))
    assert status == 200
    [opened] = await slack.wait_for("views.open")
    assert opened.args["trigger_id"] == body["trigger_id"]
    form = opened.args["view"]
    assert form["callback_id"] == callback_id
    assert json.loads(form["private_metadata"])["channel_id"] == "D0DM"


async def test_the_ask_form_from_home_is_answered_in_the_dm(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    view = await open_home(bot, slack)
    button = buttons(view)["home_open_ask"]["accessory"]
    body = payloads.block_action(
        {"type": "button", "action_id": button["action_id"], "value": button["value"]},
        view=slack.home_views["U0ALICE"],
    )
    await bot.send_form(payloads.interactive(body))
    [opened] = await slack.wait_for("views.open")
    values = {"prompt": {"value": {"type": "plain_text_input", "value": "Hello from Home"}}}
    await bot.send_form(payloads.interactive(payloads.view_submission(opened.args["view"], values)))
    root = await slack.wait_until(
        lambda: next((m for m in slack.messages if m.channel == "D0DM" and m.thread_ts is None), None),
        what="the question in the DM",
    )
    [answer] = await slack.wait_thread_messages("D0DM", root.ts)
    assert answer.visible_text == "Echo: Hello from Home"


async def test_the_transcription_form_checks_its_fields_then_transcribes(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    view = await open_home(bot, slack)
    button = buttons(view)["home_open_transcribe"]["accessory"]
    body = payloads.block_action(
        {"type": "button", "action_id": button["action_id"], "value": button["value"]},
        view=slack.home_views["U0ALICE"],
    )
    await bot.send_form(payloads.interactive(body))
    [opened] = await slack.wait_for("views.open")
    form = opened.args["view"]

    def values(**fields: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for block_id, value in fields.items():
            kind = "static_select" if block_id in ("task", "response_format") else "plain_text_input"
            entry = {"selected_option": {"value": value}} if kind == "static_select" else {"value": value}
            out[block_id] = {"value": {"type": kind, **entry}}
        return out

    bad = values(link="not a link", temperature="3", task="translate", language="de")
    status, answer = await bot.send_form(payloads.interactive(payloads.view_submission(form, bad)))
    errors = json.loads(answer)["errors"]
    assert set(errors) == {"link", "temperature", "language"}
    assert errors["temperature"] == "Must be a number from 0 to 1."

    file = slack.add_file(MP3, "talk.mp3", "audio/mpeg", "mp3")
    link = f"https://test.slack.com/files/U0BOB/{file['id']}/talk.mp3"
    good = values(link=link, task="transcribe", language="de", response_format="text")
    status, answer = await bot.send_form(payloads.interactive(payloads.view_submission(form, good)))
    assert status == 200 and answer == ""
    [request] = await openai_api.wait_for("/v1/audio/transcriptions")
    assert request.form is not None
    assert request.form["language"] == "de" and request.form["response_format"] == "text"
    await slack.wait_until(
        lambda: [m for m in slack.messages if m.channel == "D0DM" and "fake transcription" in m.visible_text],
        what="the transcript in the DM",
    )


@BOTH_DATABASES
async def test_the_home_tab_links_the_persons_own_recent_conversations(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    mine = payloads.mention("How do tides   work?")
    theirs = payloads.mention("Bob's secret question", user="U0BOB", channel="C0OTHER")
    for event in (mine, theirs):
        await bot.send_event(payloads.event_callback(event))
    await slack.wait_thread_messages("C0CHAN", mine["ts"])
    await slack.wait_thread_messages("C0OTHER", theirs["ts"])

    link = f"https://fake-workspace.slack.com/archives/C0CHAN/p{mine['ts'].replace('.', '')}"
    text = ""
    for _ in range(50):  # the conversation is recorded as the job finishes, a moment after the answer
        text = json.dumps(await open_home(bot, slack))
        if link in text:
            break
    assert f"<{link}|How do tides work?> in <#C0CHAN>, today" in text
    assert "secret" not in text
    assert "None yet" not in text


def test_usage_and_admin_settings_show_once_their_hooks_give_them() -> None:
    # bot/jobs/welcome.py's usage_today and workspace_settings hooks return None until usage
    # recording and per-workspace settings land; with them the Home tab shows both sections.
    view = home.home_view(
        chat_model="gpt-6-luna",
        dm_channel="D0DM",
        recent=[],
        usage_today=["1,200 tokens in, 300 out"],
        workspace_settings=["Daily limit: 50,000 tokens"],
    )
    text = json.dumps(view)
    assert "*Your usage today*" in text and "1,200 tokens in" in text
    assert buttons(view)[home.SETTINGS_ACTION_ID]["text"]["text"].startswith("*Workspace settings*")


@pytest.mark.parametrize(("command", "task"), [("/transcribe", "transcribe"), ("/translate", "translate")])
async def test_transcribe_and_translate_with_no_text_open_the_form(
    bot: BotProcess, slack: FakeSlack, command: str, task: str
) -> None:
    status, body = await bot.send_form(payloads.slash_command(command, "", trigger_id="9.trigger"))
    assert status == 200 and body == ""
    [opened] = await slack.wait_for("views.open")
    assert opened.args["trigger_id"] == "9.trigger"
    view = opened.args["view"]
    assert view["callback_id"] == "transcribe_modal"
    chosen = next(b for b in view["blocks"] if b["block_id"] == "task")["element"]["initial_option"]
    assert chosen["value"] == task
    assert json.loads(view["private_metadata"])["channel_id"] == "C0CHAN"


async def test_usage_today_and_for_admins_the_settings_with_a_button_to_change_them(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    bot = await start_bot(ADMIN_USER_IDS="U0ADMIN")
    event = payloads.mention("what is a haiku?")
    await bot.send_event(payloads.event_callback(event))
    await slack.wait_thread_messages("C0CHAN", event["ts"])

    text = ""
    for _ in range(50):  # the job records its usage as it finishes
        text = json.dumps(await open_home(bot, slack))
        if "tokens in" in text:
            break
    assert "*Your usage today*" in text and "tokens in" in text and "about $" in text
    assert "home_open_settings" not in text  # Alice is no admin

    admin_view = await open_home(bot, slack, user="U0ADMIN")
    admin_text = json.dumps(admin_view)
    assert "Workspace settings" in admin_text and "OpenAI key" in admin_text
    button = buttons(admin_view)[home.SETTINGS_ACTION_ID]["accessory"]
    body = payloads.block_action(
        {"type": "button", "action_id": button["action_id"], "value": button["value"]},
        user="U0ADMIN",
        view=slack.home_views["U0ADMIN"],
    )
    status, _ = await bot.send_form(payloads.interactive(body))
    assert status == 200
    [opened] = await slack.wait_for("views.open")
    assert opened.args["trigger_id"] == body["trigger_id"]
    assert opened.args["view"]["callback_id"] == "workspace_settings_modal"
