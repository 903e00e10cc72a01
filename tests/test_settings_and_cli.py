"""Settings errors stop the bot with exit 2 and one line; `check` reports without secrets."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from tests.fakes.openai_api import FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support.bot_process import clean_environ


async def run_bot(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, output.decode()


VALID = {
    "SLACK_BOT_TOKEN": "xoxb-1-valid",
    "SLACK_SIGNING_SECRET": "secret",
    "OPENAI_API_KEY": "sk-test-key",
}


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, "OPENAI_API_KEY"),
        ({**VALID, "SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN"),
        ({**VALID, "SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET"),
        ({**VALID, "SLACK_APP_TOKEN": "not-an-app-token"}, "SLACK_APP_TOKEN"),
        ({**VALID, "DATABASE_URL": "mysql://nope"}, "DATABASE_URL"),
        ({**VALID, "WORKER_CONCURRENCY": "many"}, "WORKER_CONCURRENCY"),
        ({**VALID, "SLACK_API_URL": "ftp://slack"}, "SLACK_API_URL"),
        ({**VALID, "PORT": "http"}, "PORT"),
    ],
)
async def test_a_missing_or_malformed_setting_exits_2_with_one_line_naming_it(
    env: dict[str, str], variable: str, tmp_path: Path
) -> None:
    rc, output = await run_bot("serve", env={**clean_environ(), **env}, cwd=tmp_path)
    assert rc == 2
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert variable in lines[0]
    assert "Traceback" not in output
    assert "xoxb-1-valid" not in output and "sk-test-key" not in output


async def test_socket_mode_forced_without_an_app_token_names_it(tmp_path: Path) -> None:
    rc, output = await run_bot("serve", "--mode", "socket", env={**clean_environ(), **VALID}, cwd=tmp_path)
    assert rc == 2 and "SLACK_APP_TOKEN" in output


async def test_migrate_creates_the_database_under_data(tmp_path: Path) -> None:
    rc, output = await run_bot("migrate", env={**clean_environ(), **VALID}, cwd=tmp_path)
    assert rc == 0, output
    assert (tmp_path / "data" / "bot.db").exists()


async def test_check_reports_everything_without_a_secret(
    slack: FakeSlack, openai_api: FakeOpenAI, bot_env: dict[str, str], tmp_path: Path
) -> None:
    rc, output = await run_bot("check", env=bot_env, cwd=tmp_path)
    assert rc == 0, output
    assert "connected to workspace" in output and "T0TEST" in output
    assert "models available" in output
    assert "gpt-6-luna" in output
    assert "ready to serve" in output
    assert slack.bot_token not in output and openai_api.api_key not in output
    assert bot_env["SLACK_SIGNING_SECRET"] not in output
    assert slack.calls_to("auth.test")
    assert openai_api.requests_to("/v1/models")


async def test_check_fails_with_a_rejected_openai_key(
    slack: FakeSlack, openai_api: FakeOpenAI, bot_env: dict[str, str], tmp_path: Path
) -> None:
    rc, output = await run_bot("check", env={**bot_env, "OPENAI_API_KEY": "sk-wrong-key"}, cwd=tmp_path)
    assert rc == 1
    assert "OPENAI_API_KEY" in output and "401" in output
    assert "sk-wrong-key" not in output


async def test_check_fails_with_a_rejected_slack_token(
    slack: FakeSlack, openai_api: FakeOpenAI, bot_env: dict[str, str], tmp_path: Path
) -> None:
    rc, output = await run_bot("check", env={**bot_env, "SLACK_BOT_TOKEN": "xoxb-revoked"}, cwd=tmp_path)
    assert rc == 1
    assert "invalid_auth" in output and "SLACK_BOT_TOKEN" in output
    assert "xoxb-revoked" not in output
