"""Slack's documented rate limits, per workspace and Web API method, in one table.

Source: docs.slack.dev "Rate limits" and each method's page. Tiers are per workspace and method:
Tier 1 about 1 call a minute, Tier 2 about 20, Tier 3 about 50, Tier 4 about 100.
`chat.postMessage` is "special": about one message per second per channel with short bursts,
kept here as a bucket of 5 per channel refilled a little slower than one a second (replicas
sharing PostgreSQL count it as a window of 5 in any 5 seconds, which is stricter still).
A method missing from the table is not budgeted.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """At most `calls` calls in any `seconds` window, per workspace (and per channel if so)."""

    calls: int
    seconds: float = 60.0
    per_channel: bool = False
    # Our clock and Slack's see a call a network trip apart: a call leaves our window this much later.
    margin: float = 1.0
    # A token bucket instead of a window: `calls` at once, refilled at `calls` per `seconds`.
    bucket: bool = False

    def __str__(self) -> str:
        where = " per channel" if self.per_channel else ""
        return f"{self.calls} per {self.seconds:g} s{where}"


TIER_1 = Limit(1)
TIER_2 = Limit(20)
TIER_3 = Limit(50)
TIER_4 = Limit(100)
PER_CHANNEL_MESSAGES = Limit(5, seconds=5.0, per_channel=True, margin=0.25, bucket=True)

LIMITS: dict[str, Limit] = {
    "chat.postMessage": PER_CHANNEL_MESSAGES,
    "chat.postEphemeral": TIER_4,
    "chat.update": TIER_3,
    "chat.delete": TIER_3,
    "chat.startStream": TIER_2,
    "chat.appendStream": TIER_4,
    "chat.stopStream": TIER_2,
    "assistant.threads.setStatus": TIER_3,
    "assistant.threads.setTitle": TIER_3,
    "assistant.threads.setSuggestedPrompts": TIER_3,
    # Tier 3 for Marketplace apps and older ones; Slack gives new non-Marketplace apps 1 a minute.
    # The bot keeps every thread in its database and reads one back only to resume a job.
    "conversations.replies": TIER_3,
    "conversations.info": TIER_3,
    "users.info": TIER_4,
    "files.getUploadURLExternal": TIER_4,
    "files.completeUploadExternal": TIER_4,
    "files.info": TIER_4,
    "views.open": TIER_4,
    "views.push": TIER_4,
    "views.update": TIER_4,
    "views.publish": TIER_4,
    "reactions.add": TIER_3,
    "reactions.remove": TIER_2,
}
