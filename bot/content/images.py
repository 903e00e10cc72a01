"""Images people share for the "Vision prompt" action: what format a file really is, whether OpenAI
accepts it (PNG, JPEG, WEBP, non-animated GIF; at most 20 MB an image), and how to send it (a data
URL: Slack's private file URLs are not reachable by OpenAI).

Pure functions, no I/O.
"""

from __future__ import annotations

import base64
import hashlib

VISION_FORMATS = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp", "gif": "image/gif"}
MAX_IMAGE_BYTES = 20 * 1024 * 1024

ALLOWED_IMAGES_TEXT = "PNG, JPEG, WEBP or non-animated GIF"

LOGIN_PAGE_MESSAGE = (
    "Slack answered with a login page instead of the file: the app needs the files:read scope; "
    "reinstall it from manifest.yml"
)

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
_GIF_MAGICS = (b"GIF87a", b"GIF89a")

# Other formats people commonly share, named in the "unsupported" message so it says what the file is.
_OTHER_FORMATS: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"BM", "a BMP image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"8BPS", "a Photoshop file"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
)


class ImageRejected(Exception):
    """An image OpenAI would not accept; the message says what is wrong and what is allowed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def sniff_image(content: bytes) -> str | None:
    """The real format of `content` from its magic bytes: "png", "jpeg", "webp", "gif", or None."""
    if content.startswith(_PNG_MAGIC):
        return "png"
    if content.startswith(_JPEG_MAGIC):
        return "jpeg"
    if content.startswith(_GIF_MAGICS):
        return "gif"
    if len(content) >= 12 and content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "webp"
    return None


def _skip_sub_blocks(content: bytes, pos: int) -> int | None:
    """Skip a chain of GIF data sub-blocks starting at `pos`; the position after the terminator, or None
    when the data ends first."""
    n = len(content)
    while pos < n:
        size = content[pos]
        pos += 1
        if size == 0:
            return pos
        pos += size
    return None


def gif_frame_count(content: bytes, stop_at: int | None = None) -> int:
    """How many image frames (image descriptors) a GIF holds, walking its block structure.

    A truncated or malformed file counts the frames found up to the damage. `stop_at` ends the walk
    early once that many frames were seen.
    """
    if not content.startswith(_GIF_MAGICS) or len(content) < 13:
        return 0
    packed = content[10]
    pos = 13
    if packed & 0x80:  # global color table
        pos += 3 * (1 << ((packed & 0x07) + 1))
    frames = 0
    n = len(content)
    while pos < n:
        introducer = content[pos]
        if introducer == 0x3B:  # trailer
            break
        if introducer == 0x21:  # extension: label, then sub-blocks
            if pos + 2 > n:
                break
            after = _skip_sub_blocks(content, pos + 2)
            if after is None:
                break
            pos = after
        elif introducer == 0x2C:  # image descriptor: 9 bytes, optional local table, LZW size, data
            if pos + 10 > n:
                break
            local_packed = content[pos + 9]
            pos += 10
            if local_packed & 0x80:
                pos += 3 * (1 << ((local_packed & 0x07) + 1))
            pos += 1  # LZW minimum code size
            if pos > n:
                break
            after = _skip_sub_blocks(content, pos)
            frames += 1
            if after is None or (stop_at is not None and frames >= stop_at):
                break
            pos = after
        else:  # not a GIF block: the rest is garbage
            break
    return frames


def is_animated_gif(content: bytes) -> bool:
    """True for a GIF with more than one image frame."""
    return gif_frame_count(content, stop_at=2) > 1


def looks_like_html(content: bytes) -> bool:
    """True when `content` is an HTML page (what Slack sends instead of a file without files:read)."""
    head = content[:512].lstrip(b"\xef\xbb\xbf").lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _format_size(size: int) -> str:
    mb = size / (1024 * 1024)
    if mb >= 0.1:
        return f"{mb:.1f} MB"
    return f"{size / 1024:.0f} KB" if size >= 1024 else f"{size} bytes"


def _describe_other(content: bytes) -> str | None:
    for magic, what in _OTHER_FORMATS:
        if content.startswith(magic):
            return what
    if b"<svg" in content[:1024].lower():
        return "an SVG drawing"
    if len(content) >= 12 and content[4:8] == b"ftyp" and content[8:12] in (b"heic", b"heix", b"mif1"):
        return "a HEIC image"
    return None


def check_image(content: bytes, name: str) -> str:
    """The MIME type to send `content` (named `name`) to OpenAI as; ImageRejected when OpenAI would refuse
    it. The type comes from the bytes, never from the name or what Slack says."""
    label = f"“{name}”" if name else "The image"
    if not content:
        raise ImageRejected(f"{label} is empty: send a {ALLOWED_IMAGES_TEXT} image.")
    if len(content) > MAX_IMAGE_BYTES:
        raise ImageRejected(
            f"{label} is {_format_size(len(content))}; images can be at most "
            f"{MAX_IMAGE_BYTES // (1024 * 1024)} MB each."
        )
    if looks_like_html(content):
        raise ImageRejected(LOGIN_PAGE_MESSAGE)
    fmt = sniff_image(content)
    if fmt is None:
        what = _describe_other(content)
        found = f"is {what}" if what else "is not an image of a supported type"
        raise ImageRejected(f"{label} {found}: images must be {ALLOWED_IMAGES_TEXT}.")
    if fmt == "gif" and is_animated_gif(content):
        raise ImageRejected(
            f"{label} is an animated GIF, which OpenAI does not accept: send a still image "
            f"({ALLOWED_IMAGES_TEXT})."
        )
    return VISION_FORMATS[fmt]


def data_url(content: bytes, mime: str) -> str:
    """A `data:` URL for an `image_url` content part."""
    return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"


def content_hash(content: bytes) -> str:
    """SHA-256 of `content`, hex."""
    return hashlib.sha256(content).hexdigest()
