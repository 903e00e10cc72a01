"""The real bot, started as `python -m bot serve` in its own process, driven over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

from tests.support.signing import SIGNING_SECRET, signed_headers

# Settings the tests never inherit from the machine running them.
_OURS = (
    "SLACK_",
    "OPENAI_",
    "DATABASE_URL",
    "WORKER_",
    "JOB_",
    "SHUTDOWN_",
    "STREAM_",
    "UPDATE_",
    "LOG_LEVEL",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(_OURS) and k != "PORT"}


class BotProcess:
    def __init__(
        self, env: dict[str, str], cwd: Path, args: tuple[str, ...] = ("serve", "--mode", "http")
    ) -> None:
        self.env = env
        self.cwd = cwd
        self.args = args
        self.port = free_port()
        self.process: asyncio.subprocess.Process | None = None
        self.output: list[str] = []
        self._reader: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> str:
        return "\n".join(self.output)

    async def start(self, *, wait_ready: bool = True, timeout: float = 30.0) -> BotProcess:
        for _ in range(3):
            await self._launch()
            if not wait_ready:
                return self
            try:
                await self.wait_ready(timeout)
                return self
            except AssertionError:
                # Another test (or worker) took the free port between our look and the bot's bind.
                if "cannot listen on" not in self.log:
                    raise
                await self.wait_exit()
                self.port, self.output = free_port(), []
        raise AssertionError(f"the bot could not find a free port:\n{self.log}")

    def command(self) -> list[str]:
        """The program and its arguments (a subclass may run another app the same way)."""
        return [sys.executable, "-m", "bot", *self.args]

    async def _launch(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            *self.command(),
            "--port",
            str(self.port),
            "--host",
            "127.0.0.1",
            env=self.env,
            cwd=self.cwd,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self._reader = asyncio.create_task(self._read())
        if self._session is None:
            self._session = aiohttp.ClientSession()

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        async for line in self.process.stdout:
            self.output.append(line.decode(errors="replace").rstrip())

    async def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.returncode is not None:
                raise AssertionError(f"the bot exited with {self.process.returncode}:\n{self.log}")
            with contextlib.suppress(aiohttp.ClientError):
                status, _ = await self.get("/readyz")
                if status == 200:
                    return
            await asyncio.sleep(0.05)
        raise AssertionError(f"the bot did not become ready in {timeout}s:\n{self.log}")

    async def get(self, path: str) -> tuple[int, str]:
        assert self._session is not None
        async with self._session.get(self.url + path) as response:
            return response.status, await response.text()

    async def post(
        self,
        body: bytes,
        content_type: str,
        *,
        signed: bool = True,
        secret: str = SIGNING_SECRET,
        timestamp: int | None = None,
        retry_num: int | None = None,
    ) -> tuple[int, str]:
        assert self._session is not None
        headers = {"Content-Type": content_type}
        if signed:
            headers.update(signed_headers(body, secret=secret, timestamp=timestamp))
        if retry_num is not None:
            headers.update({"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"})
        async with self._session.post(self.url + "/slack/events", data=body, headers=headers) as response:
            return response.status, await response.text()

    async def send_event(self, payload: dict[str, Any], **kwargs: Any) -> tuple[int, str]:
        return await self.post(json.dumps(payload).encode(), "application/json", **kwargs)

    async def send_form(self, form: dict[str, str], **kwargs: Any) -> tuple[int, str]:
        return await self.post(urlencode(form).encode(), "application/x-www-form-urlencoded", **kwargs)

    async def signal(self, sig: int) -> None:
        assert self.process is not None
        self.process.send_signal(sig)

    async def wait_exit(self, timeout: float = 30.0) -> int:
        assert self.process is not None
        rc = await asyncio.wait_for(self.process.wait(), timeout)
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._reader, 5)
        return rc

    async def kill(self) -> None:
        await self.signal(signal.SIGKILL)
        await self.wait_exit()

    async def stop(self) -> int | None:
        rc = None
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                rc = await self.wait_exit(30)
            except TimeoutError:
                self.process.kill()
                rc = await self.wait_exit(10)
        elif self.process is not None:
            rc = self.process.returncode
        if self._session is not None:
            await self._session.close()
        return rc
