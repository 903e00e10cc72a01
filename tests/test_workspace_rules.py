"""A workspace's own rules: daily limits, its own OpenAI key, channels, actions off, admins only;
and usage, recorded from what OpenAI reported, in `/openai usage` and /metrics."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from tests.fakes.openai_api import ChatReply, ErrorReply, FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess

ADMIN = "U0ADMIN"
WORKSPACE_KEY = "sk-workspace-own-key-0123456789abcdef"
AZURE_KEY = "azure0key0of0the0workspace0123456789"
AZURE_VERSION = "2025-04-01-preview"


async def openai_command(bot: BotProcess, text: str, user: str = ADMIN, **kwargs: Any) -> str:
    status, body = await bot.send_form(payloads.slash_command("/openai", text, user=user, **kwargs))
    assert status == 200, body
    return body


async def told(slack: FakeSlack, user: str, count: int) -> list[str]:
    """The ephemeral messages `user` has received, once there are `count` of them."""

    def found() -> list[str] | None:
        texts = [str(m.text) for m in slack.ephemerals if m.ephemeral_user == user]
        return texts if len(texts) >= count else None

    return await slack.wait_until(found, what=f"{count} ephemeral messages to {user}")


async def ask(
    bot: BotProcess, slack: FakeSlack, text: str, user: str = "U0ALICE", channel: str = "C0CHAN"
) -> str:
    event = payloads.mention(text, user=user, channel=channel)
    status, _ = await bot.send_event(payloads.event_callback(event))
    assert status == 200
    return str(event["ts"])


async def test_over_the_daily_limit_a_person_is_refused_while_another_is_served(
    start_bot: Any, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    bot = await start_bot(DAILY_TOKEN_LIMIT_PER_USER="100")
    openai_api.queue_chat(
        ChatReply(chunks=["first"], usage={"prompt_tokens": 90, "completion_tokens": 30}),
        ChatReply(chunks=["for bob"], usage={"prompt_tokens": 5, "completion_tokens": 5}),
    )
    ts = await ask(bot, slack, "hello")
    await slack.wait_thread_messages("C0CHAN", ts)

    refused_ts = await ask(bot, slack, "and again")
    [refusal] = await told(slack, "U0ALICE", 1)
    assert "100 tokens for today" in refusal and "00:00 UTC" in refusal
    assert "/openai limit user" in refusal
    bob_ts = await ask(bot, slack, "hi from bob", user="U0BOB")
    [answer] = await slack.wait_thread_messages("C0CHAN", bob_ts)
    assert answer.visible_text == "for bob"
    assert len(openai_api.requests_to("/v1/chat/completions")) == 2
    assert not slack.thread_messages("C0CHAN", refused_ts)[1:]

    # /openai usage says what the fake OpenAI reported, for this person only.
    await openai_command(bot, "usage", user="U0ALICE")
    mine = (await told(slack, "U0ALICE", 2))[-1]
    assert "90 tokens in, 30 out" in mine and "Today" in mine and "30 days" in mine
    assert "By person" not in mine  # not an admin

    # /metrics: by workspace and action, no person.
    _, metrics = await bot.get("/metrics")
    assert 'workspace_tokens_total{action="chat",kind="prompt",team="T0TEST"} 95.0' in metrics
    assert "U0ALICE" not in metrics and "U0BOB" not in metrics


async def test_a_workspace_key_is_the_one_openai_receives_and_is_stored_encrypted(
    start_bot: Any, slack: FakeSlack, openai_api: FakeOpenAI, db_url: str
) -> None:
    openai_api.other_keys.add(WORKSPACE_KEY)
    bot = await start_bot(ADMIN_USER_IDS=ADMIN, ENCRYPTION_KEY=Fernet.generate_key().decode())
    await openai_command(bot, f"key {WORKSPACE_KEY}")
    [done] = await told(slack, ADMIN, 1)
    assert "stored" in done and WORKSPACE_KEY not in done

    openai_api.queue_chat(ChatReply(chunks=["with your key"]))
    ts = await ask(bot, slack, "hello")
    await slack.wait_thread_messages("C0CHAN", ts)
    [request] = openai_api.requests_to("/v1/chat/completions")
    assert request.headers["authorization"] == f"Bearer {WORKSPACE_KEY}"

    await openai_command(bot, "show")
    shown = (await told(slack, ADMIN, 2))[-1]
    assert "its own (set)" in shown and WORKSPACE_KEY not in shown
    stored = b"".join(p.read_bytes() for p in Path(db_url.split("///", 1)[1]).parent.glob("bot.db*"))
    assert WORKSPACE_KEY.encode() not in stored

    # Admin's usage shows the workspace's totals by person and by action.
    await openai_command(bot, "usage")
    report = (await told(slack, ADMIN, 3))[-1]
    assert "By person" in report and "<@U0ALICE>" in report and "chat:" in report


async def test_channel_rules_and_actions_off_refuse_with_no_openai_call(
    start_bot: Any, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    bot = await start_bot(ADMIN_USER_IDS=ADMIN)
    await openai_command(bot, "action image off")
    await openai_command(bot, "channels only <#C0OTHER|other>")
    texts = await told(slack, ADMIN, 2)
    # Two commands, two jobs: answered in either order.
    assert any("Image is now off" in t for t in texts) and any("<#C0OTHER>" in t for t in texts)

    await bot.send_form(payloads.slash_command("/image", "a lighthouse", user="U0ALICE", channel="C0OTHER"))
    await ask(bot, slack, "hello", channel="C0CHAN")
    first, second = await told(slack, "U0ALICE", 2)
    refusals = {first, second}
    assert any("*Image* is turned off" in t and "/openai action image on" in t for t in refusals)
    assert any("not allowed to answer in <#C0CHAN>" in t for t in refusals)
    await asyncio.sleep(0.5)
    assert not openai_api.requests_to("/v1/images/generations")
    assert not openai_api.requests_to("/v1/chat/completions")

    # Allowed channel, chat on: served.
    openai_api.queue_chat(ChatReply(chunks=["here"]))
    ts = await ask(bot, slack, "hello", channel="C0OTHER")
    [answer] = await slack.wait_thread_messages("C0OTHER", ts)
    assert answer.visible_text == "here"


async def test_only_admins_change_settings(
    start_bot: Any, slack: FakeSlack, openai_api: FakeOpenAI, db_url: str
) -> None:
    bot = await start_bot()
    slack.add_user("U0OWNER", is_owner=True)
    await openai_command(bot, "limit user 5", user="U0ALICE")
    [refusal] = await told(slack, "U0ALICE", 1)
    assert "Only workspace admins" in refusal
    await openai_command(bot, "action chat off", user="U0OWNER")
    [done] = await told(slack, "U0OWNER", 1)
    assert "Chat is now off" in done
    with sqlite3.connect(db_url.split("///", 1)[1]) as connection:
        rows = connection.execute(
            "SELECT daily_tokens_per_user, updated_by FROM workspace_settings"
        ).fetchall()
    assert rows == [(None, "U0OWNER")]

    # A mistyped command names what is wrong, at once, and records nothing.
    body = await openai_command(bot, "limit user lots", user="U0OWNER")
    assert "whole number of tokens" in body
    body = await openai_command(bot, "help", user="U0ALICE")
    assert "/openai usage" in body and "/openai channels" in body and "/openai azure" in body


async def test_the_settings_modal_for_admins_changes_everything_at_once(
    start_bot: Any, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    bot = await start_bot(ADMIN_USER_IDS=ADMIN, ENCRYPTION_KEY=Fernet.generate_key().decode())
    await openai_command(bot, "settings", user="U0ALICE", trigger_id="111.alice")
    [refusal] = await told(slack, "U0ALICE", 1)
    assert "Only workspace admins" in refusal and not slack.calls_to("views.open")

    await openai_command(bot, "settings", trigger_id="222.admin")
    [opened] = await slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "workspace_settings_modal"

    def typed(value: str) -> dict[str, Any]:
        return {"value": {"type": "plain_text_input", "value": value}}

    values: dict[str, Any] = {
        "actions": {"value": {"type": "checkboxes", "selected_options": [{"value": "chat"}]}},
        "channels": {"value": {"type": "multi_conversations_select", "selected_conversations": ["C0CHAN"]}},
        "limit_user": typed("lots"),
        "limit_workspace": typed("0"),
        "model_chat": typed("gpt-6-sol"),
    }
    _, body = await bot.send_form(payloads.interactive(payloads.view_submission(view, values, user=ADMIN)))
    assert "whole number" in body and "limit_user" in body

    values["limit_user"] = typed("5000")
    status, body = await bot.send_form(
        payloads.interactive(payloads.view_submission(view, values, user=ADMIN))
    )
    assert status == 200 and body == ""
    [saved] = await told(slack, ADMIN, 1)
    assert "Saved" in saved and "gpt-6-sol" in saved and "5,000" in saved and "image, speech" in saved

    openai_api.queue_chat(ChatReply(chunks=["sol"]))
    ts = await ask(bot, slack, "hello")
    await slack.wait_thread_messages("C0CHAN", ts)
    [request] = openai_api.requests_to("/v1/chat/completions")
    assert request.json is not None and request.json["model"] == "gpt-6-sol"

    # Its own Azure OpenAI resource, from the same modal: the key typed goes with the endpoint.
    values["azure_endpoint"] = typed("https://contoso.openai.azure.com")
    _, body = await bot.send_form(payloads.interactive(payloads.view_submission(view, values, user=ADMIN)))
    assert "azure_endpoint" in body and "API version" in body
    values["azure_api_version"] = typed(AZURE_VERSION)
    values["key"] = typed(AZURE_KEY)
    status, body = await bot.send_form(
        payloads.interactive(payloads.view_submission(view, values, user=ADMIN))
    )
    assert status == 200 and body == ""
    saved = (await told(slack, ADMIN, 2))[-1]
    assert "its own Azure OpenAI endpoint (set" in saved and AZURE_KEY not in saved


async def test_a_workspace_model_that_is_shut_down_is_never_swapped_and_names_the_subcommand(
    start_bot: Any, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    for entry in openai_api.models:
        if entry["id"] == "gpt-6-luna":
            entry["shutdown_date"] = "2026-01-06"
    openai_api.gone.update({"gpt-6-luna", "gpt-old"})
    bot = await start_bot(ADMIN_USER_IDS=ADMIN)
    # A default past its date would be replaced (gpt-6-luna -> gpt-6-sol); one the workspace set is not.
    await openai_command(bot, "model chat gpt-6-luna")
    await told(slack, ADMIN, 1)
    await ask(bot, slack, "hello")
    text = (await told(slack, "U0ALICE", 1))[-1]
    assert "`gpt-6-luna` was shut down on 2026-01-06" in text
    assert "`/openai model chat MODEL`" in text and "OPENAI_CHAT_MODEL" not in text
    assert openai_api.chat_bodies() == []  # known to be gone: not called, not swapped

    # One OpenAI answers "not found" for: asked once, never swapped, the same hint.
    await openai_command(bot, "model chat gpt-old")
    await told(slack, ADMIN, 2)
    ts = await ask(bot, slack, "hello again")
    [reply] = await slack.wait_thread_messages("C0CHAN", ts)
    assert "`gpt-old` is shut down" in reply.visible_text
    assert "`/openai model chat MODEL`" in reply.visible_text
    assert [body["model"] for body in openai_api.chat_bodies()] == ["gpt-old"]


async def test_a_workspace_azure_endpoint_gets_its_requests_with_its_version_and_key(
    start_bot: Any, slack: FakeSlack, openai_api: FakeOpenAI, db_url: str
) -> None:
    openai_api.other_keys.add(AZURE_KEY)
    endpoint = f"http://127.0.0.1:{openai_api.port}"
    bot = await start_bot(
        ADMIN_USER_IDS=ADMIN,
        ENCRYPTION_KEY=Fernet.generate_key().decode(),
        WORKSPACE_AZURE_ENDPOINTS=f".openai.azure.com,{endpoint}",
    )
    # Only where the operator allows: not anywhere an admin types.
    await openai_command(bot, f"azure https://intranet.example.com {AZURE_VERSION} {AZURE_KEY}")
    [refused] = await told(slack, ADMIN, 1)
    assert "not one this bot may send requests to" in refused and "WORKSPACE_AZURE_ENDPOINTS" in refused
    assert AZURE_KEY not in refused

    await openai_command(bot, f"azure <{endpoint}> {AZURE_VERSION} {AZURE_KEY}")
    done = (await told(slack, ADMIN, 2))[-1]
    assert "Azure OpenAI endpoint and key are stored" in done and AZURE_KEY not in done
    await openai_command(bot, "model chat chat-prod")
    await told(slack, ADMIN, 3)

    usage = {"prompt_tokens": 7, "completion_tokens": 3}
    openai_api.queue_chat(ChatReply(chunks=["from azure"], usage=usage))
    ts = await ask(bot, slack, "hello")
    [answer] = await slack.wait_thread_messages("C0CHAN", ts)
    assert answer.visible_text == "from azure"
    [chat] = [r for r in openai_api.requests if r.path.endswith("/chat/completions")]
    assert chat.path == "/openai/deployments/chat-prod/chat/completions"
    assert chat.query["api-version"] == AZURE_VERSION
    assert chat.headers["api-key"] == AZURE_KEY and "authorization" not in chat.headers

    await openai_command(bot, "show")
    shown = (await told(slack, ADMIN, 4))[-1]
    assert "its own Azure OpenAI endpoint (set" in shown and "chat `chat-prod`" in shown
    assert AZURE_KEY not in shown and endpoint not in shown
    # Its usage is counted like any other (the same HTTP client, the same meter).
    await openai_command(bot, "usage", user="U0ALICE")
    assert "7 tokens in, 3 out" in (await told(slack, "U0ALICE", 1))[-1]
    stored = b"".join(p.read_bytes() for p in Path(db_url.split("///", 1)[1]).parent.glob("bot.db*"))
    assert AZURE_KEY.encode() not in stored and endpoint.encode() not in stored

    # A deployment its resource lacks: the reply names the subcommand that names it.
    openai_api.queue_chat(ErrorReply(404, "The API deployment does not exist.", code="DeploymentNotFound"))
    ts = await ask(bot, slack, "once more")
    [reply] = await slack.wait_thread_messages("C0CHAN", ts)
    assert "no deployment `chat-prod`" in reply.visible_text
    assert "`/openai model chat …`" in reply.visible_text and "OPENAI_CHAT_MODEL" not in reply.visible_text

    # Back to the bot's own OpenAI.
    await openai_command(bot, "azure clear")
    assert "bot's OpenAI key" in (await told(slack, ADMIN, 5))[-1]
    openai_api.queue_chat(ChatReply(chunks=["from openai"]))
    ts = await ask(bot, slack, "hello again")
    await slack.wait_thread_messages("C0CHAN", ts)
    assert openai_api.requests_to("/v1/chat/completions")


async def test_usage_counts_speech_read_through_the_realtime_api(
    start_bot: Any, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    bot = await start_bot(OPENAI_SPEECH_MODEL="gpt-realtime-2.1-mini")
    text = " ".join(["Good morning, everyone."] * 17)
    await bot.send_form(payloads.slash_command("/speech", text, user="U0ALICE"))
    await slack.wait_until(lambda: slack.upload_batches, timeout=20, what="the upload")
    assert openai_api.realtime_sessions and not openai_api.requests_to("/v1/audio/speech")

    # What the session's response.done reported, and the seconds of audio it produced.
    samples = len(openai_api.realtime_pcm(text)) // 2
    await openai_command(bot, "usage", user="U0ALICE")
    report = (await told(slack, "U0ALICE", 1))[-1]
    assert f"{len(text) // 4:,} tokens in, {samples // 480:,} out" in report.split("\n")[1]
    assert f"{samples / 24000:,.0f} s of audio" in report
    _, metrics = await bot.get("/metrics")
    assert 'workspace_audio_seconds_total{action="speech",team="T0TEST"} 2.035' in metrics


async def test_usage_counts_the_seconds_spoken_through_audio_speech(
    start_bot: Any, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    """/audio/speech answers with the audio alone (no usage in it): the seconds it plays are
    counted, and priced per minute of speech."""
    bot = await start_bot(OPENAI_SPEECH_MODEL="gpt-4o-mini-tts")
    command = payloads.slash_command("/speech", "--response-format wav Hello there.", user="U0ALICE")
    await bot.send_form(command)
    await slack.wait_until(lambda: slack.upload_batches, timeout=20, what="the upload")
    [spoken] = openai_api.requests_to("/v1/audio/speech")
    assert spoken.json is not None and spoken.json["model"] == "gpt-4o-mini-tts"
    seconds = 2400 / 24000  # the fake's WAV: 2400 samples at 24 kHz
    _, metrics = await bot.get("/metrics")
    assert f'workspace_audio_seconds_total{{action="speech",team="T0TEST"}} {seconds}' in metrics
    cost = seconds / 60 * 0.015
    assert f'workspace_estimated_cost_usd_total{{action="speech",team="T0TEST"}} {cost}' in metrics
