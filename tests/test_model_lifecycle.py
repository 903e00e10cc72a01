"""Through OpenAI's shutdowns with no setting touched: a default model that is shut down is replaced
before the call (or once OpenAI answers that it is gone), a model someone set never is, and `check`
shows the dates."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.content.audio_encoding import wav_from_pcm16
from tests.fakes.openai_api import ChatReply, FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess
from tests.test_settings_and_cli import run_bot

PAST = "2026-01-06"
MP3 = b"ID3\x04\x00fake-mp3-audio" * 50


def day(offset: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


def shut_down(openai_api: FakeOpenAI, *models: str, on: str = PAST, answer_gone: bool = True) -> None:
    """List the models with a shutdown date (in the past by default) and answer them 404."""
    for entry in openai_api.models:
        if entry["id"] in models:
            entry["shutdown_date"] = on
    known = {entry["id"] for entry in openai_api.models}
    openai_api.models += [{"id": m, "object": "model", "created": 1, "owned_by": "system",
                           "shutdown_date": on} for m in models if m not in known]  # fmt: skip
    if answer_gone:
        openai_api.gone.update(models)


async def metric(bot: BotProcess, name: str) -> list[str]:
    _, text = await bot.get("/metrics")
    return [line for line in text.splitlines() if line.startswith(name)]


async def test_speech_with_default_settings_moves_to_the_realtime_path_before_the_call(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    shut_down(openai_api, "gpt-4o-mini-tts", "tts-1", "tts-1-hd")
    bot = await start_bot()
    await bot.send_form(payloads.slash_command("/speech", "--voice nova --response-format wav Good morning."))
    [[audio]] = await slack.wait_until(lambda: slack.upload_batches, timeout=20, what="the upload")
    assert audio.content == wav_from_pcm16(openai_api.realtime_pcm("Good morning."), 24000)
    assert openai_api.requests_to("/v1/audio/speech") == []  # switched before the call, not after a failure
    [session] = openai_api.realtime_sessions
    assert session.model == "gpt-realtime-2.1-mini"
    [update] = session.events_of("session.update")
    assert update["session"]["audio"]["output"]["voice"] == "marin"  # nova is not a Realtime voice
    comment = audio.initial_comment or ""
    assert "`gpt-4o-mini-tts` was shut down on 2026-01-06" in comment and "`gpt-realtime-2.1-mini`" in comment
    assert "no voice `nova`" in comment
    [line] = await metric(bot, "openai_model_replaced_total")
    assert 'action="speech"' in line and 'model="gpt-4o-mini-tts"' in line
    assert 'replacement="gpt-realtime-2.1-mini"' in line and line.endswith(" 1.0")
    assert sum("shut down" in line and "gpt-realtime-2.1-mini" in line for line in bot.output) == 1


async def test_read_aloud_with_default_settings_still_delivers_audio_into_the_thread(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    shut_down(openai_api, "gpt-4o-mini-tts")
    bot = await start_bot()
    message = {"type": "message", "user": "U0BOB", "ts": "1700000000.300000", "text": "Ship it today."}
    await bot.send_form(payloads.interactive(payloads.message_shortcut("read_aloud", message)))
    [[audio]] = await slack.wait_until(lambda: slack.upload_batches, timeout=20, what="the upload")
    assert audio.thread_ts == "1700000000.300000" and audio.filename.endswith(".mp3")
    assert len(audio.content) > 100
    assert openai_api.requests_to("/v1/audio/speech") == []
    assert [s.model for s in openai_api.realtime_sessions] == ["gpt-realtime-2.1-mini"]


async def test_translate_with_default_settings_transcribes_then_translates(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    shut_down(openai_api, "whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe")
    openai_api.transcription_text = "Hola a todos."
    openai_api.queue_chat(ChatReply("Hello everyone."))
    bot = await start_bot()
    file = slack.add_file(MP3, "hola.mp3", "audio/mpeg", "mp3")
    await bot.send_form(payloads.slash_command("/translate", f"--response-format srt {file['permalink']}"))
    [batch] = await slack.wait_until(lambda: slack.upload_batches, timeout=20, what="the subtitles")
    [subtitles] = batch
    assert subtitles.filename == "hola.srt" and b"Hello everyone." in subtitles.content
    assert openai_api.requests_to("/v1/audio/translations") == []
    [heard] = openai_api.requests_to("/v1/audio/transcriptions")
    assert heard.form is not None and heard.form["model"] == "gpt-transcribe"
    assert heard.form["response_format"] == "json"  # whisper-only srt: timings are estimated
    assert openai_api.chat_bodies()[0]["messages"][-1]["content"] == "Hola a todos."
    comment = subtitles.initial_comment or ""
    assert "`whisper-1` was shut down on 2026-01-06" in comment and "estimated" in comment
    assert "--model whisper-1" not in comment  # it is gone: not offered as a way to exact timings
    [line] = await metric(bot, "openai_model_replaced_total")
    assert 'action="translation"' in line


async def test_a_default_that_answers_not_found_is_replaced_and_the_next_call_switches_first(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    openai_api.gone.add("gpt-4o-mini-tts")  # listed without a date, but OpenAI says it is gone
    await bot.send_form(payloads.slash_command("/speech", "--response-format wav One."))
    [[first]] = await slack.wait_until(lambda: slack.upload_batches, timeout=20, what="the upload")
    assert first.content == wav_from_pcm16(openai_api.realtime_pcm("One."), 24000)
    assert len(openai_api.requests_to("/v1/audio/speech")) == 1
    await bot.send_form(payloads.slash_command("/speech", "--response-format wav Two."))
    await slack.wait_until(lambda: len(slack.upload_batches) == 2, timeout=20, what="the second upload")
    assert len(openai_api.requests_to("/v1/audio/speech")) == 1  # not asked again
    assert len(openai_api.realtime_sessions) == 2


async def test_a_default_chat_model_past_its_date_is_replaced_by_the_next_of_the_list(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    shut_down(openai_api, "gpt-6-luna")
    bot = await start_bot()
    event = payloads.mention("hello there")
    await bot.send_event(payloads.event_callback(event))
    [reply] = await slack.wait_thread_messages("C0CHAN", event["ts"])
    assert "Echo: hello there" in reply.visible_text
    assert "`gpt-6-luna` was shut down on 2026-01-06; `gpt-6-sol` was used instead" in reply.visible_text
    assert [body["model"] for body in openai_api.chat_bodies()] == ["gpt-6-sol"]


async def test_a_set_model_that_is_shut_down_is_never_swapped_and_the_reply_names_the_setting(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    shut_down(openai_api, "tts-1")
    bot = await start_bot(OPENAI_SPEECH_MODEL="tts-1")
    await bot.send_form(payloads.slash_command("/speech", "Hello."))
    [notice] = await slack.wait_for("chat.postEphemeral", timeout=20)
    text = notice.args["text"]
    assert "`tts-1` was shut down on 2026-01-06" in text and "`OPENAI_SPEECH_MODEL`" in text
    assert "gpt-realtime-2.1-mini" in text  # what to set it to
    assert openai_api.requests_to("/v1/audio/speech") == [] and openai_api.realtime_sessions == []
    assert await metric(bot, "openai_model_replaced_total") == []


async def test_a_set_model_answered_not_found_names_the_setting_and_a_flag_names_the_flag(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    openai_api.gone.update({"gpt-old", "gpt-older"})
    bot = await start_bot(OPENAI_CHAT_MODEL="gpt-old")
    event = payloads.mention("hello")
    await bot.send_event(payloads.event_callback(event))
    [reply] = await slack.wait_thread_messages("C0CHAN", event["ts"])
    assert "`gpt-old` is shut down" in reply.visible_text and "`OPENAI_CHAT_MODEL`" in reply.visible_text
    assert [body["model"] for body in openai_api.chat_bodies()] == ["gpt-old"]  # asked once, not swapped

    second = payloads.mention("--model gpt-older hello")
    await bot.send_event(payloads.event_callback(second))
    [reply] = await slack.wait_thread_messages("C0CHAN", second["ts"])
    assert "`gpt-older` is shut down" in reply.visible_text and "`--model`" in reply.visible_text
    assert [body["model"] for body in openai_api.chat_bodies()] == ["gpt-old", "gpt-older"]


async def test_check_lists_every_model_with_its_date_warns_30_days_ahead_and_says_what_comes_after(
    slack: FakeSlack, openai_api: FakeOpenAI, bot_env: dict[str, str], tmp_path: Path
) -> None:
    shut_down(openai_api, "gpt-4o-mini-tts", on=day(10), answer_gone=False)
    shut_down(openai_api, "whisper-1", on=day(80), answer_gone=False)
    shut_down(openai_api, "gpt-4.1", on=day(-3), answer_gone=False)
    rc, output = await run_bot("check", env=bot_env, cwd=tmp_path)
    assert rc == 0, output
    lines = output.splitlines()
    [speech] = [line for line in lines if "Model for speech" in line]
    assert (
        speech.strip().startswith("[warn]")
        and f"gpt-4o-mini-tts shuts down on {day(10)} (in 10 days)" in speech
    )
    assert "the bot then uses gpt-realtime-2.1-mini, through the Realtime API" in speech
    [translation] = [line for line in lines if "Model for translation" in line]
    assert translation.strip().startswith("[ok]") and f"whisper-1 shuts down on {day(80)}" in translation
    assert "transcribing, then translating" in translation
    [chat] = [line for line in lines if "Model for chat" in line]
    assert "OPENAI_CHAT_MODEL, default" in chat and "no shutdown date" in chat

    rc, output = await run_bot(
        "check", env={**bot_env, "OPENAI_VISION_MODEL": "gpt-4.1", "OPENAI_SPEECH_MODEL": "gpt-4o-mini-tts"},
        cwd=tmp_path,
    )  # fmt: skip
    assert rc == 1, output
    [vision] = [line for line in output.splitlines() if "Model for vision" in line]
    assert (
        "[FAIL]" in vision
        and f"gpt-4.1 was shut down on {day(-3)}" in vision
        and "OPENAI_VISION_MODEL" in vision
    )
    [speech] = [line for line in output.splitlines() if "Model for speech" in line]
    assert (
        "set)" in speech and "change OPENAI_SPEECH_MODEL before then, e.g. to gpt-realtime-2.1-mini" in speech
    )
    assert json.dumps(bot_env["OPENAI_API_KEY"]) not in output
