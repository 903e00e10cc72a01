"""Many workspaces: installed with OAuth, each workspace's calls with its own token, uninstall
stops a workspace cold, and the database never holds a token in plain text."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp
import pytest
from cryptography.fernet import Fernet

from bot.slack.scopes import REQUIRED_SCOPES
from tests.fakes.openai_api import ChatReply, FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess

ENCRYPTION_KEY = Fernet.generate_key().decode()


@pytest.fixture
def oauth_env(bot_env: dict[str, str], slack: FakeSlack) -> dict[str, str]:
    env = dict(bot_env)
    del env["SLACK_BOT_TOKEN"]
    env.update(
        {
            "SLACK_CLIENT_ID": slack.client_id,
            "SLACK_CLIENT_SECRET": slack.client_secret,
            "ENCRYPTION_KEY": ENCRYPTION_KEY,
        }
    )
    return env


@pytest.fixture
async def oauth_bot(start_bot: Callable[..., Any], oauth_env: dict[str, str]) -> BotProcess:
    return await start_bot(**{**oauth_env, "SLACK_BOT_TOKEN": ""})  # type: ignore[no-any-return]


class Browser:
    """A person's browser: it keeps the state cookie the install page sets."""

    def __init__(self, bot: BotProcess) -> None:
        self.bot = bot
        self.cookie: str | None = None

    async def get(self, path: str, query: dict[str, str] | None = None) -> tuple[int, str, Any]:
        url = self.bot.url + path + ("?" + urlencode(query) if query else "")
        headers = {"Cookie": self.cookie} if self.cookie else {}
        async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
            for value in response.headers.getall("Set-Cookie", []):
                self.cookie = value.split(";", 1)[0]
            return response.status, await response.text(), response.headers

    async def install_link(self) -> dict[str, list[str]]:
        status, page, headers = await self.get("/slack/install")
        assert status == 200, page
        assert headers["Content-Type"].startswith("text/html")
        href = page.split('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        assert href.startswith("https://slack.com/oauth/v2/authorize?")
        return parse_qs(urlsplit(href).query)

    async def install(self, slack: FakeSlack, team_id: str) -> tuple[int, str]:
        link = await self.install_link()
        status, page, _ = await self.get(
            "/slack/oauth_redirect", {"code": slack.oauth_code(team_id), "state": link["state"][0]}
        )
        return status, page


def database_file(env: dict[str, str]) -> Path:
    return Path(env["DATABASE_URL"].removeprefix("sqlite+aiosqlite:///"))


def installed_teams(env: dict[str, str]) -> list[str]:
    with sqlite3.connect(database_file(env)) as connection:
        return [row[0] for row in connection.execute("SELECT team_id FROM slack_installations")]


def mention_in(slack: FakeSlack, team_id: str, channel: str, text: str, **kwargs: Any) -> dict[str, Any]:
    event = payloads.mention(text, channel=channel, **kwargs)
    event["team"] = team_id
    event["text"] = f"<@{slack.workspace(team_id).bot_user_id}> {text}"
    body = payloads.event_callback(event, team=team_id)
    body["authorizations"][0]["user_id"] = slack.workspace(team_id).bot_user_id
    return body


async def test_two_workspaces_installed_each_answered_with_its_own_token(
    oauth_bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI, oauth_env: dict[str, str]
) -> None:
    alpha, beta = slack.add_workspace("TALPHA", "Alpha Inc"), slack.add_workspace("TBETA", "Beta & Co")
    browser = Browser(oauth_bot)

    link = await browser.install_link()
    assert link["client_id"] == [slack.client_id]
    assert set(link["scope"][0].split(",")) == set(REQUIRED_SCOPES)
    status, page = await browser.install(slack, "TALPHA")
    assert status == 200 and "Alpha Inc" in page and '<html lang="en">' in page
    status, page = await Browser(oauth_bot).install(slack, "TBETA")
    assert status == 200 and "Beta &amp; Co" in page
    assert sorted(installed_teams(oauth_env)) == ["TALPHA", "TBETA"]

    openai_api.queue_chat(ChatReply(chunks=["Hello Alpha"]), ChatReply(chunks=["Hello Beta"]))
    first = mention_in(slack, "TALPHA", "CALPHA", "hi from alpha")
    second = mention_in(slack, "TBETA", "CBETA", "hi from beta")
    assert (await oauth_bot.send_event(first))[0] == 200
    assert (await oauth_bot.send_event(second))[0] == 200
    await slack.wait_thread_messages("CALPHA", first["event"]["ts"])
    await slack.wait_thread_messages("CBETA", second["event"]["ts"])
    await asyncio.sleep(0.3)  # the streams' last calls

    for channel, workspace in (("CALPHA", alpha), ("CBETA", beta)):
        calls = [c for c in slack.calls if c.args.get("channel") == channel]
        assert calls and {c.token for c in calls} == {workspace.bot_token}
    assert not [c for c in slack.calls if c.token == slack.bot_token]
    [start] = [c for c in slack.calls_to("chat.startStream") if c.args["channel"] == "CBETA"]
    assert start.args["recipient_team_id"] == "TBETA"

    # The database holds the tokens encrypted only.
    stored = b"".join(p.read_bytes() for p in database_file(oauth_env).parent.glob("bot.db*"))
    assert b"TALPHA" in stored
    for workspace in (alpha, beta):
        assert workspace.bot_token.encode() not in stored


async def test_bad_reused_or_expired_state_and_failed_exchange_store_nothing(
    oauth_bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI, oauth_env: dict[str, str]
) -> None:
    slack.add_workspace("TALPHA", "Alpha Inc")
    browser = Browser(oauth_bot)

    status, page, _ = await browser.get("/slack/oauth_redirect", {"code": slack.oauth_code("TALPHA")})
    assert status == 400 and "Nothing was installed" in page  # no state at all
    link = await browser.install_link()
    status, _, _ = await browser.get(
        "/slack/oauth_redirect", {"code": slack.oauth_code("TALPHA"), "state": "made-up"}
    )
    assert 400 <= status < 500
    browser.cookie = "slack-app-oauth-state=made-up"  # even with a cookie to match, it is unknown
    status, _, _ = await browser.get(
        "/slack/oauth_redirect", {"code": slack.oauth_code("TALPHA"), "state": "made-up"}
    )
    assert 400 <= status < 500

    # A code Slack refuses: nothing stored, and the state is used up.
    link = await browser.install_link()
    state = link["state"][0]
    status, page, _ = await browser.get("/slack/oauth_redirect", {"code": "not-a-code", "state": state})
    assert status == 401 and "did not accept" in page
    status, page, _ = await browser.get(
        "/slack/oauth_redirect", {"code": slack.oauth_code("TALPHA"), "state": state}
    )
    assert status == 401 and "already been used" in page

    # An expired state.
    link = await browser.install_link()
    with sqlite3.connect(database_file(oauth_env)) as connection:
        connection.execute("UPDATE oauth_states SET expires_at = 0")
    status, _, _ = await browser.get(
        "/slack/oauth_redirect", {"code": slack.oauth_code("TALPHA"), "state": link["state"][0]}
    )
    assert status == 401
    assert installed_teams(oauth_env) == []

    # Events from a workspace that is not installed are acknowledged and do nothing.
    status, _ = await oauth_bot.send_event(mention_in(slack, "TALPHA", "CALPHA", "hello?"))
    assert status == 200
    await asyncio.sleep(1.0)
    assert not openai_api.requests_to("/v1/chat/completions")
    assert not [c for c in slack.calls if c.method.startswith("chat.")]


async def test_uninstall_stops_a_workspace_cold(
    oauth_bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI, oauth_env: dict[str, str]
) -> None:
    alpha = slack.add_workspace("TALPHA", "Alpha Inc")
    slack.add_workspace("TBETA", "Beta Co")
    assert (await Browser(oauth_bot).install(slack, "TALPHA"))[0] == 200
    assert (await Browser(oauth_bot).install(slack, "TBETA"))[0] == 200

    # A slow answer holds the thread; a follow-up waits queued behind it.
    openai_api.queue_chat(ChatReply(chunks=["one ", "two ", "three"], chunk_delay=0.7))
    first = mention_in(slack, "TALPHA", "CALPHA", "count slowly")
    await oauth_bot.send_event(first)
    await slack.wait_for("chat.startStream")
    follow_up = mention_in(slack, "TALPHA", "CALPHA", "and again", thread_ts=first["event"]["ts"])
    await oauth_bot.send_event(follow_up)

    uninstalled = payloads.event_callback({"type": "app_uninstalled"}, team="TALPHA")
    slack.uninstall("TALPHA")
    assert (await oauth_bot.send_event(uninstalled))[0] == 200
    await slack.wait_until(lambda: installed_teams(oauth_env) == ["TBETA"], what="installation deleted")
    await slack.wait_until(
        lambda: "not installed; dropped" in oauth_bot.log, timeout=15, what="follow-up dropped"
    )
    calls_after = len(slack.calls_by_team("TALPHA"))

    # Later events: acknowledged, nothing sent anywhere.
    later = mention_in(slack, "TALPHA", "CALPHA", "still there?")
    assert (await oauth_bot.send_event(later))[0] == 200
    await asyncio.sleep(1.0)
    assert len(openai_api.requests_to("/v1/chat/completions")) == 1
    assert len(slack.calls_by_team("TALPHA")) == calls_after
    assert not [c for c in slack.calls if c.args.get("thread_ts") == later["event"]["ts"]]
    assert alpha.bot_token in slack.revoked_tokens

    # The other workspace is still served.
    openai_api.queue_chat(ChatReply(chunks=["Beta here"]))
    beta = mention_in(slack, "TBETA", "CBETA", "hi")
    await oauth_bot.send_event(beta)
    [answer] = await slack.wait_thread_messages("CBETA", beta["event"]["ts"])
    assert answer.visible_text == "Beta here"


async def test_distribution_needs_an_encryption_key(
    start_bot: Callable[..., Any], oauth_env: dict[str, str]
) -> None:
    bot = await start_bot(
        "serve", wait_ready=False, **{**oauth_env, "SLACK_BOT_TOKEN": "", "ENCRYPTION_KEY": ""}
    )
    assert await bot.wait_exit() == 2
    assert "ENCRYPTION_KEY is missing" in bot.log


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_two_replicas_two_workspaces_retries_included_one_answer_each_with_its_token(
    start_bot: Callable[..., Any], slack: FakeSlack, openai_api: FakeOpenAI, oauth_env: dict[str, str]
) -> None:
    env = {**oauth_env, "SLACK_BOT_TOKEN": ""}
    first, second = await start_bot(**env), await start_bot(**env)
    tokens = {
        "TALPHA": slack.add_workspace("TALPHA", "Alpha Inc").bot_token,
        "TBETA": slack.add_workspace("TBETA", "Beta Co").bot_token,
    }
    # Installed through one replica, used through both.
    assert (await Browser(first).install(slack, "TALPHA"))[0] == 200
    assert (await Browser(second).install(slack, "TBETA"))[0] == 200

    questions = []
    for i in range(8):
        team = "TALPHA" if i % 2 else "TBETA"
        openai_api.queue_chat(ChatReply(chunks=["an answer"]))
        body = mention_in(slack, team, f"C{team}", f"question {i}")
        questions.append((team, body))
    sends = []
    for i, (_, body) in enumerate(questions):
        here, there = (first, second) if i % 2 else (second, first)
        sends.append(here.send_event(body))
        sends.append(there.send_event(body, retry_num=1))  # Slack's retry lands on the other replica
    assert all(status == 200 for status, _ in await asyncio.gather(*sends))

    for team, body in questions:
        replies = await slack.wait_thread_messages(f"C{team}", body["event"]["ts"])
        assert [r.visible_text for r in replies] == ["an answer"]
    await asyncio.sleep(1.0)  # a duplicate would have been answered by now
    assert len(openai_api.requests_to("/v1/chat/completions")) == len(questions)
    for team, body in questions:
        assert len(slack.thread_messages(f"C{team}", body["event"]["ts"])) == 1
        calls = [c for c in slack.calls if c.args.get("channel") == f"C{team}"]
        assert {c.token for c in calls} == {tokens[team]}


async def test_an_org_wide_enterprise_install_is_refused_with_a_page_and_stores_nothing(
    oauth_bot: BotProcess, slack: FakeSlack, oauth_env: dict[str, str]
) -> None:
    grid = slack.add_workspace("TGRID", "Grid Workspace")
    browser = Browser(oauth_bot)
    link = await browser.install_link()
    status, page, headers = await browser.get(
        "/slack/oauth_redirect", {"code": slack.oauth_code("TGRID", org_wide=True), "state": link["state"][0]}
    )
    assert status == 403 and headers["Content-Type"].startswith("text/html")
    assert '<html lang="en">' in page and "<h1>Not installed</h1>" in page
    assert "whole Enterprise Grid organization is not supported" in page and "each workspace" in page
    assert installed_teams(oauth_env) == []
    assert grid.bot_token in slack.revoked_tokens  # the token Slack granted is not kept anywhere
    stored = b"".join(p.read_bytes() for p in database_file(oauth_env).parent.glob("bot.db*"))
    assert grid.bot_token.encode() not in stored

    # The same workspace, installed on its own, works.
    status, page = await Browser(oauth_bot).install(slack, "TGRID")
    assert status == 200 and "Grid Workspace" in page
    assert installed_teams(oauth_env) == ["TGRID"]
