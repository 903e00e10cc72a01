"""Speech through the Realtime API (handlers.realtime_speech) against the fake OpenAI websocket."""

from __future__ import annotations

import base64
import io
import wave
from collections.abc import AsyncIterator

import av
import openai
import pytest

from bot.content.audio_encoding import AUDIO_FORMATS, encode_pcm16, wav_from_pcm16
from handlers.realtime_speech import (
    READ_ALOUD_INSTRUCTIONS,
    REALTIME_SPEED,
    REALTIME_VOICES,
    RealtimeSpeechError,
    is_realtime_model,
    speak_realtime,
)
from tests.fakes.openai_api import FakeOpenAI

MODEL = "gpt-realtime-2.1-mini"
TEXT = "The quick brown fox jumps over the lazy dog. Ünïcödé too! " * 3  # ~180 bytes: ~0.9 s of audio


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as server:
        yield server


def client_for(fake: FakeOpenAI, api_key: str | None = None) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(api_key=api_key or fake.api_key, base_url=fake.url, max_retries=0, timeout=5.0)


async def speak(
    fake: FakeOpenAI,
    fmt: str = "wav",
    text: str = TEXT,
    *,
    voice: str = "marin",
    speed: float = 1.0,
    timeout: float = 5.0,
) -> bytes:
    return await speak_realtime(
        client_for(fake),
        model=MODEL,
        text=text,
        voice=voice,
        speed=speed,
        response_format=fmt,
        timeout=timeout,
    )


def decoded_seconds(data: bytes) -> float:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        samples = rate = 0
        for frame in container.decode(stream):
            samples += frame.samples
            rate = frame.sample_rate
    assert rate, "no audio decoded"
    return samples / rate


# --------------------------------------------------------------------------- constants


def test_realtime_model_voices_and_speed() -> None:
    assert is_realtime_model("gpt-realtime-2.1-mini")
    assert is_realtime_model("gpt-realtime")
    assert not is_realtime_model("gpt-4o-mini-tts")
    assert not is_realtime_model("tts-1")
    assert {"marin", "cedar", "alloy"} <= set(REALTIME_VOICES)
    assert not {"nova", "fable", "onyx"} & set(REALTIME_VOICES)
    assert REALTIME_SPEED == (0.25, 1.5)


# --------------------------------------------------------------------------- the session


async def test_session_events_and_wav_output(fake: FakeOpenAI) -> None:
    out = await speak(fake, "wav", voice="cedar", speed=1.25)

    assert out == wav_from_pcm16(fake.realtime_pcm(TEXT))
    [session] = fake.realtime_sessions
    assert session.model == MODEL
    assert session.headers["authorization"] == f"Bearer {fake.api_key}"
    assert fake.requests_to("/realtime")[0].query == {"model": MODEL}
    assert [e["type"] for e in session.events] == [
        "session.update",
        "conversation.item.create",
        "response.create",
    ]

    update = session.events[0]["session"]
    assert update["type"] == "realtime"
    assert update["output_modalities"] == ["audio"]
    assert update["audio"]["output"] == {
        "voice": "cedar",
        "format": {"type": "audio/pcm", "rate": 24000},
        "speed": 1.25,
    }
    assert update["instructions"] == READ_ALOUD_INSTRUCTIONS
    assert "word for word" in update["instructions"]
    assert session.events[1]["item"] == {
        "type": "message",
        "role": "user",
        "content": [{"type": "input_text", "text": TEXT}],
    }
    with wave.open(io.BytesIO(out)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 24000)


async def test_pcm_output_is_the_raw_audio(fake: FakeOpenAI) -> None:
    assert await speak(fake, "PCM", text="Read me.") == fake.realtime_pcm("Read me.")


