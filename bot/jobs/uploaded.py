"""Uploads written ahead: the files a job made are recorded before Slack shows them, so a resumed
job shares what it made (once) instead of asking OpenAI again and posting a second copy."""

from __future__ import annotations

from bot.delivery.uploads import OnUploaded, PendingShare, finish_recorded
from bot.process.runtime import Runtime
from storage import ClaimedJob

KEY = "upload"


def record_upload(rt: Runtime, job: ClaimedJob, key: str = KEY) -> OnUploaded:
    async def record(pending: PendingShare) -> None:
        job.progress = {**job.progress, key: pending.model_dump()}
        await rt.jobs.save_progress(job.id, job.progress)

    return record


async def uploaded_before(rt: Runtime, job: ClaimedJob, key: str = KEY) -> bool:
    """True when an earlier attempt of this job uploaded its files: they are shared now, once."""
    recorded = job.progress.get(key)
    if not recorded or not job.resumed:
        return False
    return await finish_recorded(rt.slack, recorded)
