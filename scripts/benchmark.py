"""Load benchmark: N simultaneous mentions answered by the real bot against fake Slack and fake OpenAI.

Prints figures and asserts nothing. From the repository root, in the virtualenv:

    python scripts/benchmark.py [--mentions 200] [--channels 20] [--first-delay 0.3] [--chunks 20]
                                [--chunk-delay 0.01] [--enforce-limits] [--compare-minimal] [--duration S]
                                [--baseline DIR]

Each mention is the root of its own thread; they are spread round-robin over --channels channels.
Everything runs on 127.0.0.1 with a SQLite database in a temporary directory. Times are when this
script first saw a change in FakeSlack's record (polled every 5 ms, in the same event loop as the
fakes), measured from the moment each mention was sent. An answer is complete when a bot message
in its thread, no longer streaming, holds the model's whole text.

--enforce-limits  FakeSlack answers calls over Slack's published rate limits with 429 + Retry-After
                  (tests/fakes/slack_api.py, RATE_LIMITS); the run stops after --duration seconds
                  (default 180 then, else 120) and reports what was answered by then.
--compare-minimal the same load, on fresh fakes, against scripts/minimal_bolt_app.py (plain Bolt:
                  one chat.postMessage per answer) after the bot, then both side by side.
--baseline DIR    the same load, first, against the bot of another checkout (e.g. a `git worktree`
                  of the commit before a change), so before and after are measured in one run.

Delivery path of each complete answer, from FakeSlack's record of the message holding it: "stream"
(made by chat.startStream), "edited" (chat.postMessage then chat.update), "posted" (one
chat.postMessage, never updated), "other" (e.g. a file share).
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes.openai_api import ChatReply, FakeOpenAI
from tests.fakes.slack_api import ChannelBucket, FakeSlack, SlackMessage, Tier
from tests.support import payloads
from tests.support.bot_process import BotProcess, clean_environ
from tests.support.signing import SIGNING_SECRET

ROOT = Path(__file__).resolve().parents[1]
POLL_SECONDS = 0.005
SETTLE_SECONDS = 2.0  # kept watching after the last answer, so late duplicates are counted too
MINIMAL_APP = ROOT / "scripts" / "minimal_bolt_app.py"
PATHS = ("stream", "edited", "posted", "other")


def minimal_env(slack: FakeSlack, openai: FakeOpenAI) -> dict[str, str]:
    """What any app under test needs: the fakes' addresses and credentials."""
    env = clean_environ()
    env.update(
        {
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.url,
            "OPENAI_API_KEY": openai.api_key,
            "OPENAI_BASE_URL": openai.url,
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def bot_env(slack: FakeSlack, openai: FakeOpenAI, db_url: str, concurrency: int) -> dict[str, str]:
    """The environment the `bot_env` fixture of tests/conftest.py builds, with more workers."""
    env = minimal_env(slack, openai)
    env.update(
        {
            "DATABASE_URL": db_url,
            "JOB_POLL_SECONDS": "0.2",
            "STREAM_FLUSH_SECONDS": "0.05",
            "UPDATE_INTERVAL_SECONDS": "0.1",
            "SHUTDOWN_GRACE_SECONDS": "10",
            "LOG_LEVEL": "INFO",
            "WORKER_CONCURRENCY": str(concurrency),
        }
    )
    return env


class MinimalAppProcess(BotProcess):
    """scripts/minimal_bolt_app.py run like the bot (same port choice, readiness, signed posts)."""

    def command(self) -> list[str]:
        return [sys.executable, str(MINIMAL_APP)]


def proc_stats(pid: int) -> tuple[float, float, float]:
    """(peak RSS MB, current RSS MB, CPU seconds: utime + stime) of a live process."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # fields[0] is field 3 (state) of proc(5)
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return int(status["VmHWM"].split()[0]) / 1024, int(status["VmRSS"].split()[0]) / 1024, cpu


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (NaN for no values)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def dist(values: list[float], digits: int, *percentiles: int) -> str:
    """Nearest-rank percentiles and the maximum, e.g. "p50 12.3  p99 45.6  max 50.1"."""
    ranks = [(f"p{p}", percentile(values, p)) for p in percentiles]
    return "  ".join(
        f"{name} {value:.{digits}f}" for name, value in [*ranks, ("max", percentile(values, 100))]
    )


def channel_id(k: int) -> str:
    return f"C0CHAN{k:03d}"


class Burst:
    """N mentions sent at once, each its own thread, round-robin over channels; FakeSlack read as it goes.

    Per thread: when its first bot message appeared, when its answer was complete, and the served
    (not 429) chat.startStream / chat.stopStream calls seen.
    """

    def __init__(self, slack: FakeSlack, n: int, channels: int, answer: str) -> None:
        self.slack, self.answer = slack, answer
        self.seen_calls, self.seen_messages = len(slack.calls), len(slack.messages)
        self.bodies = [
            payloads.event_callback(
                payloads.mention(f"q{i}", ts=payloads.new_ts(), channel=channel_id(i % channels))
            )
            for i in range(n)
        ]
        self.threads: list[str] = [b["event"]["ts"] for b in self.bodies]
        self.channel_of = {b["event"]["ts"]: b["event"]["channel"] for b in self.bodies}
        self.sent: dict[str, float] = {}  # thread ts -> when its mention was sent
        self.methods: Counter[str] = Counter()
        self.started: dict[str, list[float]] = {}  # thread ts -> times chat.startStream was seen
        self.stopped: dict[str, list[float]] = {}  # thread ts -> times chat.stopStream was seen
        self.first: dict[str, float] = {}  # thread ts -> first bot message in it seen
        self.complete: dict[str, float] = {}  # thread ts -> its whole answer seen
        self.replies: dict[str, list[SlackMessage]] = {}  # thread ts -> bot messages in it
        self.thread_of: dict[tuple[str, str], str] = {}  # (channel, message ts) -> thread ts

    def poll(self) -> None:
        now, dirty = time.monotonic(), set[str]()
        for msg in self.slack.messages[self.seen_messages :]:
            thread = msg.thread_ts or ""
            if msg.is_bot and self.channel_of.get(thread) == msg.channel:
                self.thread_of[(msg.channel, msg.ts)] = thread
                self.replies.setdefault(thread, []).append(msg)
                self.first.setdefault(thread, now)
                dirty.add(thread)
        self.seen_messages = len(self.slack.messages)
        for call in self.slack.calls[self.seen_calls :]:
            self.methods[call.method] += 1
            where = (str(call.args.get("channel")), str(call.args.get("ts")))
            thread = self.thread_of.get(where) or str(call.args.get("thread_ts"))
            dirty.add(thread)
            if call.rate_limited:
                continue
            if call.method == "chat.startStream":
                self.started.setdefault(thread, []).append(now)
            elif call.method == "chat.stopStream":
                self.stopped.setdefault(self.thread_of.get(where, "?"), []).append(now)
        self.seen_calls = len(self.slack.calls)
        for thread in dirty:
            if thread in self.channel_of and thread not in self.complete and self.answers(thread):
                self.complete[thread] = now

    def answers(self, thread: str) -> list[SlackMessage]:
        """Bot messages in the thread that hold the whole answer and are no longer streaming."""
        return [
            m
            for m in self.replies.get(thread, [])
            if not m.deleted and not m.streaming and self.answer in m.visible_text
        ]

    def path(self, thread: str) -> str | None:
        """How the thread's (first) complete answer was delivered; None when it has none."""
        found = self.answers(thread)
        if not found:
            return None
        msg = found[0]
        if msg.created_by == "chat.startStream":
            return "stream"
        if msg.created_by == "chat.postMessage":
            return "edited" if msg.updates else "posted"
        return "other"

    async def send(self, bot: BotProcess, ts: str, body: dict[str, Any]) -> tuple[int, float]:
        self.sent[ts] = t = time.monotonic()
        status, _ = await bot.send_event(body)
        return status, time.monotonic() - t

    async def run(self, bot: BotProcess, process: asyncio.subprocess.Process, patience: float) -> None:
        self.t0 = time.monotonic()
        sends = (self.send(bot, ts, body) for ts, body in zip(self.threads, self.bodies, strict=True))
        acks = asyncio.gather(*sends, return_exceptions=True)
        end = self.t0 + patience
        while (
            len(self.complete) < len(self.threads) and process.returncode is None and time.monotonic() < end
        ):
            self.poll()
            await asyncio.sleep(POLL_SECONDS)
        self.t_done = time.monotonic()
        self.acks = await acks
        settle = self.t_done + SETTLE_SECONDS
        while time.monotonic() < settle:
            self.poll()
            await asyncio.sleep(POLL_SECONDS)


@dataclass
class Figures:
    """What --compare-minimal sets side by side."""

    ack_ms: list[float]
    e2e_s: list[float]
    cpu_ms_per_answer: float
    peak_rss_mb: float
    complete: int
    mentions: int


async def benchmark(args: argparse.Namespace) -> None:
    targets = [
        *(["baseline"] if args.baseline else []),
        "bot",
        *(["minimal"] if args.compare_minimal else []),
    ]
    titles = {"baseline": f"python -m bot serve from {args.baseline}", "bot": "python -m bot serve"}
    figures: dict[str, Figures] = {}
    for target in targets:
        if len(targets) > 1:
            print(f"===== {target}: {titles.get(target, MINIMAL_APP.name)}")
        figures[target] = await run_target(args, target)
    if len(targets) > 1:
        print_comparison(figures)


async def run_target(args: argparse.Namespace, target: str) -> Figures:
    """One process under the load, on fresh fakes and a fresh database."""
    with tempfile.TemporaryDirectory(prefix="bot-benchmark-") as tmp:
        async with FakeSlack(enforce_rate_limits=args.enforce_limits) as slack, FakeOpenAI() as openai:
            if target in ("bot", "baseline"):
                db_url = f"sqlite+aiosqlite:///{Path(tmp) / 'data' / 'bot.db'}"
                env = bot_env(slack, openai, db_url, args.concurrency)
                if target == "baseline":  # its `bot` package first on the path, before this one's
                    env["PYTHONPATH"] = args.baseline
                bot = BotProcess(env, Path(tmp))
            else:
                bot = MinimalAppProcess(minimal_env(slack, openai), Path(tmp))
            try:
                await bot.start(timeout=60)
                # Slack opens as many connections as it likes: lift aiohttp's 100-connection cap.
                await bot._session.close()  # type: ignore[union-attr]
                bot._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
                return await measure(args, bot, slack, openai)
            finally:
                t = time.monotonic()
                rc = await bot.stop()
                print(f"{'bot exit':<19}rc {rc}, {time.monotonic() - t:.1f} s after SIGTERM")


async def measure(args: argparse.Namespace, bot: BotProcess, slack: FakeSlack, openai: FakeOpenAI) -> Figures:
    if bot.process is None:
        raise RuntimeError("the bot is not running")
    n, pid = args.mentions, bot.process.pid
    chunks = [f"word{i} " for i in range(args.chunks)]
    reply = ChatReply(chunks=chunks, first_delay=args.first_delay, chunk_delay=args.chunk_delay)
    answer = "".join(chunks).strip()
    if args.warmup:  # answered first and not counted
        openai.queue_chat(*[reply] * args.warmup)
        await Burst(slack, args.warmup, args.channels, answer).run(bot, bot.process, args.timeout)
    chats_before, log_before = len(openai.requests_to("/chat/completions")), len(bot.output)
    _, rss_ready, cpu_ready = proc_stats(pid)
    own_cpu = time.process_time()
    openai.queue_chat(*[reply] * n)
    burst = Burst(slack, n, args.channels, answer)
    await burst.run(bot, bot.process, args.timeout)
    alive = bot.process.returncode is None
    peak_rss, _, cpu_end = proc_stats(pid) if alive else (math.nan,) * 3
    own_cpu = time.process_time() - own_cpu

    ok = [a[1] * 1000 for a in burst.acks if isinstance(a, tuple) and a[0] == 200]
    bad = [a for a in burst.acks if not (isinstance(a, tuple) and a[0] == 200)]
    sent, threads = burst.sent, burst.threads
    first = [(burst.first[ts] - sent[ts] - args.first_delay) * 1000 for ts in threads if ts in burst.first]
    done = [burst.complete[ts] - sent[ts] for ts in threads if ts in burst.complete]
    span = max((burst.complete[ts] for ts in threads if ts in burst.complete), default=math.nan) - burst.t0
    starts = Counter(len(burst.started.get(ts, [])) for ts in threads)
    stops = Counter(len(burst.stopped.get(ts, [])) for ts in threads)
    log = bot.output[log_before:]
    loud = [x for x in log if x.split()[2:3] in (["WARNING"], ["ERROR"], ["CRITICAL"])]

    cpu = cpu_end - cpu_ready
    rows = {
        "mentions": f"{n} at once over {args.channels} channels, one thread each, after {args.warmup} "
        f"warm-up; model: {args.first_delay} s to first token, {args.chunks} chunks {args.chunk_delay} s "
        f"apart; WORKER_CONCURRENCY {args.concurrency}; Slack rate limits "
        f"{'ENFORCED' if args.enforce_limits else 'not enforced'}",
        "acks": f"{len(ok)} x HTTP 200, other {len(bad)} {bad[:3]}",
        "ack ms": dist(ok, 1, 50, 95, 99),
        "first words ms": dist(first, 1, 50, 99)
        + "  (first bot message in the thread seen - sent - first_delay)",
        "complete s": dist(done, 2, 50, 99) + "  (whole answer seen - sent)",
        "answers/s": f"{len(done) / span:.1f}  ({len(done)} answers in {span:.2f} s)",
        "peak RSS MB": f"{peak_rss:.1f}  (VmHWM; VmRSS before the burst {rss_ready:.1f})",
        "CPU ms/answer": f"{cpu * 1000 / n:.1f}  (bot {cpu:.2f} s in the burst; this script {own_cpu:.2f} s)",
        "answers": f"{len(done)} of {n} complete, missing {n - len(done)} "
        f"(waited {burst.t_done - burst.t0:.1f} s of at most {args.timeout:.0f} s, + {SETTLE_SECONDS} s; "
        f"bot alive: {alive})",
        **delivery_rows(burst),
        "startStream/thread": f"{'all 1' if starts == Counter({1: n}) else 'NOT all 1'} {dict(starts)}; "
        f"stopStream/thread {dict(stops)}; streams in other threads {len(set(burst.started) - set(threads))}",
        "openai chat reqs": len(openai.requests_to("/chat/completions")) - chats_before,
        "slack calls": dict(sorted(burst.methods.items())),
        **rate_rows(slack),
        "bot log": f"{len(log)} lines in the burst, {len(loud)} WARNING/ERROR/CRITICAL",
    }
    for label, text in rows.items():
        print(f"{label:<19}{text}")
    for line in loud[:8]:
        print(f"  | {line[:180]}")
    return Figures(ok, done, cpu * 1000 / n, peak_rss, len(done), n)


def delivery_rows(burst: Burst) -> dict[str, str]:
    """How each complete answer reached its thread, and whether each thread got exactly one."""
    paths = Counter(burst.path(ts) for ts in burst.threads)
    answers = Counter(len(burst.answers(ts)) for ts in burst.threads)
    messages = Counter(len([m for m in burst.replies.get(ts, []) if not m.deleted]) for ts in burst.threads)
    exactly_one = answers[1] == len(burst.threads)
    return {
        "delivery paths": "  ".join(f"{p} {paths[p]}" for p in PATHS)
        + f"  (no complete answer {paths[None]})",
        "answers/thread": f"{'each exactly 1' if exactly_one else 'NOT each exactly 1'} "
        f"{dict(sorted(answers.items()))}; bot messages/thread {dict(sorted(messages.items()))}",
    }


def rate_rows(slack: FakeSlack) -> dict[str, str]:
    """429s served and, per method, the busiest sliding minute (served calls) next to Slack's limit."""
    rows = {"429s served": str(dict(sorted(slack.rate_limited_calls.items())) or "none")}
    if not slack.enforce_rate_limits:
        rows["429s served"] += "  (limits not enforced)"
    lines = []
    for method, peak in slack.peak_calls_per_minute().items():
        limit = slack.rate_limits.get(method)
        if isinstance(limit, Tier):
            mark = "  OVER" if peak > limit.per_minute else "  at limit" if peak == limit.per_minute else ""
            lines.append(f"{method:<38}{peak:>6}/min  limit {limit}{mark}")
        elif isinstance(limit, ChannelBucket):
            second = max(slack.peak_calls_per_channel(method, 1.0).values(), default=0)
            minute = max(slack.peak_calls_per_channel(method, slack.rate_window_seconds).values(), default=0)
            lines.append(
                f"{method:<38}{peak:>6}/min  (all channels); busiest channel {second} in 1 s, "
                f"{minute}/min  limit {limit} (= at most {limit.burst + 60 * limit.per_second:g}/min)"
            )
        else:
            lines.append(f"{method:<38}{peak:>6}/min  no limit modelled")
    rows["peak/min vs limit"] = "\n".join(
        line if i == 0 else " " * 19 + line for i, line in enumerate(lines or ["no calls"])
    )
    return rows


def print_comparison(figures: dict[str, Figures]) -> None:
    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}" if b and not (math.isnan(a) or math.isnan(b)) else "n/a"

    rows: list[tuple[str, Callable[[Figures], float], int]] = [
        ("ack p50 ms", lambda f: percentile(f.ack_ms, 50), 1),
        ("ack p99 ms", lambda f: percentile(f.ack_ms, 99), 1),
        ("end-to-end p50 s", lambda f: percentile(f.e2e_s, 50), 2),
        ("end-to-end p99 s", lambda f: percentile(f.e2e_s, 99), 2),
        ("CPU ms/answer", lambda f: f.cpu_ms_per_answer, 1),
        ("peak RSS MB", lambda f: f.peak_rss_mb, 1),
        ("answers complete", lambda f: float(f.complete), 0),
    ]
    names = list(figures)
    ratios = [(a, b) for a, b in (("bot", "minimal"), ("bot", "baseline")) if a in figures and b in figures]
    print("===== side by side (same load, fresh fakes each)")
    header = "".join(f"{name:>10}" for name in names) + "".join(
        f"{a + '/' + b:>{len(a) + 14}}" for a, b in ratios
    )
    print(f"{'':<19}{header}")
    for label, value, digits in rows:
        cells = "".join(f"{value(figures[name]):>10.{digits}f}" for name in names)
        shares = "".join(f"{ratio(value(figures[a]), value(figures[b])):>{len(a) + 14}}" for a, b in ratios)
        print(f"{label:<19}{cells}{shares}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--mentions", type=int, default=200)
    parser.add_argument("--channels", type=int, default=20, help="mentions spread round-robin over these")
    parser.add_argument("--first-delay", type=float, default=0.3, help="model: seconds to the first token")
    parser.add_argument("--chunks", type=int, default=20, help="model: streamed tokens per answer")
    parser.add_argument("--chunk-delay", type=float, default=0.01, help="model: seconds between tokens")
    parser.add_argument("--warmup", type=int, default=0, help="mentions answered first, not measured")
    parser.add_argument("--concurrency", type=int, default=256, help="the bot's WORKER_CONCURRENCY")
    parser.add_argument(
        "--timeout",
        "--duration",
        dest="timeout",
        type=float,
        default=None,
        help="seconds to wait for every answer, then report what was answered (default 120; 180 with "
        "--enforce-limits)",
    )
    parser.add_argument(
        "--enforce-limits", action="store_true", help="FakeSlack answers 429 over Slack's rate limits"
    )
    parser.add_argument(
        "--compare-minimal", action="store_true", help="also run scripts/minimal_bolt_app.py; side by side"
    )
    parser.add_argument("--baseline", metavar="DIR", help="first run the bot of another checkout in DIR")
    args = parser.parse_args()
    if args.baseline:
        args.baseline = str(Path(args.baseline).resolve())
    if args.timeout is None:
        args.timeout = 180.0 if args.enforce_limits else 120.0
    asyncio.run(benchmark(args))


if __name__ == "__main__":
    main()
