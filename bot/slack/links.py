"""Links people paste after a command: Slack file links (by id) and other image URLs."""

from __future__ import annotations

import re

from bot.downloads.public import UnsafeURL, check_url
from bot.slack.files import file_ids_in

LINK = re.compile(r"<?(https?://[^\s<>|]+)(?:\|[^>]*)?>?")


def split_links(text: str) -> tuple[list[str], list[str], str]:
    """(Slack file ids, other image URLs, the question without the links)."""
    file_ids: list[str] = []
    urls: list[str] = []
    for match in LINK.finditer(text):
        url = match.group(1)
        host = re.sub(r"^https?://", "", url).split("/", 1)[0].lower()
        ids = file_ids_in(url) if host.endswith("slack.com") else []
        file_ids.extend(ids) if ids else urls.append(url)
    return file_ids, urls, re.sub(r"\s+", " ", LINK.sub(" ", text)).strip()


def refusal(urls: list[str]) -> str | None:
    """A link that may not be fetched at all (not https, a private address), said at once."""
    for url in urls:
        try:
            check_url(url)
        except UnsafeURL as exc:
            return f":warning: {url}: {exc}"
    return None


def file_stubs(file_ids: list[str]) -> list[dict[str, str]]:
    """Slack files known by id only, to be looked up with files.info."""
    return [{"id": file_id, "file_access": "check_file_info"} for file_id in file_ids]
