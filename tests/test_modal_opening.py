"""A modal opened from a listener: inside the workspace's rate budget, and never a silent failure.

The listener's client is the bot's budgeted client for the request's token: a 429 on views.open
pauses that method for the workspace, and a modal that cannot open within the trigger id's
seconds is explained to the person, ephemerally, in the channel where they asked.
"""

from __future__ import annotations

import asyncio

from bot.listeners.views import BUSY, EXPIRED
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads


async def test_a_rate_limited_modal_says_slack_is_busy_and_pauses_views_open_for_the_workspace(
    start_bot,
    slack: FakeSlack,  # type: ignore[no-untyped-def]
) -> None:
    slack.fail_next("views.open", "ratelimited", status=429, headers={"Retry-After": "30"})
    bot = await start_bot()
    status, _ = await bot.send_form(payloads.slash_command("/image", "", trigger_id="1.first"))
    assert status == 200
    [told] = await slack.wait_for("chat.postEphemeral")
    assert (told.args["channel"], told.args["user"], told.args["text"]) == ("C0CHAN", "U0ALICE", BUSY)
    assert told.token == slack.bot_token

    # Within the pause, another person's modal is not even tried: they hear the same at once.
    status, _ = await bot.send_form(
        payloads.slash_command("/speech", "", user="U0BOB", trigger_id="2.second")
    )
    assert status == 200
    await slack.wait_for("chat.postEphemeral", count=2)
    second = slack.calls_to("chat.postEphemeral")[1]
    assert (second.args["user"], second.args["text"]) == ("U0BOB", BUSY)
    assert [c.args["trigger_id"] for c in slack.calls_to("views.open")] == ["1.first"]
    assert "Traceback" not in bot.log


async def test_an_expired_trigger_says_so_and_another_failure_names_slacks_error(
    start_bot,
    slack: FakeSlack,  # type: ignore[no-untyped-def]
) -> None:
    slack.fail_next("views.open", "expired_trigger_id")
    slack.fail_next("views.open", "invalid_arguments")
    bot = await start_bot()
    await bot.send_form(payloads.slash_command("/ask", "", trigger_id="1.late"))
    [told] = await slack.wait_for("chat.postEphemeral")
    assert told.args["text"] == EXPIRED
    await bot.send_form(payloads.slash_command("/vision", "", trigger_id="2.bad"))
    await slack.wait_for("chat.postEphemeral", count=2)
    assert "`invalid_arguments`" in slack.calls_to("chat.postEphemeral")[1].args["text"]
    await asyncio.sleep(0.2)
    assert len(slack.calls_to("views.open")) == 2  # an error that is not a 429 is not tried again
