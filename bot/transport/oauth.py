"""OAuth distribution: Bolt's OAuth flow, with our stores and plain, accessible HTML pages.

`GET /slack/install` shows an "Add to Slack" link (a fresh single-use `state`, also set as a
cookie so the callback must come back to the same browser); `GET /slack/oauth_redirect` exchanges
the code with oauth.v2.access at SLACK_API_URL and stores the installation. Any failure answers a
4xx page and stores nothing. An Enterprise Grid org-wide install is not supported: its token is
revoked at once and the page says to install into each workspace instead.
"""

from __future__ import annotations

import contextlib
import html
import logging

from slack_bolt.error import BoltError
from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions, AsyncFailureArgs, AsyncSuccessArgs
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.web.async_client import AsyncWebClient

from bot.process.runtime import Runtime
from bot.slack.scopes import REQUIRED_SCOPES
from storage.installations import OAuthStateStore

log = logging.getLogger(__name__)

STATE_SECONDS = 600
HTML = "text/html; charset=utf-8"

FAILURES = {
    "invalid_browser": "The installation link was not started from this browser, or it has expired.",
    "invalid_state": "This installation link has expired or has already been used.",
    "missing_code": "Slack sent no authorization code.",
    "invalid_code": "Slack did not accept the authorization code, so nothing was installed.",
    "storage_error": "The installation could not be saved.",
    "access_denied": "The installation was cancelled in Slack.",
}
ORG_WIDE = (
    "Installing the bot for a whole Enterprise Grid organization is not supported. Nothing was "
    "installed: install it into each workspace of the organization instead (choose a workspace, not "
    "the organization, when Slack asks where to install)."
)


class OrgWideInstall(BoltError):
    """An Enterprise Grid org-wide install: refused, nothing stored."""


def page(title: str, body: str) -> str:
    """A complete, plain HTML page: a language, a title, one heading, readable without styles."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n<main>\n"
        f"<h1>{html.escape(title)}</h1>\n{body}\n</main>\n</body>\n</html>\n"
    )


def install_page(url: str) -> str:
    return page(
        "Install OpenAI for Slack",
        "<p>Add the bot to your Slack workspace. Slack will ask you to choose the workspace and "
        "to allow what the bot needs.</p>\n"
        f'<p><a href="{html.escape(url, quote=True)}">Add to Slack</a></p>\n'
        "<p>The link works once and for 10 minutes; reload this page for a new one.</p>",
    )


class OAuthFlow(AsyncOAuthFlow):
    async def build_install_page_html(self, url: str, request: AsyncBoltRequest) -> str:
        return install_page(url)

    async def store_installation(self, request: AsyncBoltRequest, installation: Installation) -> None:
        if installation.is_enterprise_install or not installation.team_id:
            log.info("refused an org-wide install into enterprise %s", installation.enterprise_id)
            if installation.bot_token:  # revoked at once: no token for the organization lingers
                with contextlib.suppress(SlackApiError):
                    await self.client.auth_revoke(token=installation.bot_token)
            raise OrgWideInstall("org-wide installs are not supported")
        await super().store_installation(request, installation)


async def _success(args: AsyncSuccessArgs) -> BoltResponse:
    team = args.installation.team_name or args.installation.team_id or "your workspace"
    log.info("installed into workspace %s", args.installation.team_id)
    body = (
        f"<p>OpenAI for Slack is now installed in <strong>{html.escape(team)}</strong>.</p>\n"
        "<p>Mention the bot in a channel, or send it a direct message, to start.</p>"
    )
    return BoltResponse(status=200, body=page("Installed", body), headers={"Content-Type": HTML})


async def _failure(args: AsyncFailureArgs) -> BoltResponse:
    reason = FAILURES.get(args.reason, "The installation did not complete.")
    log.info("an installation failed: %s", args.reason)
    status = args.suggested_status_code if 400 <= args.suggested_status_code < 500 else 400
    if isinstance(args.error, OrgWideInstall):
        link = '<p><a href="/slack/install">Install into a workspace</a>.</p>'
        body = f"<p>{html.escape(ORG_WIDE)}</p>\n{link}"
        return BoltResponse(status=403, body=page("Not installed", body), headers={"Content-Type": HTML})
    if args.reason == "storage_error":
        status = 500
    body = (
        f'<p>{html.escape(reason)}</p>\n<p>Nothing was installed. <a href="/slack/install">Try again</a>.</p>'
    )
    return BoltResponse(status=status, body=page("Installation failed", body), headers={"Content-Type": HTML})


def build_oauth_flow(runtime: Runtime) -> OAuthFlow | None:
    """The OAuth flow when SLACK_CLIENT_ID is set (many workspaces), else None."""
    settings, workspaces = runtime.settings, runtime.workspaces
    if workspaces is None or settings.slack_client_id is None or settings.slack_client_secret is None:
        return None
    oauth_settings = AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=sorted(REQUIRED_SCOPES),
        user_scopes=[],
        authorization_url=settings.slack_oauth_authorize_url,
        installation_store=workspaces.store,
        installation_store_bot_only=True,
        state_store=OAuthStateStore(runtime.db, STATE_SECONDS),
        state_expiration_seconds=STATE_SECONDS,
        callback_options=AsyncCallbackOptions(success=_success, failure=_failure),
        logger=logging.getLogger("slack_bolt.oauth"),
    )
    # oauth.v2.access (and the auth.test after it) go to SLACK_API_URL, like every Slack call.
    client = AsyncWebClient(base_url=settings.slack_api_base, session=runtime.slack.session)
    return OAuthFlow(client=client, settings=oauth_settings)