async def test_fake_streams_several_deltas_then_done(fake: FakeOpenAI) -> None:
    async with client_for(fake).realtime.connect(model=MODEL) as conn:
        first = await conn.recv()
        assert first.type == "session.created"
        await conn.conversation.item.create(
            item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi there"}]}
        )
        await conn.response.create()
        kinds, audio = [], b""
        async for event in conn:
            kinds.append(event.type)
            if event.type == "response.output_audio.delta":
                audio += base64.b64decode(event.delta)
            if event.type == "response.done":
                assert event.response.status == "completed"
                break
    assert kinds[:3] == ["conversation.item.added", "conversation.item.done", "response.created"]
    assert kinds.count("response.output_audio.delta") > 1
    assert kinds[-2:] == ["response.output_audio.done", "response.done"]
    assert audio == fake.realtime_pcm("hi there")
    assert len(audio) % 2 == 0 and 1000 < len(audio) < 10000


@pytest.mark.parametrize("fmt", ["mp3", "opus", "aac", "flac"])
async def test_compressed_formats_decode_to_the_right_duration(fake: FakeOpenAI, fmt: str) -> None:
    out = await speak(fake, fmt)
    expected = len(fake.realtime_pcm(TEXT)) / 2 / 24000
    assert abs(decoded_seconds(out) - expected) < 0.06, fmt
    if fmt == "flac":  # lossless: the very same samples
        with av.open(io.BytesIO(out)) as container:
            pcm = b"".join(bytes(f.planes[0])[: f.samples * 2] for f in container.decode(audio=0))
        assert pcm == fake.realtime_pcm(TEXT)


# --------------------------------------------------------------------------- failures


async def test_error_event_raises(fake: FakeOpenAI) -> None:
    fake.realtime_script.append("error")
    with pytest.raises(RealtimeSpeechError, match="scripted to fail") as err:
        await speak(fake)
    assert err.value.code == "fake_scripted_error"


@pytest.mark.parametrize("behaviour", ["close", "drop"])
async def test_socket_closing_early_raises(fake: FakeOpenAI, behaviour: str) -> None:
    fake.realtime_script.append(behaviour)
    with pytest.raises(RealtimeSpeechError, match="before the audio was complete"):
        await speak(fake)
    assert fake.realtime_sessions[0].behaviour == behaviour


async def test_silence_is_bounded_by_the_timeout(fake: FakeOpenAI) -> None:
    fake.realtime_script.append("hang")
    with pytest.raises(RealtimeSpeechError, match=r"within 0\.3 seconds") as err:
        await speak(fake, timeout=0.3)
    assert err.value.code == "timeout"


async def test_rejected_voice_and_wrong_key_raise(fake: FakeOpenAI) -> None:
    with pytest.raises(RealtimeSpeechError, match="'nova'") as err:
        await speak(fake, voice="nova")
    assert err.value.code == "invalid_value"

    with pytest.raises(RealtimeSpeechError, match="HTTP 401") as err:
        await speak_realtime(
            client_for(fake, "sk-wrong-key-0000"),
            model=MODEL, text=TEXT, voice="marin", speed=1.0, response_format="mp3", timeout=5.0,
        )  # fmt: skip
    assert (err.value.status, err.value.code) == (401, "invalid_api_key")


async def test_unknown_format_raises_before_connecting(fake: FakeOpenAI) -> None:
    with pytest.raises(ValueError, match="ogg"):
        await speak(fake, "ogg")
    assert fake.realtime_sessions == []
    with pytest.raises(ValueError):
        encode_pcm16(b"\x00\x00" * 100, "m4a")


def test_encoder_basics() -> None:
    pcm = b"\x01\x02" * 2400
    assert set(AUDIO_FORMATS) == {"mp3", "opus", "aac", "flac", "wav", "pcm"}
    assert encode_pcm16(pcm, "pcm") == pcm
    assert encode_pcm16(pcm, "wav") == wav_from_pcm16(pcm)
    with wave.open(io.BytesIO(wav_from_pcm16(pcm, 16000, 2))) as w:
        assert (w.getnchannels(), w.getframerate(), w.getnframes()) == (2, 16000, 1200)
    assert encode_pcm16(pcm, "opus")[:4] == b"OggS"
    assert encode_pcm16(pcm, "flac")[:4] == b"fLaC"
    assert encode_pcm16(pcm, "aac")[:2] in (b"\xff\xf1", b"\xff\xf9")  # ADTS sync word
