"""handlers.image_inputs: what an image really is and whether OpenAI's vision input takes it."""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib

import pytest

from bot.content.images import (
    MAX_IMAGE_BYTES,
    VISION_FORMATS,
    ImageRejected,
    check_image,
    content_hash,
    data_url,
    gif_frame_count,
    is_animated_gif,
    sniff_image,
)


def png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x00\x00")  # filter 0, one red pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


JPEG_HEAD = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"
)
WEBP_HEAD = b"RIFF" + struct.pack("<I", 30) + b"WEBPVP8L" + b"\x00" * 22

GIF_SCREEN = b"GIF89a" + struct.pack("<HH", 1, 1) + b"\x80\x00\x00"  # global table of 2 colours
GIF_PALETTE = b"\x00\x00\x00\xff\xff\xff"
GCE = b"\x21\xf9\x04\x00\x0a\x00\x00\x00"  # graphic control extension (a delay: what animations carry)
NETSCAPE_LOOP = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"


def gif_frame(data: bytes = b"\x44\x01", local_table: bool = False) -> bytes:
    """An image descriptor (1x1 at 0,0) and its LZW data as sub-blocks."""
    packed = 0x80 if local_table else 0x00
    descriptor = b"\x2c" + struct.pack("<HHHH", 0, 0, 1, 1) + bytes([packed])
    table = GIF_PALETTE if local_table else b""
    sub_blocks = b""
    for start in range(0, len(data), 255):
        piece = data[start : start + 255]
        sub_blocks += bytes([len(piece)]) + piece
    return descriptor + table + b"\x02" + sub_blocks + b"\x00"


def gif(*blocks: bytes, trailer: bool = True) -> bytes:
    return GIF_SCREEN + GIF_PALETTE + b"".join(blocks) + (b"\x3b" if trailer else b"")


STILL_GIF = gif(GCE, gif_frame())
ANIMATED_GIF = gif(NETSCAPE_LOOP, GCE, gif_frame(), GCE, gif_frame(local_table=True))


def test_sniff_image_reads_magic_bytes() -> None:
    assert sniff_image(png_1x1()) == "png"
    assert sniff_image(JPEG_HEAD) == "jpeg"
    assert sniff_image(WEBP_HEAD) == "webp"
    assert sniff_image(STILL_GIF) == "gif"
    assert sniff_image(b"GIF87a" + b"\x00" * 20) == "gif"
    for other in (b"", b"RIFF\x00\x00\x00\x00WAVEfmt ", b"%PDF-1.7", b"BM\x00\x00", b"hello", b"\x89PN"):
        assert sniff_image(other) is None


def test_still_gif_is_not_animated() -> None:
    assert gif_frame_count(STILL_GIF) == 1
    assert not is_animated_gif(STILL_GIF)


def test_two_frames_are_animated() -> None:
    assert gif_frame_count(ANIMATED_GIF) == 2
    assert is_animated_gif(ANIMATED_GIF)
    assert is_animated_gif(gif(gif_frame(), gif_frame()))  # no control extension at all: still two frames


def test_graphic_control_bytes_inside_data_do_not_count_as_frames() -> None:
    # Comment extensions and image data full of 0x21 0xF9 and 0x2C bytes: one frame all the same.
    noise = (b"\x21\xf9\x04" + b"\x2c") * 60
    comment = b"\x21\xfe" + bytes([len(noise[:255])]) + noise[:255] + b"\x00"
    single = gif(comment, GCE, GCE, gif_frame(data=noise), comment)
    assert single.count(b"\x21\xf9") > 10
    assert gif_frame_count(single) == 1
    assert not is_animated_gif(single)


def test_truncated_and_broken_gifs_do_not_crash() -> None:
    assert gif_frame_count(ANIMATED_GIF[:-5]) == 2  # trailer and terminator cut: the second frame started
    assert gif_frame_count(STILL_GIF[:20]) == 0
    assert gif_frame_count(gif(gif_frame(), b"\x99garbage", gif_frame())) == 1
    assert not is_animated_gif(b"GIF89a")
    assert not is_animated_gif(png_1x1())


def test_check_image_returns_the_mime_type_from_the_bytes() -> None:
    assert check_image(png_1x1(), "photo.jpg") == "image/png"  # the name does not decide
    assert check_image(JPEG_HEAD, "x.png") == "image/jpeg"
    assert check_image(WEBP_HEAD, "x") == "image/webp"
    assert check_image(STILL_GIF, "x.gif") == "image/gif"
    assert set(VISION_FORMATS.values()) == {"image/png", "image/jpeg", "image/webp", "image/gif"}


def test_too_large_gives_the_size_and_the_limit() -> None:
    big = png_1x1() + b"\x00" * (MAX_IMAGE_BYTES + 1024 * 1024)
    with pytest.raises(ImageRejected) as caught:
        check_image(big, "huge.png")
    message = str(caught.value)
    assert "huge.png" in message and "21.0 MB" in message and "20 MB" in message


def test_exactly_the_limit_is_accepted() -> None:
    image = png_1x1()
    assert check_image(image + b"\x00" * (MAX_IMAGE_BYTES - len(image)), "max.png") == "image/png"


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"%PDF-1.7\n...", "is a PDF document"),
        (b"BM" + b"\x00" * 50, "is a BMP image"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "is an SVG drawing"),
        (b"just some words", "is not an image of a supported type"),
    ],
)
def test_unsupported_types_name_what_is_allowed(content: bytes, what: str) -> None:
    with pytest.raises(ImageRejected) as caught:
        check_image(content, "file.png")
    message = str(caught.value)
    assert what in message
    assert "PNG, JPEG, WEBP or non-animated GIF" in message


def test_animated_gif_is_rejected() -> None:
    with pytest.raises(ImageRejected, match="animated GIF") as caught:
        check_image(ANIMATED_GIF, "dance.gif")
    assert "dance.gif" in str(caught.value)


@pytest.mark.parametrize(
    "page",
    [b"<!DOCTYPE html><html><body>Sign in</body></html>", b"\xef\xbb\xbf  \n<HTML lang=en>", b"<html>"],
)
def test_html_login_page_explains_the_scope(page: bytes) -> None:
    with pytest.raises(ImageRejected) as caught:
        check_image(page, "cat.png")
    assert str(caught.value) == (
        "Slack answered with a login page instead of the file: the app needs the files:read scope; "
        "reinstall it from manifest.yml"
    )


def test_empty_file_is_rejected() -> None:
    with pytest.raises(ImageRejected, match="empty"):
        check_image(b"", "nothing.png")


def test_data_url_and_hash() -> None:
    image = png_1x1()
    url = data_url(image, "image/png")
    prefix = "data:image/png;base64,"
    assert url.startswith(prefix)
    assert base64.b64decode(url[len(prefix) :]) == image
    assert content_hash(image) == hashlib.sha256(image).hexdigest()
    assert len(content_hash(b"")) == 64
