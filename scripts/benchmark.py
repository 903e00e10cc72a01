"""Load benchmark: N simultaneous mentions answered by the real bot against fake Slack and fake OpenAI.

Prints figures and asserts nothing. From the repository root, in the virtualenv:

    python scripts/benchmark.py [--mentions 200] [--first-delay 0.5] [--chunks 20] [--chunk-delay 0.05]

Everything runs on 127.0.0.1 with a SQLite database in a temporary directory. Times of Slack calls
are when this script first saw them in FakeSlack's record (polled every 5 ms, in the same event loop
as the fakes), measured from the moment each mention was sent.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes.openai_api import ChatReply, FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess, clean_environ
from tests.support.signing import SIGNING_SECRET

POLL_SECONDS = 0.005
SETTLE_SECONDS = 2.0  # kept watching after the last answer, so late duplicates are counted too


def bot_env(slack: FakeSlack, openai_api: FakeOpenAI, db_url: str, concurrency: int) -> dict[str, str]:
    """The environment the `bot_env` fixture of tests/conftest.py builds, with more workers."""
    env = clean_environ()
    env.update(
        {
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.url,
            "OPENAI_API_KEY": openai_api.api_key,
            "OPENAI_BASE_URL": openai_api.url,
            "DATABASE_URL": db_url,
            "JOB_POLL_SECONDS": "0.2",
            "STREAM_FLUSH_SECONDS": "0.05",
            "UPDATE_INTERVAL_SECONDS": "0.1",
            "SHUTDOWN_GRACE_SECONDS": "10",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            "WORKER_CONCURRENCY": str(concurrency),
        }
    )
    return env


def proc_stats(pid: int) -> tuple[float, float, float]:
    """(peak RSS MB, current RSS MB, CPU seconds: utime + stime) of a live process."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # fields[0] is field 3 (state) of proc(5)
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return int(status["VmHWM"].split()[0]) / 1024, int(status["VmRSS"].split()[0]) / 1024, cpu


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile; NaN when there is nothing to rank."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


class Burst:
    """N mentions sent at once; FakeSlack's calls read as they come (when each stream started, stopped)."""

    def __init__(self, slack: FakeSlack, n: int) -> None:
        self.slack, self.seen = slack, len(slack.calls)
        self.bodies = [payloads.event_callback(payloads.mention(f"q{i}", ts=payloads.new_ts())) for i in range(n)]
        self.threads: list[str] = [b["event"]["ts"] for b in self.bodies]
        self.sent: dict[str, float] = {}  # thread ts -> when its mention was sent
        self.methods: Counter[str] = Counter()
        self.started: dict[str, list[float]] = {}  # thread ts -> times chat.startStream was seen
        self.stopped: dict[str, list[float]] = {}  # thread ts -> times chat.stopStream was seen

    def poll(self) -> None:
        now, calls = time.monotonic(), self.slack.calls
        for call in calls[self.seen :]:
            self.methods[call.method] += 1
            if call.method == "chat.startStream":
                self.started.setdefault(str(call.args.get("thread_ts")), []).append(now)
            elif call.method == "chat.stopStream":
                where = (call.args.get("channel"), call.args.get("ts"))
                thread = next((m.thread_ts for m in self.slack.messages if (m.channel, m.ts) == where), "?")
                self.stopped.setdefault(str(thread), []).append(now)
        self.seen = len(calls)

    async def send(self, bot: BotProcess, ts: str, body: dict[str, Any]) -> tuple[int, float]:
        self.sent[ts] = t = time.monotonic()
        status, _ = await bot.send_event(body)
        return status, time.monotonic() - t

    async def run(self, bot: BotProcess, timeout: float) -> None:
        assert bot.process is not None
        self.t0 = time.monotonic()
        acks = asyncio.gather(*(self.send(bot, ts, b) for ts, b in zip(self.threads, self.bodies, strict=True)),
                              return_exceptions=True)  # fmt: skip
        while len(self.stopped) < len(self.threads) and bot.process.returncode is None:  # noqa: ASYNC110
            if time.monotonic() > self.t0 + timeout:
                break
            self.poll()
            await asyncio.sleep(POLL_SECONDS)
        self.t_done = time.monotonic()
        self.acks = await acks
        settle = self.t_done + SETTLE_SECONDS
        while time.monotonic() < settle:
            self.poll()
            await asyncio.sleep(POLL_SECONDS)
