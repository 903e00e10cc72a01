"""Tell one person something (a bad flag, a hint): ephemeral in the channel or thread."""

from __future__ import annotations

from bot.delivery import requester
from bot.jobs.payloads import Notice
from bot.process.runtime import Runtime
from storage import ClaimedJob


async def run(rt: Runtime, job: ClaimedJob, p: Notice) -> None:
    await requester.tell(rt.slack, p.where, p.text)
