"""`/ask` (typed or from its modal): post the question in the channel, answer in its thread.

Slash commands carry no thread, so the question becomes a new thread's first message; from then
on the thread is a conversation like any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from bot.delivery import private
from bot.jobs import chat_reply
from storage import ClaimedJob, NewJob

if TYPE_CHECKING:
    from bot.process.runtime import Runtime

KIND = "chat.ask"
NOT_A_MEMBER = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}
INVITE_ME = (
    ":wave: I can't post in this conversation. Invite me first with `/invite @ChatGPT` "
    "(or send me a direct message), then try again."
)


def ask_job(
    *,
    dedup_key: str,
    team_id: str,
    channel: str,
    user: str,
    text: str,
    options: dict[str, Any],
    response_url: str | None,
    files: list[dict[str, Any]] | None = None,
    image_urls: list[str] | None = None,
) -> NewJob:
    payload = {
        "files": files or [],
        "image_urls": image_urls or [],
        "team_id": team_id,
        "channel": channel,
        "user": user,
        "text": text,
        "options": options,
        "response_url": response_url,
    }
    return NewJob(kind=KIND, dedup_key=dedup_key, payload=payload)


def question_text(user: str, text: str, options: dict[str, Any], attached: int = 0) -> str:
    quoted = "\n".join("> " + line for line in text.splitlines()) or "> "
    settings = [f"{name.replace('_', ' ')} `{value}`" for name, value in options.items()]
    if attached:
        settings.append(f"{attached} image{'s' if attached > 1 else ''} attached")
    return f"<@{user}> asked:\n{quoted}" + (f"\n_{' · '.join(settings)}_" if settings else "")


async def run(rt: Runtime, job: ClaimedJob) -> None:
    p = job.payload
    root_ts = job.progress.get("root_ts")
    if not root_ts:
        try:
            response = await rt.slack.chat_postMessage(
                channel=p["channel"],
                text=question_text(
                    p["user"],
                    p["text"],
                    p["options"],
                    len(p.get("files") or []) + len(p.get("image_urls") or []),
                ),
            )
        except SlackApiError as exc:
            if exc.response.get("error") not in NOT_A_MEMBER:
                raise
            await private.tell(
                rt.slack,
                channel=p["channel"],
                user=p["user"],
                text=INVITE_ME,
                response_url=p.get("response_url"),
            )
            return
        root_ts = str(response["ts"])
        job.progress = {**job.progress, "root_ts": root_ts}
        await rt.jobs.save_progress(job.id, job.progress)
    await chat_reply.answer(rt, job, {**p, "ts": root_ts, "thread_ts": root_ts, "channel_type": None})
