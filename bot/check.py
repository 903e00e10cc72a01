"""`python -m bot check`: settings, Slack, OpenAI and the database, in words a Slack admin reads.

Never prints a secret. Exit 0 when everything needed works, 1 otherwise (warnings do not fail).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.process import clients
from bot.slack.scopes import REQUIRED_SCOPES
from storage.schema import schema_state

OK, WARN, FAIL = "ok", "warning", "FAILED"


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
    client = clients.slack_client(settings)
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
    defaults = {
        "chat (OPENAI_CHAT_MODEL)": settings.openai_chat_model,
        "vision (OPENAI_VISION_MODEL)": settings.openai_vision_model,
        "images (OPENAI_IMAGE_MODEL)": settings.openai_image_model,
        "speech (OPENAI_SPEECH_MODEL)": settings.openai_speech_model,
        "transcription (OPENAI_TRANSCRIPTION_MODEL)": settings.openai_transcription_model,
        "translation (OPENAI_TRANSLATION_MODEL)": settings.openai_translation_model,
    }
    today = date.today().isoformat()
    for action, name in defaults.items():
        model = available.get(name)
        if model is None:
            lines.append(Line(WARN, f"Model for {action}", f"{name} is not offered to this key"))
            continue
        shutdown = model.shutdown_date
        if shutdown and str(shutdown) <= today:
            lines.append(Line(FAIL, f"Model for {action}", f"{name} was shut down on {shutdown}"))
        elif shutdown:
            lines.append(Line(WARN, f"Model for {action}", f"{name} works, but shuts down on {shutdown}"))
        else:
            lines.append(Line(OK, f"Model for {action}", name))
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
