"""Encode raw PCM16 (little-endian, signed, mono) into the speech formats OpenAI offers.

Pure and synchronous (CPU-bound): call it from async code with ``asyncio.to_thread``.
"""

from __future__ import annotations

import io
import wave
from fractions import Fraction

AUDIO_FORMATS = ("mp3", "opus", "aac", "flac", "wav", "pcm")

# response_format -> (container format, encoder, encoder sample rate or None for the input rate)
_CODECS: dict[str, tuple[str, str, int | None]] = {
    "mp3": ("mp3", "libmp3lame", None),
    "opus": ("ogg", "libopus", 48000),  # Ogg Opus; libopus works at 48 kHz
    "aac": ("adts", "aac", None),
    "flac": ("flac", "flac", None),
}

_FRAME_SAMPLES = 4096


def wav_from_pcm16(pcm: bytes, sample_rate: int = 24000, channels: int = 1) -> bytes:
    """A WAV file around PCM16 samples."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm)
    return buf.getvalue()


def encode_pcm16(pcm: bytes, fmt: str, sample_rate: int = 24000) -> bytes:
    """Encode mono PCM16 as ``fmt`` (one of ``AUDIO_FORMATS``); ValueError for any other format."""
    fmt = fmt.lower()
    if fmt == "pcm":
        return bytes(pcm)
    if fmt == "wav":
        return wav_from_pcm16(pcm, sample_rate)
    if fmt not in _CODECS:
        raise ValueError(f"unsupported audio format {fmt!r}; expected one of {', '.join(AUDIO_FORMATS)}")
    if len(pcm) % 2:
        pcm = pcm[:-1]  # a dangling half sample cannot be encoded
    container_format, codec, rate = _CODECS[fmt]
    import av  # PyAV holds ~20 MB: loaded by the first encoding, not by every process at start

    out = io.BytesIO()
    with av.open(out, "w", format=container_format) as container:
        stream = container.add_stream(codec, rate=rate or sample_rate, layout="mono")
        assert isinstance(stream, av.AudioStream)  # an audio codec gives an audio stream
        # The codec context resamples (format, rate) and re-frames (e.g. AAC's 1024 samples) itself.
        step = _FRAME_SAMPLES * 2
        for start in range(0, len(pcm), step):
            chunk = pcm[start : start + step]
            frame = av.AudioFrame(format="s16", layout="mono", samples=len(chunk) // 2)
            frame.planes[0].update(chunk)
            frame.sample_rate = sample_rate
            frame.pts = start // 2
            frame.time_base = Fraction(1, sample_rate)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return out.getvalue()
