"""Many mentions at once, with Slack's rate limits enforced: every one answered, no 429s.

Streams while a start and a stop both fit (Tier 2), then edited messages while the final edit fits
(Tier 3), then whole answers posted once; status lines are dropped rather than waited for.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter

from tests.conftest import BOTH_DATABASES
from tests.fakes.slack_api import FakeSlack, SlackMessage
from tests.support import payloads
from tests.support.bot_process import BotProcess

MENTIONS = 80
CHANNELS = 16


def path_of(message: SlackMessage) -> str:
    if message.created_by == "chat.startStream":
        return "stream"
    return "edited" if message.updates else "posted"


def metric(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    match = re.search(rf"^{name}\{{{re.escape(wanted)}\}} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


@BOTH_DATABASES
async def test_a_burst_is_answered_once_each_inside_slacks_limits(bot: BotProcess, slack: FakeSlack) -> None:
    slack.enforce_rate_limits = True
    events = [payloads.mention(f"question {i}", channel=f"C{i % CHANNELS:03d}") for i in range(MENTIONS)]

    await asyncio.gather(*(bot.send_event(payloads.event_callback(event)) for event in events))

    answers: list[SlackMessage] = []
    for i, event in enumerate(events):
        [answer] = await slack.wait_thread_messages(event["channel"], event["ts"], timeout=60)
        expected = f"Echo: question {i}"
        await slack.wait_until(
            lambda a=answer, e=expected: not a.streaming and a.visible_text == e,  # type: ignore[misc]
            timeout=30,
            what="the whole answer",
        )
        answers.append(answer)
    await asyncio.sleep(1.0)  # nothing more comes: no second answer, no late edit
    for event in events:
        assert len(slack.thread_messages(event["channel"], event["ts"])) == 1

    assert slack.rate_limited_calls == Counter()
    paths = Counter(path_of(answer) for answer in answers)
    assert paths["stream"] == 20  # Tier 2: each stream's start and stop were both in budget
    assert paths["edited"] >= 1 and paths["posted"] >= MENTIONS - 20 - 50
    _, text = await bot.get("/metrics")
    for path in ("stream", "edited", "posted"):
        assert metric(text, "slack_answer_deliveries_total", path=path) == paths[path]
    # 80 "is thinking…" lines, Tier 3: at most 50 shown, the rest dropped, none waited for. (A
    # shared budget whose database is slow under load drops some of the 50 too, by design.)
    shown = len(slack.calls_to("assistant.threads.setStatus"))
    dropped = metric(text, "slack_optional_calls_dropped_total", method="assistant.threads.setStatus")
    assert 0 < shown <= 50 and shown + dropped == MENTIONS


async def test_a_429_pauses_the_method_for_every_job_then_the_answers_arrive(
    bot: BotProcess, slack: FakeSlack
) -> None:
    slack.fail_next("chat.startStream", error="ratelimited", status=429, headers={"Retry-After": "2"})
    events = [payloads.mention(f"q{i}", channel=f"C{i}") for i in range(3)]

    await asyncio.gather(*(bot.send_event(payloads.event_callback(event)) for event in events))

    for i, event in enumerate(events):
        [answer] = await slack.wait_thread_messages(event["channel"], event["ts"], timeout=20)
        expected = f"Echo: q{i}"
        await slack.wait_until(
            lambda a=answer, e=expected: not a.streaming and a.visible_text == e,  # type: ignore[misc]
            timeout=20,
            what="the whole answer",
        )
    # Answers that began during the pause did not wait for it: they took another form.
    starts = slack.calls_to("chat.startStream")
    first_429 = next(call.at for call in starts if call.rate_limited or call is starts[0])
    later = [call.at - first_429 for call in starts if call.at > first_429]
    assert later and all(wait >= 1.9 for wait in later), later
    _, text = await bot.get("/metrics")
    assert metric(text, "slack_rate_limited_total", method="chat.startStream") == 1
