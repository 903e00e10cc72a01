"""Create transcription and Create translation: any audio shared with the bot becomes text in its thread."""

from __future__ import annotations

import asyncio
import io
import json
import wave

import pytest

from tests.fakes.openai_api import ChatReply, ErrorReply, FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess

MP3 = b"ID3\x04\x00fake-mp3-audio" * 50


def wav_seconds(seconds: float) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\x00\x00" * int(16000 * seconds))
    return buffer.getvalue()


def dm_with(files: list[dict], text: str = "") -> dict:  # type: ignore[type-arg]
    return payloads.message(text, channel="D0DM", channel_type="im", subtype="file_share", files=files)


async def test_audio_sent_in_a_dm_is_transcribed_into_its_thread(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    file = slack.add_file(MP3, "standup.mp3", "audio/mpeg", "mp3")
    event = dm_with([file])
    await bot.send_event(payloads.event_callback(event))

    [reply] = await slack.wait_thread_messages("D0DM", event["ts"])
    assert reply.visible_text == "*Transcript of `standup.mp3`*\nThis is a fake transcription."
    [request] = openai_api.requests_to("/v1/audio/transcriptions")
    assert request.files is not None and request.files["file"][0] == "standup.mp3"
    assert request.files["file"][2] == MP3  # the exact bytes
    assert request.form is not None and request.form["model"] == "gpt-transcribe"
    # The bot token went to Slack's file download, and to nothing that is not Slack.
    [download] = slack.downloads
    assert download.headers["authorization"] == f"Bearer {slack.bot_token}"
    assert all(slack.bot_token not in json.dumps(r.headers) for r in openai_api.requests)


async def test_a_voice_clip_is_sent_with_an_extension_that_matches_its_format(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    clip = slack.add_file(b"\x00\x00\x00\x18ftypmp42" + b"x" * 200, "Audio Clip", "video/mp4", "mp4",
                          subtype="slack_audio")  # fmt: skip
    await bot.send_event(payloads.event_callback(dm_with([clip])))
    [request] = await openai_api.wait_for("/v1/audio/transcriptions")
    assert request.files is not None and request.files["file"][0] == "Audio Clip.mp4"


async def test_a_mention_saying_translate_on_a_message_with_audio_translates_it(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    file = slack.add_file(MP3, "interview.mp3", "audio/mpeg", "mp3")
    event = payloads.mention("please translate this")
    event["files"] = [file]
    await bot.send_event(payloads.event_callback(event))
    [reply] = await slack.wait_thread_messages("C0CHAN", event["ts"])
    assert reply.visible_text == "*English translation of `interview.mp3`*\nThis is a fake translation."
    [request] = openai_api.requests_to("/v1/audio/translations")
    assert request.form is not None and request.form["model"] == "whisper-1"


async def test_a_mention_in_the_thread_of_an_audio_message_transcribes_that_audio(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    file = slack.add_file(MP3, "voice.mp3", "audio/mpeg", "mp3")
    root = "1700000000.700000"
    slack.add_message("C0CHAN", root, "", "U0BOB", files=[file])
    event = payloads.mention("can you transcribe this?", thread_ts=root)
    await bot.send_event(payloads.event_callback(event))
    [reply] = await slack.wait_thread_messages("C0CHAN", root)
    assert "This is a fake transcription." in reply.visible_text


async def test_transcribe_command_sends_every_property_and_answers_in_a_new_thread(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    file = slack.add_file(MP3, "talk.mp3", "audio/mpeg", "mp3")
    link = f"https://test.slack.com/files/U0BOB/{file['id']}/talk.mp3"
    flags = '--model whisper-1 --language de --prompt "Names: Jörg" --response-format text --temperature 0.3'
    text = f"{flags} {link}"
    status, body = await bot.send_form(payloads.slash_command("/transcribe", text))
    assert status == 200 and body == ""

    [request] = await openai_api.wait_for("/v1/audio/transcriptions")
    assert request.form == {
        "model": "whisper-1", "language": "de", "prompt": "Names: Jörg", "response_format": "text",
        "temperature": "0.3",
    }  # fmt: skip
    assert slack.calls_to("files.info")[0].args["file"] == file["id"]
    root = next(m for m in slack.messages if m.thread_ts is None and m.is_bot)
    assert "asked me to transcribe `talk.mp3`" in root.visible_text
    [reply] = await slack.wait_thread_messages("C0CHAN", root.ts)
    assert reply.visible_text.endswith("This is a fake transcription.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("--temperature 2 F0123456789", "`--temperature` must be a number from 0 to 1"),
        ("--response-format mp3 F0123456789", "`--response-format` must be one of json, text, srt"),
        ("--language english F0123456789", "`--language` must be an ISO-639-1 code"),
        ("--model whisper-1 no link here", "needs a link to an audio file"),
    ],
)
async def test_a_bad_transcribe_flag_is_refused_privately(
    bot: BotProcess, openai_api: FakeOpenAI, text: str, expected: str
) -> None:
    status, body = await bot.send_form(payloads.slash_command("/transcribe", text))
    assert status == 200 and expected in json.loads(body)["text"]
    await asyncio.sleep(0.3)
    assert openai_api.requests_to("/v1/audio/transcriptions") == []


async def test_translate_does_not_take_a_language(bot: BotProcess) -> None:
    _, body = await bot.send_form(payloads.slash_command("/translate", "--language de F0123456789"))
    assert "`--language` is not a flag of `/translate`" in json.loads(body)["text"]


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
async def test_subtitles_from_a_model_that_gives_them_are_uploaded_with_a_preview(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI, fmt: str
) -> None:
    file = slack.add_file(MP3, "clip.mp3", "audio/mpeg", "mp3")
    link = f"https://test.slack.com/files/U0BOB/{file['id']}/clip.mp3"
    await bot.send_form(
        payloads.slash_command("/transcribe", f"--model whisper-1 --response-format {fmt} {link}")
    )
    [[subtitle]] = await slack.wait_until(lambda: slack.upload_batches, what="the subtitle upload")
    assert subtitle.filename == f"clip.{fmt}"
    assert (
        "00:00:00" in subtitle.content.decode()
        and "This is a fake transcription." in subtitle.content.decode()
    )
    assert "```" in (subtitle.initial_comment or "") and "estimated" not in (subtitle.initial_comment or "")
    [request] = openai_api.requests_to("/v1/audio/transcriptions")
    assert request.form is not None and request.form["response_format"] == fmt


async def test_verbose_json_shows_readable_timestamps(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    file = slack.add_file(MP3, "clip.mp3", "audio/mpeg", "mp3")
    link = f"https://test.slack.com/files/U0BOB/{file['id']}/clip.mp3"
    await bot.send_form(
        payloads.slash_command("/transcribe", f"--model whisper-1 --response-format verbose_json {link}")
    )
    root = await slack.wait_until(
        lambda: [m for m in slack.messages if m.thread_ts is None and m.is_bot], what="root"
    )
    [reply] = await slack.wait_thread_messages("C0CHAN", root[0].ts)
    assert reply.visible_text.endswith("[00:00:00] This is a fake transcription.")


async def test_subtitles_asked_of_a_model_without_timings_are_built_from_the_audio_length(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    openai_api.transcription_text = "First sentence here. Second one."
    file = slack.add_file(wav_seconds(4.0), "memo.wav", "audio/wav", "wav")
    link = f"https://test.slack.com/files/U0BOB/{file['id']}/memo.wav"
    await bot.send_form(payloads.slash_command("/transcribe", f"--response-format srt {link}"))
    [[subtitle]] = await slack.wait_until(lambda: slack.upload_batches, what="the subtitle upload")
    [request] = openai_api.requests_to("/v1/audio/transcriptions")
    assert request.form is not None and request.form["response_format"] == "json"  # what gpt-transcribe gives
    assert subtitle.content.decode() == (
        # 4 seconds shared by length: 20 and 11 characters.
        "1\n00:00:00,000 --> 00:00:02,581\nFirst sentence here.\n\n"
        "2\n00:00:02,581 --> 00:00:04,000\nSecond one.\n"
    )
    assert "Timestamps are estimated" in (subtitle.initial_comment or "")
    assert "whisper-1" in (subtitle.initial_comment or "")


async def test_translation_falls_back_to_transcribe_then_translate_when_the_endpoint_is_gone(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    openai_api.queue("/v1/audio/translations", ErrorReply(404, "Not found", code="model_not_found"))
    openai_api.transcription_text = "Hola a todos."
    openai_api.queue_chat(ChatReply("Hello everyone."))
    file = slack.add_file(MP3, "hola.mp3", "audio/mpeg", "mp3")
    event = dm_with([file], text="translate please")
    await bot.send_event(payloads.event_callback(event))

    [reply] = await slack.wait_thread_messages("D0DM", event["ts"])
    assert "Hello everyone." in reply.visible_text
    assert "`/audio/translations` with `whisper-1` is not available" in reply.visible_text
    [transcription] = openai_api.requests_to("/v1/audio/transcriptions")
    assert transcription.files is not None and transcription.files["file"][2] == MP3
    chat = openai_api.chat_bodies()[0]
    assert chat["messages"][-1]["content"] == "Hola a todos." and chat["model"] == "gpt-6-luna"


@pytest.mark.parametrize(
    ("declared", "actual", "expected"),
    [(30 * 1024 * 1024, 100, "the limit is 25 MB"), (1000, 26 * 1024 * 1024, "larger than 25 MB")],
    ids=["declared-size", "actual-bytes"],
)
async def test_a_file_over_the_limit_is_refused_without_an_openai_call(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI, declared: int, actual: int, expected: str
) -> None:
    file = slack.add_file(b"\x00" * actual, "huge.mp3", "audio/mpeg", "mp3", size=declared)
    await bot.send_event(payloads.event_callback(dm_with([file])))
    [notice] = await slack.wait_for("chat.postEphemeral", timeout=20)
    assert expected in notice.args["text"] and "huge.mp3" in notice.args["text"]
    assert openai_api.requests_to("/v1/audio/transcriptions") == []


async def test_a_login_page_instead_of_the_file_says_what_to_do(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    file = slack.add_file(MP3, "secret.mp3", "audio/mpeg", "mp3", login_page=True)
    await bot.send_event(payloads.event_callback(dm_with([file])))
    [notice] = await slack.wait_for("chat.postEphemeral")
    assert "login page" in notice.args["text"] and "files:read" in notice.args["text"]
    assert openai_api.requests_to("/v1/audio/transcriptions") == []


async def test_the_shortcut_on_a_message_without_audio_says_so(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    pdf = slack.add_file(b"%PDF-1.4 nope", "report.pdf", "application/pdf", "pdf")
    message = {"type": "message", "user": "U0BOB", "ts": "1700000000.800000", "text": "here", "files": [pdf]}
    await bot.send_form(payloads.interactive(payloads.message_shortcut("transcribe", message)))
    [notice] = await slack.wait_for("chat.postEphemeral")
    assert "no audio to transcribe" in notice.args["text"]
    assert openai_api.requests_to("/v1/audio/transcriptions") == []


async def test_the_translate_shortcut_translates_into_the_messages_thread(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    file = slack.add_file(MP3, "note.mp3", "audio/mpeg", "mp3")
    message = {"type": "message", "user": "U0BOB", "ts": "1700000000.800001", "text": "", "files": [file]}
    await bot.send_form(payloads.interactive(payloads.message_shortcut("translate", message)))
    [reply] = await slack.wait_thread_messages("C0CHAN", "1700000000.800001")
    assert "This is a fake translation." in reply.visible_text


async def test_several_files_are_each_done_in_order_and_a_follow_up_sees_the_transcripts(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    first = slack.add_file(MP3, "one.mp3", "audio/mpeg", "mp3")
    stub = slack.file_stub(slack.add_file(MP3 + b"2", "two.m4a", "audio/mp4", "m4a")["id"])
    event = dm_with([first, stub])
    await bot.send_event(payloads.event_callback(event))
    replies = await slack.wait_thread_messages("D0DM", event["ts"], count=2)
    assert [r.visible_text.splitlines()[0] for r in replies] == [
        "*Transcript of `one.mp3`*",
        "*Transcript of `two.m4a`*",
    ]
    names = [r.files["file"][0] for r in openai_api.requests_to("/v1/audio/transcriptions") if r.files]
    assert names == ["one.mp3", "two.m4a"]
    assert slack.calls_to("files.info")  # the Slack Connect stub was resolved

    follow_up = payloads.message("summarize that", channel="D0DM", channel_type="im", thread_ts=event["ts"])
    await bot.send_event(payloads.event_callback(follow_up))
    [chat] = await openai_api.wait_for("/v1/chat/completions")
    contents = [m["content"] for m in chat.json["messages"][1:]]  # type: ignore[index]
    assert contents == [
        "Transcribe the audio file `one.mp3`.", "This is a fake transcription.",
        "Transcribe the audio file `two.m4a`.", "This is a fake transcription.",
        "summarize that",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("fmt", "asked", "expected"),
    [
        ("text", "text", "This is a fake transcription."),
        ("json", "json", "This is a fake transcription."),
        ("verbose_json", "json", "[00:00:00] This is a fake transcription."),
        ("vtt", "json", "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nThis is a fake transcription.\n"),
    ],
)
async def test_every_format_on_a_model_without_timings(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI, fmt: str, asked: str, expected: str
) -> None:
    file = slack.add_file(wav_seconds(2.0), "memo.wav", "audio/wav", "wav")
    link = f"https://test.slack.com/files/U0BOB/{file['id']}/memo.wav"
    await bot.send_form(payloads.slash_command("/transcribe", f"--response-format {fmt} {link}"))
    [request] = await openai_api.wait_for("/v1/audio/transcriptions")
    assert request.form is not None
    assert (request.form["model"], request.form["response_format"]) == ("gpt-transcribe", asked)
    if fmt == "vtt":
        [[subtitle]] = await slack.wait_until(lambda: slack.upload_batches, what="the subtitle upload")
        assert subtitle.content.decode() == expected and subtitle.filename == "memo.vtt"
        return
    root = await slack.wait_until(
        lambda: [m for m in slack.messages if m.thread_ts is None and m.is_bot], what="root"
    )
    [reply] = await slack.wait_thread_messages("C0CHAN", root[0].ts)
    assert reply.visible_text.endswith(expected)
    assert ("estimated" in reply.visible_text) == (fmt == "verbose_json")
