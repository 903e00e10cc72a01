"""Command line: `python -m bot serve|migrate|check`; a bad setting is exit status 2 and one line."""

from __future__ import annotations

import argparse
import os
import sys

from bot import log
from bot.check import check
from bot.config import Settings, SettingsError, load_settings
from bot.serve import serve
from storage.migrate import upgrade


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="OpenAI for Slack")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve", help="run the bot (Socket Mode when SLACK_APP_TOKEN is set, else HTTP)"
    )
    serve.add_argument("--mode", choices=["http", "socket"], help="force a transport")
    serve.add_argument("--port", type=int, default=None, help="HTTP port (default $PORT, else 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="HTTP host (default 0.0.0.0)")
    commands.add_parser("migrate", help="apply the database migrations")
    commands.add_parser("check", help="check settings, Slack, OpenAI and the database; print a report")
    return parser


def _port(value: int | None) -> int:
    if value is not None:
        return value
    raw = os.environ.get("PORT", "3000")
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SettingsError("PORT is malformed: set it to a TCP port number such as 3000.")
    return int(raw)


def _mode(settings: Settings, forced: str | None) -> str:
    mode = forced or ("socket" if settings.slack_app_token else "http")
    if mode == "http":
        settings.require_http_mode()
    else:
        settings.require_socket_mode()
    return mode


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        log.setup(settings.log_level)
        if args.command == "serve":
            mode, port = _mode(settings, args.mode), _port(args.port)
            return serve(settings, mode=mode, host=args.host, port=port)
        if args.command == "migrate":
            upgrade(settings.database_url)
            print("Database is up to date.")
            return 0
        return check(settings)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
