"""`python -m bot check`: settings, Slack, OpenAI and the database, in words a Slack admin reads.

Never prints a secret. Exit 0 when everything needed works, 1 otherwise (warnings do not fail).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.openai_models.catalog import ModelCatalog
from bot.openai_models.lifecycle import (
    ACTIONS,
    AZURE_UNSUPPORTED,
    HOW,
    SETTINGS,
    SPEECH_SHUTDOWN,
    Action,
    azure_speech_note,
    successor,
)
from bot.process import clients
from bot.rate_limits.budget import Budget
from bot.slack.scopes import REQUIRED_SCOPES
from handlers.realtime_speech import is_realtime_model
from storage.assistants import AssistantRecord, AssistantStore
from storage.configured_models import workspace_models
from storage.db import Database
from storage.schema import SchemaState, schema_state

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
    slack, (database, state), (models, catalog) = await asyncio.gather(
        _check_slack(settings), _check_database(settings), _check_openai(settings)
    )
    assistants: list[Line] = []
    if catalog is not None and state.up_to_date:
        assistants = await _assistant_lines(settings, catalog)
    return [*lines, *slack, *models, *assistants, *database]


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


async def _check_openai(settings: Settings) -> tuple[list[Line], ModelCatalog | None]:
    """The key, the model list, and each action's model with its date; the catalog read (None on
    Azure, whose deployments carry no dates, or when the list could not be read)."""
    client = clients.openai_client(settings)
    where = settings.openai_base_url or "api.openai.com"
    try:
        page = await client.with_options(max_retries=0, timeout=20).models.list()
        available = {model.id: model for model in page.data}
    except Exception as exc:
        status = getattr(exc, "status_code", None)
        reason = f"HTTP {status}" if status else type(exc).__name__
        hint = " (check OPENAI_API_KEY)" if status == 401 else ""
        return [Line(FAIL, "OpenAI", f"could not list models at {where}: {reason}{hint}")], None
    finally:
        await client.close()
    lines = [Line(OK, "OpenAI", f"key accepted at {where}; {len(available)} models available")]
    if settings.azure:
        return [*lines, *_azure_lines(settings)], None
    catalog = ModelCatalog(client)
    catalog.load(page.data)
    return [*lines, *(_model_line(settings, catalog, action) for action in ACTIONS)], catalog


NOT_OFFERED = " is not offered to this key"
NO_DATE = " (no shutdown date announced)"


def _dates(
    catalog: ModelCatalog, action: Action, name: str, today: date
) -> tuple[str, int, str | None] | str:
    """(shutdown date, days left, what follows it), or why there is none (NOT_OFFERED, NO_DATE)."""
    listed = catalog.listed(name)
    if listed is None:
        return NOT_OFFERED
    if not listed.shutdown_date:
        return NO_DATE
    shutdown = listed.shutdown_date
    days = (date.fromisoformat(shutdown[:10]) - today).days
    return shutdown, days, successor(catalog, action, name, on=shutdown)


def _model_line(settings: Settings, catalog: ModelCatalog, action: Action, on: date | None = None) -> Line:
    """One model: its shutdown date, a warning 30 days ahead, and what the bot uses after it."""
    today = on or date.today()
    name, source = settings.model_for(action), settings.model_source(action)
    subject = f"Model for {action} ({SETTINGS[action]}, {'default' if source == 'default' else 'set'})"
    found = _dates(catalog, action, name, today)
    if isinstance(found, str):
        return Line(WARN if found == NOT_OFFERED else OK, subject, f"{name}{found}")
    shutdown, days, after = found
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


async def _assistant_lines(settings: Settings, catalog: ModelCatalog) -> list[Line]:
    """The models stored in the database, with their dates: each workspace's own default models
    (`/openai model`) and every assistant's own model (`/assistant`)."""
    db = Database(settings.database_url)
    try:
        assistants = await AssistantStore(db).everywhere()
        chosen = await workspace_models(db)
    except Exception as exc:  # the database line says what is wrong with the database itself
        return [Line(WARN, "Assistants", f"could not be read ({type(exc).__name__})")]
    finally:
        await db.close()
    lines = [_workspace_line(catalog, team, action, model) for team, action, model in chosen]
    return [*lines, *(_assistant_line(catalog, assistant) for assistant in assistants)]


def _workspace_line(catalog: ModelCatalog, team: str, action: str, model: str) -> Line:
    """A workspace's own model for an action (`/openai model`): set, so never swapped."""
    if action not in SETTINGS:
        return Line(WARN, f"Model for {action} in workspace {team}", f"{model}: not an action the bot has")
    known: Action = next(a for a in ACTIONS if a == action)
    command = f"/openai model {action}"
    return _own_model_line(
        catalog, known, f"Model for {action} in workspace {team} (`/openai model`)", model,
        f"change it with `{command} …`", lambda after: f"`{command} {after}`",
        f"`{command} default` to follow the bot's",
    )  # fmt: skip


def _assistant_line(catalog: ModelCatalog, assistant: AssistantRecord) -> Line:
    """An assistant's own model: its date, and that it is never swapped (the fix is the admin's)."""
    subject = f"Assistant {assistant.name} (workspace {assistant.team_id})"
    if not assistant.model:
        return Line(
            OK, subject, "follows the default chat model (above), and its replacement after a shutdown"
        )
    return _own_model_line(
        catalog, "chat", subject, assistant.model,
        f"change it with `/assistant update {assistant.name} --model …`", lambda after: f"`--model {after}`",
        "`--model default` to follow the default chat model",
    )  # fmt: skip


def _own_model_line(
    catalog: ModelCatalog,
    action: Action,
    subject: str,
    name: str,
    change: str,
    example: Callable[[str], str],
    back: str,
    on: date | None = None,
) -> Line:
    """A model set in Slack (not a setting): its date, a warning 30 days ahead, and that the bot
    will NOT swap it. A shut-down one is a warning: the bot itself still serves."""
    found = _dates(catalog, action, name, on or date.today())
    if isinstance(found, str):
        suffix = f"; {change}" if found == NOT_OFFERED else ""
        return Line(WARN if found == NOT_OFFERED else OK, subject, f"model {name}{found}{suffix}")
    shutdown, days, after = found
    never = (
        f"it will NOT be swapped automatically: {change}"
        + (f" (e.g. {example(after)})" if after else "")
        + f", or {back}"
    )
    if days <= 0:
        return Line(WARN, subject, f"model {name} was shut down on {shutdown}, so it cannot answer; {never}")
    status = WARN if days <= WARN_DAYS else OK
    return Line(status, subject, f"model {name} shuts down on {shutdown} (in {days} days); {never}")


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
    speech = settings.model_for("speech")
    days = (date.fromisoformat(SPEECH_SHUTDOWN) - date.today()).days
    status = OK if is_realtime_model(speech) or days > WARN_DAYS else WARN
    lines.append(Line(status, "Speech on Azure", azure_speech_note(speech)))
    lines.append(Line(WARN, "Azure OpenAI", AZURE_UNSUPPORTED))
    return lines


async def _check_database(settings: Settings) -> tuple[list[Line], SchemaState]:
    state = await schema_state(settings.database_url)
    return _database_lines(state), state


def _database_lines(state: SchemaState) -> list[Line]:
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
