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
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes.openai_api import ChatReply, FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess, clean_environ
from tests.support.signing import SIGNING_SECRET

POLL_SECONDS = 0.005
SETTLE_SECONDS = 2.0  # kept watching after the last answer, so late duplicates are counted too


def bot_env(slack: FakeSlack, openai: FakeOpenAI, db_url: str, concurrency: int) -> dict[str, str]:
    """The environment the `bot_env` fixture of tests/conftest.py builds, with more workers."""
    env = clean_environ()
    env.update(
        {
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.url,
            "OPENAI_API_KEY": openai.api_key,
            "OPENAI_BASE_URL": openai.url,
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


def dist(values: list[float], digits: int, *percentiles: int) -> str:
    """Nearest-rank percentiles and the maximum, e.g. "p50 12.3  p99 45.6  max 50.1"."""
    ordered = sorted(values) or [math.nan]
    ranks = [(f"p{p}", ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]) for p in percentiles]
    return "  ".join(f"{name} {value:.{digits}f}" for name, value in [*ranks, ("max", ordered[-1])])


class Burst:
    """N mentions sent at once; FakeSlack's calls read as they come (when each stream started, stopped)."""

    def __init__(self, slack: FakeSlack, n: int) -> None:
        self.slack, self.seen = slack, len(slack.calls)
        self.bodies = [
            payloads.event_callback(payloads.mention(f"q{i}", ts=payloads.new_ts())) for i in range(n)
        ]
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

    async def run(self, bot: BotProcess, process: asyncio.subprocess.Process, patience: float) -> None:
        self.t0 = time.monotonic()
        sends = (self.send(bot, ts, body) for ts, body in zip(self.threads, self.bodies, strict=True))
        acks = asyncio.gather(*sends, return_exceptions=True)
        end = self.t0 + patience
        while len(self.stopped) < len(self.threads) and process.returncode is None and time.monotonic() < end:
            self.poll()
            await asyncio.sleep(POLL_SECONDS)
        self.t_done = time.monotonic()
        self.acks = await acks
        settle = self.t_done + SETTLE_SECONDS
        while time.monotonic() < settle:
            self.poll()
            await asyncio.sleep(POLL_SECONDS)


async def benchmark(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bot-benchmark-") as tmp:
        async with FakeSlack() as slack, FakeOpenAI() as openai:
            db_url = f"sqlite+aiosqlite:///{Path(tmp) / 'data' / 'bot.db'}"
            bot = BotProcess(bot_env(slack, openai, db_url, args.concurrency), Path(tmp))
            try:
                await bot.start(timeout=60)
                # Slack opens as many connections as it likes: lift aiohttp's 100-connection cap.
                await bot._session.close()  # type: ignore[union-attr]
                bot._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
                await measure(args, bot, slack, openai)
            finally:
                t = time.monotonic()
                rc = await bot.stop()
                print(f"{'bot exit':<19}rc {rc}, {time.monotonic() - t:.1f} s after SIGTERM")


async def measure(args: argparse.Namespace, bot: BotProcess, slack: FakeSlack, openai: FakeOpenAI) -> None:
    if bot.process is None:
        raise RuntimeError("the bot is not running")
    n, pid = args.mentions, bot.process.pid
    reply = ChatReply(chunks=[f"word{i} " for i in range(args.chunks)], first_delay=args.first_delay,
                      chunk_delay=args.chunk_delay)  # fmt: skip
    if args.warmup:  # answered first and not counted
        openai.queue_chat(*[reply] * args.warmup)
        await Burst(slack, args.warmup).run(bot, bot.process, args.timeout)
    chats_before, log_before = len(openai.requests_to("/chat/completions")), len(bot.output)
    _, rss_ready, cpu_ready = proc_stats(pid)
    own_cpu = time.process_time()
    openai.queue_chat(*[reply] * n)
    burst = Burst(slack, n)
    await burst.run(bot, bot.process, args.timeout)
    alive = bot.process.returncode is None
    peak_rss, _, cpu_end = proc_stats(pid) if alive else (math.nan,) * 3
    own_cpu = time.process_time() - own_cpu

    ok = [a[1] * 1000 for a in burst.acks if isinstance(a, tuple) and a[0] == 200]
    bad = [a for a in burst.acks if not (isinstance(a, tuple) and a[0] == 200)]
    sent, threads = burst.sent, burst.threads
    first = [
        (burst.started[ts][0] - sent[ts] - args.first_delay) * 1000 for ts in threads if ts in burst.started
    ]
    done = [burst.stopped[ts][0] - sent[ts] for ts in threads if ts in burst.stopped]
    span = max((burst.stopped[ts][0] for ts in threads if ts in burst.stopped), default=math.nan) - burst.t0
    starts = Counter(len(burst.started.get(ts, [])) for ts in threads)
    stops = Counter(len(burst.stopped.get(ts, [])) for ts in threads)
    log = bot.output[log_before:]
    loud = [x for x in log if x.split()[2:3] in (["WARNING"], ["ERROR"], ["CRITICAL"])]

    cpu = cpu_end - cpu_ready
    rows = {
        "mentions": f"{n} at once, after {args.warmup} warm-up; model: {args.first_delay} s to first token, "
        f"{args.chunks} chunks {args.chunk_delay} s apart; WORKER_CONCURRENCY {args.concurrency}",
        "acks": f"{len(ok)} x HTTP 200, other {len(bad)} {bad[:3]}",
        "ack ms": dist(ok, 1, 50, 95, 99),
        "first words ms": dist(first, 1, 50, 99) + "  (startStream seen - sent - first_delay)",
        "complete s": dist(done, 2, 50, 99) + "  (stopStream seen - sent)",
        "answers/s": f"{len(done) / span:.1f}  ({len(done)} answers in {span:.2f} s)",
        "peak RSS MB": f"{peak_rss:.1f}  (VmHWM; VmRSS before the burst {rss_ready:.1f})",
        "CPU ms/answer": f"{cpu * 1000 / n:.1f}  (bot {cpu:.2f} s in the burst; this script {own_cpu:.2f} s)",
        "answers": f"{len(done)} of {n} complete, missing {n - len(done)} "
        f"(waited {burst.t_done - burst.t0:.1f} s + {SETTLE_SECONDS} s; bot alive: {alive})",
        "startStream/thread": f"{'all 1' if starts == Counter({1: n}) else 'NOT all 1'} {dict(starts)}; "
        f"stopStream/thread {dict(stops)}; streams in other threads {len(set(burst.started) - set(threads))}",
        "openai chat reqs": len(openai.requests_to("/chat/completions")) - chats_before,
        "slack calls": dict(sorted(burst.methods.items())),
        "bot log": f"{len(log)} lines in the burst, {len(loud)} WARNING/ERROR/CRITICAL",
    }
    for label, text in rows.items():
        print(f"{label:<19}{text}")
    for line in loud[:8]:
        print(f"  | {line[:180]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--mentions", type=int, default=200)
    parser.add_argument("--first-delay", type=float, default=0.5)
    parser.add_argument("--chunks", type=int, default=20)
    parser.add_argument("--chunk-delay", type=float, default=0.05)
    parser.add_argument("--warmup", type=int, default=0, help="mentions answered first, not measured")
    parser.add_argument("--concurrency", type=int, default=256, help="the bot's WORKER_CONCURRENCY")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for every answer")
    asyncio.run(benchmark(parser.parse_args()))


if __name__ == "__main__":
    main()
