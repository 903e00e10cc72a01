"""Timed text: segments, subtitle files (SRT, WebVTT), clock labels, and timings estimated from
the text and the audio's duration for models that give none."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass
class Segment:
    start: float
    end: float
    text: str


def timestamp(seconds: float, style: str = "srt") -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    separator = "," if style == "srt" else "."
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def clock(seconds: float) -> str:
    whole = int(seconds)
    return f"[{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}]"


def subtitles(segments: list[Segment], style: str) -> str:
    cues = []
    for index, segment in enumerate(segments, 1):
        times = f"{timestamp(segment.start, style)} --> {timestamp(segment.end, style)}"
        cues.append(
            f"{index}\n{times}\n{segment.text.strip()}\n"
            if style == "srt"
            else f"{times}\n{segment.text.strip()}\n"
        )
    body = "\n".join(cues)
    return body if style == "srt" else "WEBVTT\n\n" + body


def estimate_segments(text: str, duration: float) -> list[Segment]:
    """Sentences spread over the duration by their length: timings for models that give none."""
    sentences = [s for s in re.split(r"(?<=[.!?。！？])\s+", text.strip()) if s]
    if not sentences or duration <= 0:
        return [Segment(0.0, max(duration, 0.0), text.strip())] if text.strip() else []
    total = sum(len(s) for s in sentences)
    segments, start = [], 0.0
    for sentence in sentences:
        end = start + duration * len(sentence) / total
        segments.append(Segment(round(start, 3), round(end, 3), sentence))
        start = end
    return segments
