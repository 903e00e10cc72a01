"""Message shortcuts "Translate" (privately, in the person's language or one they choose) and
"Proofread" (a modal to copy from, another tone, and "Post in thread" on the person's behalf)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.slack import languages
from tests.fakes.openai_api import ChatReply, FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess

ROOT = "1700000000.300000"


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def clicked_message(text: str, ts: str = "1700000000.300100") -> dict[str, Any]:
    return {"type": "message", "user": "U0BOB", "ts": ts, "thread_ts": ROOT, "text": text}


async def shortcut(bot: BotProcess, callback_id: str, message: dict[str, Any]) -> None:
    status, body = await bot.send_form(payloads.interactive(payloads.message_shortcut(callback_id, message)))
    assert status == 200 and body == ""


def system_and_user(openai_api: FakeOpenAI, index: int) -> tuple[str, str]:
    messages = openai_api.chat_bodies()[index]["messages"]
    assert [m["role"] for m in messages] == ["system", "user"]
    return messages[0]["content"], messages[1]["content"]


async def test_translate_answers_privately_in_the_persons_language_then_in_one_they_choose(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    slack.add_user("U0ALICE", display_name="Alice", locale="de-DE")
    openai_api.queue_chat(ChatReply("Hallo Team, der Build ist grün."), ChatReply("Bonjour l'équipe."))
    await shortcut(
        bot, "translate_message", clicked_message("Hello team, the build is green &amp; <@U0BOB>.")
    )

    [private] = await slack.wait_until(lambda: slack.ephemerals, what="the private translation")
    assert private.ephemeral_user == "U0ALICE" and private.channel == "C0CHAN" and private.thread_ts == ROOT
    assert "Hallo Team, der Build ist grün." in dumps(private.blocks)
    system, user = system_and_user(openai_api, 0)
    assert "into German" in system
    assert user == "Hello team, the build is green & <@U0BOB>."
    assert [c for c in slack.calls_to("users.info") if c.args.get("include_locale") in (True, "true", "1")]
    assert not slack.thread_messages("C0CHAN", ROOT)  # nothing in the thread for everyone

    # Another language: the same message (read from the first job), answered privately again.
    assert private.blocks is not None
    select = private.blocks[-1]["elements"][0]
    french = next(o for o in select["options"] if o["text"]["text"] == "French")
    body = payloads.block_action(
        {"type": "static_select", "action_id": select["action_id"], "selected_option": french},
        container={"type": "message", "channel_id": "C0CHAN", "is_ephemeral": True, "message_ts": private.ts},
    )
    assert (await bot.send_form(payloads.interactive(body)))[0] == 200
    await slack.wait_until(lambda: len(slack.ephemerals) == 2, what="the French translation")
    assert "Bonjour l'équipe." in dumps(slack.ephemerals[1].blocks)
    assert slack.ephemerals[1].thread_ts == ROOT
    system, user = system_and_user(openai_api, 1)
    assert "into French" in system and user == "Hello team, the build is green & <@U0BOB>."


async def test_a_made_up_language_choice_is_refused_and_nothing_is_asked(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    for value in ("1:klingon", "x:fr", "fr"):
        body = payloads.block_action(
            {"type": "static_select", "action_id": "translate_again", "selected_option": {"value": value}}
        )
        assert (await bot.send_form(payloads.interactive(body)))[0] == 200
    await asyncio.sleep(0.5)
    assert openai_api.chat_bodies() == []
    assert not slack.ephemerals


async def test_translate_on_a_message_without_text_says_so(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    await shortcut(bot, "translate_message", clicked_message(""))
    [notice] = await slack.wait_until(lambda: slack.ephemerals, what="the notice")
    assert "no text to translate" in (notice.text or "")
    assert openai_api.chat_bodies() == []


async def test_proofread_shows_the_text_in_a_modal_with_tones_and_posts_it_on_the_persons_behalf(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    openai_api.queue_chat(
        ChatReply("Their going to ship it on Friday."), ChatReply("We will ship on Friday.")
    )
    openai_api.queue_chat(ChatReply("Dear team, we will ship on Friday."))
    # (the first answer is deliberately still wrong: the person may edit the field before posting)
    await shortcut(bot, "proofread", clicked_message("there going too ship it friday"))

    [opened] = await slack.wait_for("views.open")
    assert "Proofreading" in dumps(opened.args["view"])
    external_id = opened.args["view"]["external_id"]
    [update] = await slack.wait_for("views.update")
    assert update.args["external_id"] == external_id
    system, user = system_and_user(openai_api, 0)
    assert "proofread" in system.lower() and user == "there going too ship it friday"
    view = slack.views[next(iter(slack.views))]
    field = next(b for b in view["blocks"] if b.get("block_id") == "result")
    assert field["element"]["initial_value"] == "Their going to ship it on Friday."
    assert view["submit"]["text"] == "Post in thread"

    # Another tone: the same text again, with the tone's instruction, in the same modal.
    tone = next(b for b in view["blocks"] if b.get("block_id") == "tone")["elements"][0]
    concise = next(o for o in tone["options"] if o["value"] == "concise")
    body = payloads.block_action(
        {"type": "static_select", "action_id": tone["action_id"], "selected_option": concise}, view=view
    )
    assert (await bot.send_form(payloads.interactive(body)))[0] == 200
    await slack.wait_until(
        lambda: "We will ship on Friday." in dumps(slack.views[view["id"]]),
        what="the concise text",
    )
    system, user = system_and_user(openai_api, 1)
    assert "shorter" in system and user == "there going too ship it friday"

    # "Post in thread": what the field holds (the person's edit), saying who posted it and how.
    values = {"result": {"value": {"type": "plain_text_input", "value": "We will ship it on Friday!"}}}
    submitted = payloads.view_submission(slack.views[view["id"]], values)
    status, answer = await bot.send_form(payloads.interactive(submitted))
    assert status == 200 and answer == ""
    [posted] = await slack.wait_thread_messages("C0CHAN", ROOT)
    shown = dumps(posted.blocks)
    assert "We will ship it on Friday!" in shown
    assert "Posted by <@U0ALICE>, proofread by ChatGPT." in shown
    assert len(openai_api.chat_bodies()) == 2


async def test_proofread_of_a_message_too_long_for_the_form_says_so(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    await shortcut(bot, "proofread", clicked_message("word " * 700))
    [notice] = await slack.wait_until(lambda: slack.ephemerals, what="the notice")
    assert "up to 3,000 characters" in (notice.text or "")
    assert openai_api.chat_bodies() == []
    assert not slack.calls_to("views.open")


def test_both_shortcuts_are_in_the_manifest_beside_summarize_thread() -> None:
    manifest = yaml.safe_load((Path(__file__).resolve().parents[1] / "manifest.yml").read_text())
    shortcuts = {s["callback_id"]: s for s in manifest["features"]["shortcuts"]}
    assert shortcuts["translate_message"]["name"] == "Translate"
    assert shortcuts["proofread"]["name"] == "Proofread"
    assert "summarize_thread" in shortcuts
    assert all(s["type"] == "message" for s in shortcuts.values())


@given(st.text(max_size=12))
def test_any_locale_gives_a_language_that_is_offered(locale: str) -> None:
    assert languages.from_locale(locale) in languages.LANGUAGES


@pytest.mark.parametrize(
    ("locale", "code"),
    [("de-DE", "de"), ("pt-BR", "pt"), ("es-LA", "es"), ("zh-TW", "zh-tw"), ("zh-CN", "zh-cn"), ("", "en")],
)
def test_slack_locales_map_to_their_language(locale: str, code: str) -> None:
    assert languages.from_locale(locale) == code
