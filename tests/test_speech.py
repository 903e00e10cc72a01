"""Create speech: /speech, "Read aloud", long text in parts, PCM as WAV, the Realtime path."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.content.audio_encoding import wav_from_pcm16
from tests.fakes.openai_api import ChatReply, FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess


async def speech_command(bot: BotProcess, text: str, **kwargs: str) -> tuple[int, str]:
    return await bot.send_form(payloads.slash_command("/speech", text, **kwargs))


async def test_every_property_reaches_the_request_and_the_exact_audio_is_uploaded(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    status, body = await speech_command(
        bot,
        '--voice coral --response-format flac --speed 1.25 --instructions "calm" Hello there &amp; welcome.',
    )
    assert status == 200 and "Reading it aloud" in json.loads(body)["text"]
    [batch] = await slack.wait_until(lambda: slack.upload_batches, what="the upload")
    [request] = openai_api.requests_to("/v1/audio/speech")
    assert request.json == {
        "model": "gpt-4o-mini-tts", "input": "Hello there & welcome.", "voice": "coral",
        "response_format": "flac", "speed": 1.25, "instructions": "calm",
    }  # fmt: skip
    [audio] = batch
    assert audio.content == openai_api.speech_payload("flac")
    assert audio.filename == "hello-there-welcome.flac"
    assert audio.title == "Hello there & welcome."
    assert audio.channel == "C0CHAN"


async def test_pcm_is_uploaded_as_a_playable_wav_and_said_so(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    await speech_command(bot, "--response-format pcm Testing")
    [[audio]] = await slack.wait_until(lambda: slack.upload_batches, what="the upload")
    assert audio.filename == "testing.wav"
    assert audio.content == wav_from_pcm16(openai_api.speech_payload("pcm"), 24000)
    assert "wrapped as WAV" in (audio.initial_comment or "")


async def test_long_text_is_split_at_sentences_and_uploaded_in_order(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    openai_api.speech_by_input = lambda text, fmt: f"AUDIO[{text}]".encode()
    sentences = [f"Sentence number {i} is here to make the text long." for i in range(200)]
    text = " ".join(sentences)  # about 10,000 characters
    await speech_command(bot, text)
    [batch] = await slack.wait_until(lambda: slack.upload_batches, timeout=20, what="the upload")

    assert len(batch) == 3
    assert [f.filename for f in batch] == [
        f"sentence-number-0-is-here-to-make-the-part-{i}-of-3.mp3" for i in (1, 2, 3)
    ]
    parts = [f.content.decode()[len("AUDIO[") : -1] for f in batch]
    assert " ".join(parts) == text  # nothing cut off, nothing repeated, in order
    assert all(len(part) <= 4096 and part.endswith(".") for part in parts)
    assert "read in 3 parts" in (batch[0].initial_comment or "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("--voice robot hi", "`--voice` must be one of alloy, ash"),
        ("--speed 5 hi", "`--speed` must be a number from 0.25 to 4"),
        ("--response-format ogg hi", "`--response-format` must be one of mp3, opus, aac, flac, wav, pcm"),
        ("--model gpt-realtime-2.1-mini --voice nova hi", "with the Realtime model `gpt-realtime-2.1-mini`"),
        ("--model gpt-realtime-2.1-mini --speed 2 hi", "`--speed` must be a number from 0.25 to 1.5"),
        ("--voice alloy", "`/speech` needs text after the flags"),
    ],
)
async def test_a_bad_speech_flag_is_refused_privately(
    bot: BotProcess, openai_api: FakeOpenAI, text: str, expected: str
) -> None:
    status, body = await speech_command(bot, text)
    assert status == 200 and expected in json.loads(body)["text"]
    await asyncio.sleep(0.3)
    assert openai_api.requests_to("/v1/audio/speech") == []


async def test_read_aloud_speaks_a_message_into_its_thread(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    message = {
        "type": "message",
        "user": "U0BOB",
        "ts": "1700000000.300000",
        "text": "Ship it &lt;today&gt;.",
    }
    await bot.send_form(payloads.interactive(payloads.message_shortcut("read_aloud", message)))
    [[audio]] = await slack.wait_until(lambda: slack.upload_batches, what="the upload")
    assert audio.thread_ts == "1700000000.300000"
    assert audio.content == openai_api.speech_payload("mp3")
    [request] = openai_api.requests_to("/v1/audio/speech")
    assert request.json is not None and request.json["input"] == "Ship it <today>."


async def test_read_aloud_on_a_message_without_text_says_so(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    message = {"type": "message", "user": "U0BOB", "ts": "1700000000.300001", "text": "", "thread_ts": "1.0"}
    await bot.send_form(payloads.interactive(payloads.message_shortcut("read_aloud", message)))
    [notice] = await slack.wait_for("chat.postEphemeral")
    assert "no text to read aloud" in notice.args["text"]
    assert openai_api.requests_to("/v1/audio/speech") == []


async def test_a_realtime_model_speaks_through_the_realtime_api_with_the_same_result(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,  # type: ignore[no-untyped-def]
) -> None:
    bot = await start_bot(OPENAI_SPEECH_MODEL="gpt-realtime-2.1-mini")
    await speech_command(bot, "--voice marin --response-format wav --speed 1.2 Read me word for word.")
    [[audio]] = await slack.wait_until(lambda: slack.upload_batches, timeout=20, what="the upload")
    assert audio.filename == "read-me-word-for-word.wav"
    assert audio.content == wav_from_pcm16(openai_api.realtime_pcm("Read me word for word."), 24000)
    assert openai_api.requests_to("/v1/audio/speech") == []
    [session] = openai_api.realtime_sessions
    assert session.model == "gpt-realtime-2.1-mini"
    update = next(e for e in session.events if e["type"] == "session.update")
    assert update["session"]["audio"]["output"]["voice"] == "marin"
    assert update["session"]["audio"]["output"]["speed"] == 1.2


async def test_read_that_aloud_in_a_thread_runs_the_tool(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    openai_api.queue_chat(
        ChatReply(tool_calls=[{"id": "c1", "name": "read_aloud", "arguments": '{"text": "Good morning!"}'}]),
        ChatReply("Done."),
    )
    event = payloads.mention("read 'Good morning!' aloud")
    await bot.send_event(payloads.event_callback(event))
    [[audio]] = await slack.wait_until(lambda: slack.upload_batches, what="the upload")
    assert audio.thread_ts == event["ts"] and audio.content == openai_api.speech_payload("mp3")
    [request] = openai_api.requests_to("/v1/audio/speech")
    assert request.json is not None and request.json["input"] == "Good morning!"
