"""handlers.documents: which shared files are documents, their text, and cutting it to a token budget."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader, PdfWriter

from bot.content.documents import (
    DOCUMENT_TYPES,
    DocumentRejected,
    document_kind,
    extract_text,
    fit_text,
    is_document,
)


def build_pdf(page_streams: list[bytes]) -> bytes:
    """A minimal valid PDF written by hand: one page a content stream, Helvetica as the font, and an xref
    table with the true byte offset of every object."""
    n_pages = len(page_streams)
    font_id = 3
    first_page_id = 4
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % (first_page_id + 2 * i) for i in range(n_pages))
        + b"] /Count %d >>" % n_pages,
        font_id: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }
    for i, stream in enumerate(page_streams):
        page_id = first_page_id + 2 * i
        objects[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (page_id + 1, font_id)
        )
        objects[page_id + 1] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for obj_id in sorted(objects):
        offsets[obj_id] = len(out)
        out += b"%d 0 obj\n" % obj_id + objects[obj_id] + b"\nendobj\n"
    xref_at = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for obj_id in range(1, size):
        out += b"%010d 00000 n \n" % offsets[obj_id]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref_at)
    return bytes(out)


def text_stream(*lines: str) -> bytes:
    ops = [b"BT /F1 14 Tf 72 720 Td 18 TL"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(b"(" + escaped.encode("latin-1") + b") Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


DRAWING_ONLY = b"0.2 0.4 0.8 rg 72 72 200 300 re f 10 w 100 100 m 400 500 l S"


def test_the_hand_written_pdf_is_valid() -> None:
    pdf = build_pdf([text_stream("Hello")])
    reader = PdfReader(io.BytesIO(pdf), strict=True)  # strict: a wrong xref offset would raise
    assert len(reader.pages) == 1


def test_pdf_text_comes_back() -> None:
    pdf = build_pdf(
        [
            text_stream("Quarterly report (draft)", "Revenue grew 12% in Q3."),
            text_stream("Second page: caf\u00e9 costs"),
        ]
    )
    text = extract_text(pdf, "report.pdf", "application/pdf", "pdf")
    assert "Quarterly report (draft)" in text
    assert "Revenue grew 12% in Q3." in text
    assert "Second page: caf\u00e9 costs" in text
    assert text.index("Quarterly") < text.index("Second page")


def test_pdf_is_recognised_from_its_bytes_whatever_the_name() -> None:
    pdf = build_pdf([text_stream("Named wrongly")])
    assert "Named wrongly" in extract_text(pdf, "notes.txt", "text/plain", "text")


def test_pdf_without_text_layer_is_rejected() -> None:
    pdf = build_pdf([DRAWING_ONLY, b""])
    with pytest.raises(DocumentRejected) as caught:
        extract_text(pdf, "scan.pdf", "application/pdf", "pdf")
    assert "this PDF has no text layer (scanned?)" in str(caught.value)
    assert "scan.pdf" in str(caught.value)


def test_password_protected_pdf_is_rejected() -> None:
    writer = PdfWriter(clone_from=io.BytesIO(build_pdf([text_stream("Secret plans")])))
    writer.encrypt(user_password="hunter2", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(DocumentRejected, match="password"):
        extract_text(buffer.getvalue(), "secret.pdf", "application/pdf", "pdf")


def test_pdf_encrypted_without_a_user_password_is_read() -> None:
    writer = PdfWriter(clone_from=io.BytesIO(build_pdf([text_stream("Owner-locked only")])))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "Owner-locked only" in extract_text(buffer.getvalue(), "locked.pdf", "application/pdf", "pdf")


def test_aes_encrypted_pdf_without_a_user_password_is_read() -> None:
    pytest.importorskip("cryptography")  # pypdf[crypto]: AES needs it
    writer = PdfWriter(clone_from=io.BytesIO(build_pdf([text_stream("AES but open")])))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "AES but open" in extract_text(buffer.getvalue(), "aes.pdf", "application/pdf", "pdf")


@pytest.mark.parametrize("content", [b"%PDF-1.4\n\x00\x01garbage", b"%PDF-1.7\n1 0 obj << /Type /Catalog"])
def test_damaged_pdf_is_rejected_readably(content: bytes) -> None:
    with pytest.raises(DocumentRejected) as caught:
        extract_text(content, "broken.pdf", "application/pdf", "pdf")
    assert "broken.pdf" in str(caught.value)


def test_named_pdf_that_is_not_one() -> None:
    with pytest.raises(DocumentRejected, match="not one"):
        extract_text(b"plain words", "fake.pdf", "application/pdf", "pdf")


@pytest.mark.parametrize(
    "page", [b"<!DOCTYPE html>\n<html><body>Sign in to Slack</body></html>", b"  <html lang='en'>"]
)
@pytest.mark.parametrize(("name", "filetype"), [("report.pdf", "pdf"), ("notes.txt", "text")])
def test_html_login_page_is_rejected(page: bytes, name: str, filetype: str) -> None:
    with pytest.raises(DocumentRejected) as caught:
        extract_text(page, name, None, filetype)
    assert "files:read scope" in str(caught.value) and "manifest.yml" in str(caught.value)


def test_text_types() -> None:
    assert extract_text("h\u00e9llo\nworld".encode(), "a.txt") == "h\u00e9llo\nworld"
    assert extract_text(b"\xef\xbb\xbf# Title\n", "README.md") == "# Title\n"  # BOM dropped
    assert extract_text("caf\u00e9".encode("latin-1"), "old.txt") == "caf\u00e9"  # latin-1 fallback
    assert extract_text("\u00fcber".encode("utf-16"), "wide.txt") == "\u00fcber"
    csv_bytes = b'name,qty\nwidget,3\n"a, b",4\n'
    assert extract_text(csv_bytes, "sheet.csv", "text/csv", "csv") == csv_bytes.decode()


def test_json_is_reindented_when_valid_and_kept_as_text_otherwise() -> None:
    raw = b'{"b":[1,2],"name":"caf\\u00e9"}'
    text = extract_text(raw, "data.json", "application/json", "json")
    assert json.loads(text) == {"b": [1, 2], "name": "caf\u00e9"}
    assert text == '{\n "b": [\n  1,\n  2\n ],\n "name": "caf\u00e9"\n}'
    assert extract_text(b"{not json,", "data.json") == "{not json,"


def test_empty_binary_and_unknown_files_are_rejected() -> None:
    with pytest.raises(DocumentRejected, match="empty"):
        extract_text(b"  \n", "blank.txt")
    with pytest.raises(DocumentRejected, match="binary"):
        extract_text(b"\x00\x01\x02\x03", "data.csv")
    with pytest.raises(DocumentRejected, match="plain text, Markdown, CSV, JSON or PDF"):
        extract_text(b"PK\x03\x04", "deck.pptx", "application/vnd.ms-powerpoint", "pptx")


@pytest.mark.parametrize(
    ("name", "mimetype", "filetype", "kind"),
    [
        ("notes.txt", "text/plain", "text", "text"),
        ("notes", None, "text", "text"),
        ("x.TEXT", None, None, "text"),
        ("README.md", None, None, "markdown"),
        ("README.markdown", "text/markdown", "markdown", "markdown"),
        ("upload", "text/x-markdown", None, "markdown"),
        ("sheet.csv", "text/csv", "csv", "csv"),
        ("upload", "application/json; charset=utf-8", None, "json"),
        ("data.json", None, None, "json"),
        ("paper.PDF", None, None, "pdf"),
        ("paper", "application/pdf", None, "pdf"),
        ("paper.bin", None, "pdf", "pdf"),
        ("photo.png", "image/png", "png", None),
        (
            "deck.pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "pptx",
            None,
        ),
        ("", None, None, None),
    ],
)
def test_document_kind(name: str, mimetype: str | None, filetype: str | None, kind: str | None) -> None:
    assert document_kind(name, mimetype, filetype) == kind
    assert is_document(name, mimetype, filetype) is (kind is not None)


def test_document_types_cover_the_five_kinds() -> None:
    assert set(DOCUMENT_TYPES) == {"text", "markdown", "csv", "json", "pdf"}
    extensions = set().union(*(t.extensions for t in DOCUMENT_TYPES.values()))
    assert {"txt", "text", "md", "markdown", "csv", "json", "pdf"} <= extensions


# --- fit_text ----------------------------------------------------------------------------------------


def words(text: str) -> int:
    return len(text.split())


class CountingCounter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, text: str) -> int:
        self.calls += 1
        return len(text)  # one token a character: easy to reason about


def test_fit_text_leaves_short_text_alone() -> None:
    assert fit_text("one two three", 3, words) == ("one two three", False)
    assert fit_text("", 0, words) == ("", False)


def test_fit_text_cuts_at_a_line_boundary() -> None:
    text = "\n".join(f"line {i} has five words" for i in range(100))
    cut, was_cut = fit_text(text, 52, words)
    assert was_cut
    assert cut == "\n".join(f"line {i} has five words" for i in range(10))
    assert words(cut) <= 52


def test_fit_text_cuts_inside_one_long_line_at_a_space() -> None:
    text = " ".join(f"w{i}" for i in range(1000))
    cut, was_cut = fit_text(text, 10, words)
    assert was_cut
    assert cut == " ".join(f"w{i}" for i in range(10))


def test_fit_text_with_a_tight_budget_and_few_count_calls() -> None:
    counter = CountingCounter()
    text = "\n".join("x" * 50 for _ in range(2000))  # 101,999 characters
    cut, was_cut = fit_text(text, 1000, counter)
    assert was_cut and len(cut) <= 1000
    assert cut.endswith("x") and cut.count("\n") == 18  # 19 whole lines of 51 characters fit in 1000
    assert counter.calls <= 2 + 2 * 18  # binary searches, not a scan


def test_fit_text_zero_budget() -> None:
    assert fit_text("something", 0, words) == ("", True)
