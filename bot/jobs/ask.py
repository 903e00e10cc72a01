"""`/ask` and `/vision` (typed or from their modals): post the question in the channel, answer in
its thread.

Slash commands carry no thread, so the question becomes a new thread's first message; from then
on the thread is a conversation like any other.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError

from bot.delivery import requester
from bot.jobs import chat_reply
from bot.jobs.payloads import Ask, ChatReply
from bot.process.runtime import Runtime
from storage import ClaimedJob

INVITE_ME = (
    ":wave: I can't post in this conversation. Invite me first with `/invite @ChatGPT` "
    "(or send me a direct message), then try again."
)


def question_text(user: str, text: str, options: dict[str, Any], attached: int = 0) -> str:
    quoted = "\n".join("> " + line for line in text.splitlines()) or "> "
    settings = [f"{name.replace('_', ' ')} `{value}`" for name, value in options.items()]
    if attached:
        settings.append(f"{attached} image{'s' if attached > 1 else ''} attached")
    return f"<@{user}> asked:\n{quoted}" + (f"\n_{' · '.join(settings)}_" if settings else "")


async def run(rt: Runtime, job: ClaimedJob, p: Ask) -> None:
    root_ts = job.progress.get("root_ts")
    if not root_ts:
        attached = len(p.files) + len(p.image_urls)
        try:
            response = await rt.slack.chat_postMessage(
                channel=p.where.channel, text=question_text(p.where.user, p.text, p.options, attached)
            )
        except SlackApiError as exc:
            if requester.error_of(exc) not in requester.NOT_THERE:
                raise
            await requester.tell(rt.slack, p.where, INVITE_ME)
            return
        root_ts = str(response["ts"])
        job.progress = {**job.progress, "root_ts": root_ts}
        await rt.jobs.save_progress(job.id, job.progress)
    reply = ChatReply(
        where=p.where.in_thread(root_ts),
        ts=root_ts,
        text=p.text,
        options=p.options,
        files=p.files,
        image_urls=p.image_urls,
    )
    await chat_reply.answer(rt, job, reply)
