"""Documents people share for the "Vision prompt" action: plain text, Markdown, CSV, JSON and PDF, turned
into text the chat model reads, cut to a token budget.

`extract_text` is synchronous and can take a while on a big PDF: run it in a thread
(`await asyncio.to_thread(extract_text, ...)`).
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from bot.content.images import LOGIN_PAGE_MESSAGE, looks_like_html

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentType:
    kind: str
    label: str
    filetypes: frozenset[str]  # Slack's `filetype` values
    extensions: frozenset[str]  # lower case, without the dot
    mimetypes: frozenset[str]


DOCUMENT_TYPES: dict[str, DocumentType] = {
    t.kind: t
    for t in (
        DocumentType(
            "text",
            "plain text",
            frozenset({"text", "txt"}),
            frozenset({"txt", "text"}),
            frozenset({"text/plain"}),
        ),
        DocumentType(
            "markdown",
            "Markdown",
            frozenset({"markdown", "md"}),
            frozenset({"md", "markdown"}),
            frozenset({"text/markdown", "text/x-markdown"}),
        ),
        DocumentType(
            "csv",
            "CSV",
            frozenset({"csv"}),
            frozenset({"csv"}),
            frozenset({"text/csv", "application/csv", "text/comma-separated-values"}),
        ),
        DocumentType(
            "json",
            "JSON",
            frozenset({"json"}),
            frozenset({"json"}),
            frozenset({"application/json", "text/json"}),
        ),
        DocumentType("pdf", "PDF", frozenset({"pdf"}), frozenset({"pdf"}), frozenset({"application/pdf"})),
    )
}

ALLOWED_DOCUMENTS_TEXT = "plain text, Markdown, CSV, JSON or PDF"
NO_TEXT_LAYER = "this PDF has no text layer (scanned?)"

_PDF_MAGIC = b"%PDF-"


class DocumentRejected(Exception):
    """A document the bot cannot read; the message says why, for the person who shared it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _extension(name: str) -> str:
    return PurePosixPath(name or "").suffix.lower().lstrip(".")


def document_kind(name: str, mimetype: str | None = None, filetype: str | None = None) -> str | None:
    """The kind ("text", "markdown", "csv", "json", "pdf") a shared file is, from Slack's filetype, then
    the file name's extension, then the MIME type; None when it is none of them."""
    filetype = (filetype or "").strip().lower()
    extension = _extension(name)
    mime = (mimetype or "").split(";", 1)[0].strip().lower()
    for value, field in ((filetype, "filetypes"), (extension, "extensions"), (mime, "mimetypes")):
        if not value:
            continue
        for doc_type in DOCUMENT_TYPES.values():
            if value in getattr(doc_type, field):
                return doc_type.kind
    return None


def is_document(name: str, mimetype: str | None, filetype: str | None) -> bool:
    """True for a file `extract_text` can read."""
    return document_kind(name, mimetype, filetype) is not None


def _label(name: str) -> str:
    return f"“{name}”" if name else "The document"


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def _pdf_text(content: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    label = _label(name)
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            try:
                decrypted = reader.decrypt("")
            except (DependencyError, NotImplementedError) as exc:
                raise DocumentRejected(
                    f"{label} is an encrypted PDF the bot cannot open: share a copy without protection."
                ) from exc
            if not decrypted:
                raise DocumentRejected(f"{label} is protected with a password: share a copy without one.")
        pages: list[str] = []
        for page in reader.pages:
            page_text = page.extract_text() or ""
            if page_text.strip():
                pages.append(page_text.strip())
    except DocumentRejected:
        raise
    except (FileNotDecryptedError, DependencyError) as exc:
        raise DocumentRejected(
            f"{label} is an encrypted PDF the bot cannot open: share a copy without protection."
        ) from exc
    except Exception as exc:  # pypdf raises many kinds of error on damaged files
        log.info("pdf extraction failed for %r: %r", name, exc)
        raise DocumentRejected(f"{label} could not be read as a PDF (it may be damaged).") from exc
    if not pages:
        raise DocumentRejected(f"{label}: {NO_TEXT_LAYER}")
    return "\n\n".join(pages)


def extract_text(content: bytes, name: str, mimetype: str | None = None, filetype: str | None = None) -> str:
    """The text of a shared document. DocumentRejected says why when there is none to give.

    Text, Markdown and CSV come back as they are (UTF-8, or UTF-16 with a byte-order mark, else
    latin-1); valid JSON is re-indented (one space an indent level); PDF text comes page by page, pages
    separated by a blank line. The content decides PDF or not (its %PDF- header), whatever the name says.
    """
    label = _label(name)
    kind = document_kind(name, mimetype, filetype)
    if looks_like_html(content):
        raise DocumentRejected(LOGIN_PAGE_MESSAGE)
    # The PDF header may come after some junk, within the first 1024 bytes.
    if content.startswith(_PDF_MAGIC) or (kind == "pdf" and _PDF_MAGIC in content[:1024]):
        return _pdf_text(content, name)
    if kind is None:
        raise DocumentRejected(f"{label} is not a document the bot reads: send {ALLOWED_DOCUMENTS_TEXT}.")
    if kind == "pdf":
        raise DocumentRejected(f"{label} is named as a PDF but is not one.")
    if b"\x00" in content[:8192] and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentRejected(f"{label} is a binary file, not {DOCUMENT_TYPES[kind].label} text.")
    text = _decode(content)
    if not text.strip():
        raise DocumentRejected(f"{label} is empty.")
    if kind == "json":
        try:
            return json.dumps(json.loads(text), indent=1, ensure_ascii=False)
        except (ValueError, RecursionError):
            return text
    return text


def fit_text(text: str, max_tokens: int, count: Callable[[str], int]) -> tuple[str, bool]:
    """`text` cut to at most `max_tokens` tokens as `count` counts them, and whether it was cut.

    The cut falls at the end of a line when at least one whole line fits, otherwise inside the first
    line (at a space when there is one). `count` is called O(log n) times.
    """
    if len(text.encode("utf-8", "surrogatepass")) <= max_tokens or count(text) <= max_tokens:
        return text, False  # (a token is at least a byte: short text fits uncounted)
    if max_tokens <= 0:
        return "", True
    # Ends of lines (index just past each "\n"), and the end of the text.
    ends = [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    # Largest number of whole lines that fits: lines [0, k).
    lo, hi = 0, len(ends)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count(text[: ends[mid - 1]]) <= max_tokens:
            lo = mid
        else:
            hi = mid - 1
    if lo > 0:
        return text[: ends[lo - 1]].rstrip("\n"), True
    # Not even the first line fits: the longest prefix of it that does.
    first_line_end = ends[0] if ends else len(text)
    lo, hi = 0, first_line_end
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count(text[:mid]) <= max_tokens:
            lo = mid
        else:
            hi = mid - 1
    cut = text[:lo]
    space = cut.rfind(" ")
    if space > lo // 2:
        cut = cut[:space]
    return cut.rstrip(), True
