"""Audio files people share: whether a file is audio OpenAI can transcribe, the filename (with the
extension of its real format) to send it under, and how long it is (PyAV)."""

from __future__ import annotations

from typing import BinaryIO

# The formats OpenAI's transcription endpoint decodes, chosen by the file's extension.
AUDIO_EXTENSIONS = ("flac", "mp3", "mp4", "mpeg", "mpga", "m4a", "ogg", "wav", "webm")


def audio_filename(name: str, filetype: str | None, mimetype: str | None, subtype: str | None = None) -> str:
    """A filename whose extension matches the real format (OpenAI picks the decoder by it)."""
    stem, _, ext = name.rpartition(".")
    ext = ext.lower() if stem else ""
    filetype = (filetype or "").lower()
    mimetype = (mimetype or "").lower()
    if ext in AUDIO_EXTENSIONS:
        return name
    if filetype in AUDIO_EXTENSIONS:
        chosen = filetype
    elif "webm" in mimetype or filetype == "webm":
        chosen = "webm"
    elif "ogg" in mimetype or "opus" in mimetype or filetype in {"opus", "oga"}:
        chosen = "ogg"
    elif "mpeg" in mimetype and "video" not in mimetype:
        chosen = "mp3"
    elif "wav" in mimetype:
        chosen = "wav"
    elif "flac" in mimetype:
        chosen = "flac"
    elif subtype == "slack_audio" or "mp4" in mimetype or mimetype.startswith(("audio/", "video/")):
        chosen = "m4a" if mimetype.startswith("audio/") or subtype == "slack_audio" else "mp4"
    else:
        chosen = ""
    base = stem or name or "audio"
    return f"{base}.{chosen}" if chosen else base


def is_audio(name: str, filetype: str | None, mimetype: str | None, subtype: str | None = None) -> bool:
    mimetype = (mimetype or "").lower()
    return (
        subtype == "slack_audio"
        or mimetype.startswith(("audio/", "video/"))
        or (filetype or "").lower() in (*AUDIO_EXTENSIONS, "opus", "oga")
        or name.lower().rsplit(".", 1)[-1] in AUDIO_EXTENSIONS
    )


def audio_duration(audio: BinaryIO) -> float | None:
    """Seconds of audio, read with PyAV (sync: run it in a thread); None when it cannot tell."""
    import av  # PyAV holds ~20 MB: loaded by the first audio file, not by every process at start

    try:
        audio.seek(0)
        with av.open(audio, mode="r") as container:
            if container.duration:
                return float(container.duration) / av.time_base
            stream = next(iter(container.streams.audio), None)
            if stream is not None and stream.duration and stream.time_base:
                return float(stream.duration * stream.time_base)
    except Exception:
        return None
    finally:
        audio.seek(0)
    return None
