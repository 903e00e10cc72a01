"""`python -m bot check`: settings, Slack, OpenAI and the database, in words a Slack admin reads.

Never prints a secret. Exit 0 when everything needed works, 1 otherwise (warnings do not fail).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.openai_models.catalog import ModelCatalog
from bot.openai_models.lifecycle import ACTIONS, AZURE_UNSUPPORTED, HOW, SETTINGS, Action, successor
from bot.process import clients
from bot.rate_limits.budget import Budget
from bot.slack.scopes import REQUIRED_SCOPES
from storage.schema import schema_state

OK, WARN, FAIL = "ok", "warning", "FAILED"
WARN_DAYS = 30  # a shutdown this close is a warning


@dataclass
class Line:
    status: str
    subject: str
    detail: str

    def render(self) -> str:
        mark = {OK: "[ok]  ", WARN: "[warn]", FAIL: "[FAIL]"}[self.status]
        return f"{mark} {self.subject}: {self.detail}"


def check(settings: Settings) -> int:
    lines = asyncio.run(_check(settings))
    print("OpenAI for Slack: configuration check")
    for line in lines:
        print("  " + line.render())
    failed = any(line.status == FAIL for line in lines)
    print("Result: " + ("something needs fixing (see above)." if failed else "ready to serve."))
    return 1 if failed else 0


async def _check(settings: Settings) -> list[Line]:
    mode = "Socket Mode (SLACK_APP_TOKEN set)" if settings.slack_app_token else "HTTP mode"
    lines = [Line(OK, "Settings", f"valid; the bot will start in {mode}")]
    if not settings.slack_app_token and not settings.slack_signing_secret:
        lines.append(Line(FAIL, "Settings", "HTTP mode needs SLACK_SIGNING_SECRET"))
    slack, database, models = await asyncio.gather(
        _check_slack(settings), _check_database(settings), _check_openai(settings)
    )
    return [*lines, *slack, *models, *database]


async def _check_slack(settings: Settings) -> list[Line]:
    if settings.distributed:  # many workspaces (issue 14): there is no one token to test
        return [Line(OK, "Slack", "OAuth distribution: each workspace's own token is used for it")]
    client = clients.slack_client(settings, Budget())
    try:
        response = await client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error", "error")
        return [Line(FAIL, "Slack", f"auth.test answered {error!r}: check SLACK_BOT_TOKEN and SLACK_API_URL")]
    except Exception as exc:
        return [Line(FAIL, "Slack", f"could not reach {settings.slack_api_base} ({type(exc).__name__})")]
    lines = [
        Line(
            OK,
            "Slack",
            f"connected to workspace {response.get('team')!r} ({response.get('team_id')}) "
            f"as @{response.get('user')} ({response.get('user_id')})",
        )
    ]
    granted = {s.strip() for s in (response.headers.get("x-oauth-scopes") or "").split(",") if s.strip()}
    missing = sorted(set(REQUIRED_SCOPES) - granted) if granted else []
    if missing:
        lines.append(
            Line(
                WARN,
                "Slack scopes",
                "missing " + ", ".join(missing) + ": reinstall the app from manifest.yml",
            )
        )
    elif granted:
        lines.append(Line(OK, "Slack scopes", f"all {len(REQUIRED_SCOPES)} scopes the bot uses are granted"))
    return lines


async def _check_openai(settings: Settings) -> list[Line]:
    client = clients.openai_client(settings)
    where = settings.openai_base_url or "api.openai.com"
    try:
        page = await client.with_options(max_retries=0, timeout=20).models.list()
        available = {model.id: model for model in page.data}
    except Exception as exc:
        status = getattr(exc, "status_code", None)
        reason = f"HTTP {status}" if status else type(exc).__name__
        hint = " (check OPENAI_API_KEY)" if status == 401 else ""
        return [Line(FAIL, "OpenAI", f"could not list models at {where}: {reason}{hint}")]
    finally:
        await client.close()
    lines = [Line(OK, "OpenAI", f"key accepted at {where}; {len(available)} models available")]
    if settings.azure:
        return [*lines, *_azure_lines(settings)]
    catalog = ModelCatalog(client)
    catalog.load(page.data)
    return [*lines, *(_model_line(settings, catalog, action) for action in ACTIONS)]


def _model_line(settings: Settings, catalog: ModelCatalog, action: Action, on: date | None = None) -> Line:
    """One model: its shutdown date, a warning 30 days ahead, and what the bot uses after it."""
    today = on or date.today()
    name, source = settings.model_for(action), settings.model_source(action)
    subject = f"Model for {action} ({SETTINGS[action]}, {'default' if source == 'default' else 'set'})"
    listed = catalog.listed(name)
    if listed is None:
        return Line(WARN, subject, f"{name} is not offered to this key")
    if not listed.shutdown_date:
        return Line(OK, subject, f"{name} (no shutdown date announced)")
    shutdown = listed.shutdown_date
    days = (date.fromisoformat(shutdown[:10]) - today).days
    after = successor(catalog, action, name, on=shutdown)
    how = f", {HOW[action]}" if action in HOW else ""
    if source == "default":
        then = f"the bot then uses {after}{how}" if after else f"no successor is left: set {SETTINGS[action]}"
    else:
        then = f"change {SETTINGS[action]} before then" + (f", e.g. to {after}" if after else "")
    if days <= 0:
        if source == "default" and after:
            return Line(
                WARN, subject, f"{name} was shut down on {shutdown}; the bot uses {after} instead{how}"
            )
        return Line(FAIL, subject, f"{name} was shut down on {shutdown}: {then}")
    status = WARN if days <= WARN_DAYS else OK
    return Line(status, subject, f"{name} shuts down on {shutdown} (in {days} days); {then}")


def _azure_lines(settings: Settings) -> list[Line]:
    lines = [
        Line(
            OK,
            "Azure OpenAI",
            f"endpoint {settings.azure_openai_endpoint}, API version {settings.openai_api_version}; "
            "model settings name deployments, which the bot never replaces",
        )
    ]
    for action in ACTIONS:
        lines.append(Line(OK, f"Deployment for {action} ({SETTINGS[action]})", settings.model_for(action)))
    lines.append(Line(WARN, "Azure OpenAI", AZURE_UNSUPPORTED))
    return lines


async def _check_database(settings: Settings) -> list[Line]:
    state = await schema_state(settings.database_url)
    if not state.reachable:
        return [Line(FAIL, "Database", f"could not open the {state.kind} database ({state.error})")]
    if state.up_to_date:
        return [Line(OK, "Database", f"{state.kind} answers; migrations are up to date ({state.head})")]
    return [
        Line(
            WARN,
            "Database",
            f"{state.kind} answers; migrations at {state.current or 'none'}, latest is {state.head} "
            "(`python -m bot serve` applies them, or run `python -m bot migrate`)",
        )
    ]
