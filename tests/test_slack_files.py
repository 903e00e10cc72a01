"""Where the bot token may go, and where downloads are sent (pure)."""

from __future__ import annotations

from bot.downloads.slack import _follow_api_host, _token_may_go_to
from bot.slack.files import file_ids_in


def test_the_token_goes_only_to_slack_or_to_the_configured_api_host() -> None:
    api = "https://slack.com/api/"
    assert _token_may_go_to("https://files.slack.com/files-pri/T1-F1/x.mp3", api)
    assert not _token_may_go_to("https://evil.example/files-pri/T1-F1/x.mp3", api)
    assert not _token_may_go_to("https://files.slack.com.evil.example/x", api)
    assert _token_may_go_to("http://127.0.0.1:9999/files-pri/x", "http://127.0.0.1:9999/api/")


def test_downloads_follow_a_non_slack_api_host() -> None:
    fake = "http://127.0.0.1:9999/api/"
    assert _follow_api_host("https://files.slack.com/files-pri/T1-F1/x.mp3", fake) == (
        "http://127.0.0.1:9999/files-pri/T1-F1/x.mp3"
    )
    assert (
        _follow_api_host("https://files.slack.com/a", "https://slack.com/api/") == "https://files.slack.com/a"
    )
    assert _follow_api_host("https://other.example/a", fake) == "https://other.example/a"


def test_file_ids_come_from_links_and_bare_ids() -> None:
    text = "see https://acme.slack.com/files/U012AB/F0ABCDEF12/notes.m4a and F0XYZ98765"
    assert file_ids_in(text) == ["F0ABCDEF12", "F0XYZ98765"]
