"""Assistants with OpenAI's hosted tools answer through the Responses API: code_interpreter's files
are uploaded into the thread byte for byte, file_search keeps a vector store in step with the
assistant's files, web_search's sources are shown as links."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.fakes.openai_api import FakeOpenAI, ResponsesReply
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess
from tests.test_assistants import assistant, private_reply, shown_json

PLOT = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


async def create(bot: BotProcess, slack: FakeSlack, text: str, count: int = 1) -> dict:  # type: ignore[type-arg]
    status, body = await assistant(bot, text)
    assert (status, body) == (200, "")
    return shown_json(await private_reply(slack, count))


async def ask_in(
    bot: BotProcess, slack: FakeSlack, question: str, thread_ts: str | None = None
) -> tuple[str, str]:
    """The reply's text, and the thread's ts."""
    event = payloads.mention(question, thread_ts=thread_ts) if thread_ts else payloads.mention(question)
    await bot.send_event(payloads.event_callback(event))
    root = thread_ts or event["ts"]
    count = len(slack.thread_messages("C0CHAN", root)) + 1
    replies = await slack.wait_thread_messages("C0CHAN", root, count=count, timeout=20)
    return replies[count - 1].visible_text, root


async def ask(bot: BotProcess, slack: FakeSlack, question: str) -> str:
    return (await ask_in(bot, slack, question))[0]


async def test_web_search_runs_through_responses_streamed_with_its_sources_as_links(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    created = await create(bot, slack, "create --name Scout --model gpt-6-sol --instructions 'Look it up.' "
                                       "--tools web_search,create_image")  # fmt: skip
    assert created["tools"][0] == {"type": "web_search"}
    await assistant(bot, "use Scout")
    await slack.wait_for("chat.postMessage")
    openai_api.queue("/responses", ResponsesReply(
        text="Oslo has 700,000 people.",
        annotations=[{"type": "url_citation", "url": "https://example.org/oslo", "title": "Oslo facts",
                      "start_index": 0, "end_index": 4}],
    ))  # fmt: skip
    text, root = await ask_in(bot, slack, "--temperature 0.3 --stop END how big is Oslo?")
    assert "Oslo has 700,000 people." in text
    assert "<https://example.org/oslo|Oslo facts>" in text
    assert "`--stop`: not sent" in text and "answered by the assistant *Scout*" in text
    [request] = openai_api.requests_to("/v1/responses")
    body = request.json or {}
    assert body["model"] == "gpt-6-sol" and body["stream"] is True and body["temperature"] == 0.3
    assert body["instructions"] == "Look it up."
    assert body["tools"][0] == {"type": "web_search"}
    assert body["tools"][1]["type"] == "function" and body["tools"][1]["name"] == "create_image"
    assert "stop" not in body and body["input"][-1]["role"] == "user"
    assert "how big is Oslo?" in json.dumps(body["input"][-1])
    assert openai_api.requests_to("/v1/chat/completions") == []
    # The history is the database's: a follow-up sends the first answer back as input.
    await ask_in(bot, slack, "and Bergen?", thread_ts=root)
    second = openai_api.requests_to("/v1/responses")[1].json or {}
    assert [item["role"] for item in second["input"]] == ["user", "assistant", "user"]


async def test_code_interpreter_files_are_uploaded_into_the_thread_byte_for_byte(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    await create(bot, slack, "create --name Analyst --tools code_interpreter")
    await assistant(bot, "use Analyst")
    await slack.wait_for("chat.postMessage")
    openai_api.container_files[("cntr_1", "cfile_1")] = PLOT
    openai_api.container_files[("cntr_1", "cfile_2")] = b"a,b\n1,2\n"
    openai_api.queue("/responses", ResponsesReply(
        text="Here is the plot and the data.",
        items=[{"type": "code_interpreter_call", "id": "ci_1", "status": "completed",
                "container_id": "cntr_1", "code": "plot()", "outputs": None}],
        annotations=[
            {"type": "container_file_citation", "container_id": "cntr_1", "file_id": "cfile_1",
             "filename": "plot.png", "start_index": 0, "end_index": 1},
            {"type": "container_file_citation", "container_id": "cntr_1", "file_id": "cfile_2",
             "filename": "data.csv", "start_index": 0, "end_index": 1},
        ],
    ))  # fmt: skip
    text = await ask(bot, slack, "plot 1,2")
    assert "Here is the plot and the data." in text
    [batch] = await slack.wait_until(lambda: slack.upload_batches, timeout=20, what="the files")
    assert [(f.filename, f.content) for f in batch] == [("plot.png", PLOT), ("data.csv", b"a,b\n1,2\n")]
    [request] = openai_api.requests_to("/v1/responses")
    assert (request.json or {})["tools"] == [{"type": "code_interpreter", "container": {"type": "auto"}}]


async def test_file_search_keeps_a_vector_store_in_step_and_cites_the_file(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    policy = slack.add_file(b"Refunds take 5 days.\n", "policy.txt", "text/plain", "text")
    prices = slack.add_file(b"Tea costs 3 EUR.\n", "prices.md", "text/markdown", "markdown")
    created = await create(bot, slack, f"create --name Helper --tools file_search --file-ids {policy['id']}")
    [store_id] = created["tools"][0]["vector_store_ids"]
    [file_id] = openai_api.vector_stores[store_id]
    assert openai_api.uploaded_files[file_id] == ("policy.txt", "assistants", b"Refunds take 5 days.\n")

    await assistant(bot, "use Helper")
    await slack.wait_for("chat.postMessage")
    openai_api.queue("/responses", ResponsesReply(
        text="Refunds take 5 days.",
        annotations=[{"type": "file_citation", "file_id": file_id, "filename": "policy.txt", "index": 0}],
    ))  # fmt: skip
    text = await ask(bot, slack, "how long do refunds take?")
    assert "Refunds take 5 days." in text and "From the assistant's files:* `policy.txt`" in text
    [request] = openai_api.requests_to("/v1/responses")
    assert (request.json or {})["tools"] == [{"type": "file_search", "vector_store_ids": [store_id]}]

    # The files change: a new store with the new files; the old one is deleted with its file.
    updated = await create(bot, slack, f"update Helper --file-ids {prices['id']}", count=2)
    [new_store] = updated["tools"][0]["vector_store_ids"]
    assert new_store != store_id and store_id not in openai_api.vector_stores
    assert file_id not in openai_api.uploaded_files
    [new_file] = openai_api.vector_stores[new_store]
    assert openai_api.uploaded_files[new_file][:1] == ("prices.md",)

    # Deleted with the assistant.
    await assistant(bot, "delete Helper")
    await private_reply(slack, 3)
    assert openai_api.vector_stores == {} and openai_api.uploaded_files == {}


async def test_an_assistant_without_hosted_tools_keeps_chat_completions(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    await create(bot, slack, "create --name Plain --tools create_image")
    await assistant(bot, "use Plain")
    await slack.wait_for("chat.postMessage")
    text = await ask(bot, slack, "--n 2 hi")
    assert "*Choice 2*" in text
    assert openai_api.requests_to("/v1/responses") == []


@pytest.mark.parametrize(
    ("tools", "expected"),
    [
        ("code_interpreter,teleport", "`teleport` is not a tool I know; allowed are"),
        ('[{"type": "computer_use"}]', "`computer_use` is not a tool I know"),
    ],
)
async def test_a_bad_tool_spec_names_the_tool_and_what_is_allowed(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI, tools: str, expected: str
) -> None:
    _, body = await assistant(bot, f"create --name Bad --tools '{tools}'")
    text = json.loads(body)["text"] if body else await private_reply(slack)
    assert expected in text and "code_interpreter, file_search, web_search" in text
    assert openai_api.requests_to("/v1/vector_stores") == []


KEY = "hLzqQmZ6bq2V2WJr7m1JtY0mQw1hWl0wV6oQmXy7l8k="
SECRET = "Bearer mcp-s3cret-value"


def block_action(action_id: str, value: str, user: str, message: dict) -> dict:  # type: ignore[type-arg]
    return {
        "type": "block_actions",
        "team": {"id": payloads.TEAM, "domain": "test"},
        "user": {"id": user, "name": user.lower(), "team_id": payloads.TEAM},
        "channel": {"id": "C0CHAN", "name": "general"},
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": "C0CHAN"},
        "message": {"ts": message["ts"], "thread_ts": message["thread_ts"], "text": message["text"]},
        "trigger_id": "1.x",
        "response_url": "",
        "actions": [{"action_id": action_id, "block_id": "mcp_approval", "type": "button", "value": value,
                     "action_ts": "1.0"}],
    }  # fmt: skip


async def test_mcp_authorization_is_kept_encrypted_and_an_approval_is_asked_and_honoured(
    start_bot,
    slack: FakeSlack,
    openai_api: FakeOpenAI,
    db_url: str,  # type: ignore[no-untyped-def]
) -> None:
    bot = await start_bot(ENCRYPTION_KEY=KEY)
    mcp = {"type": "mcp", "server_label": "tickets", "server_url": "https://mcp.example.org/sse",
           "allowed_tools": ["create_ticket"], "require_approval": "always",
           "authorization": SECRET}  # fmt: skip
    created = await create(bot, slack, f"create --name Desk --tools '{json.dumps([mcp])}'")
    assert created["tools"][0]["authorization"] == "(set, kept encrypted)"
    assert SECRET not in json.dumps(created)
    database = Path(db_url.removeprefix("sqlite+aiosqlite:///"))
    stored = await asyncio.to_thread(
        lambda: b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    )
    assert b"Desk" in stored and SECRET.encode() not in stored  # neither in the assistant nor the job

    await assistant(bot, "use Desk")
    await slack.wait_for("chat.postMessage")
    openai_api.queue("/responses", ResponsesReply(message=False, items=[{
        "type": "mcp_approval_request", "id": "mcpr_1", "server_label": "tickets",
        "name": "create_ticket", "arguments": '{"title": "Printer on fire"}'}]),
        ResponsesReply(text="Ticket T-1 is open."))  # fmt: skip
    event = payloads.mention("open a ticket: printer on fire")
    await bot.send_event(payloads.event_callback(event))
    [first] = await openai_api.wait_for("/v1/responses", timeout=20)
    assert (first.json or {})["tools"] == [mcp]  # the secret, opened only to send it

    def asked() -> object:
        replies = slack.thread_messages("C0CHAN", event["ts"])
        return next((m for m in replies if "Allow it?" in (m.text or "")), None)

    question = await slack.wait_until(asked, timeout=20, what="the approval question")
    assert "`create_ticket` on the MCP server `tickets`" in (question.text or "") and "Printer on fire" in (
        question.text or ""
    )
    [button] = [e for b in question.blocks or [] if b["type"] == "actions" for e in b["elements"]][:1]
    message = {"ts": question.ts, "thread_ts": event["ts"], "text": question.text}

    # Someone else cannot answer for the requester.
    await bot.send_form(payloads.interactive(block_action("mcp_approve", button["value"], "U0BOB", message)))
    refused = (await slack.wait_for("chat.postEphemeral", count=2))[1]
    assert "Only <@U0ALICE>" in refused.args["text"] and refused.args["user"] == "U0BOB"
    assert len(openai_api.requests_to("/v1/responses")) == 1

    await bot.send_form(
        payloads.interactive(block_action("mcp_approve", button["value"], "U0ALICE", message))
    )
    [_, carried_on] = await openai_api.wait_for("/v1/responses", count=2, timeout=20)
    body = carried_on.json or {}
    assert body["previous_response_id"] == "resp_fake" + body["previous_response_id"].removeprefix(
        "resp_fake"
    )
    assert body["input"] == [
        {"type": "mcp_approval_response", "approval_request_id": "mcpr_1", "approve": True}
    ]
    assert body["tools"][0]["authorization"] == SECRET

    def answered() -> bool:
        return any(
            "Ticket T-1 is open." in m.visible_text for m in slack.thread_messages("C0CHAN", event["ts"])
        )

    await slack.wait_until(answered, timeout=20, what="the answer after approval")
    updated = [c for c in slack.calls_to("chat.update") if c.args.get("ts") == question.ts]
    assert updated and "Approved by <@U0ALICE>" in updated[-1].args["text"]


async def test_the_bots_own_actions_still_run_beside_hosted_tools(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    await create(bot, slack, "create --name Artist --tools web_search,create_image")
    await assistant(bot, "use Artist")
    await slack.wait_for("chat.postMessage")
    call = {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "create_image",
            "arguments": '{"prompt": "a lighthouse"}', "status": "completed"}  # fmt: skip
    openai_api.queue(
        "/responses", ResponsesReply(message=False, items=[call]), ResponsesReply(text="Here it is.")
    )
    event = payloads.mention("draw a lighthouse")
    await bot.send_event(payloads.event_callback(event))
    replies = await slack.wait_thread_messages("C0CHAN", event["ts"], count=2, timeout=20)
    [text] = [m.visible_text for m in replies if "Here it is." in m.visible_text]
    assert "Tool call" not in text
    [[image]] = await slack.wait_until(lambda: slack.upload_batches, timeout=20, what="the image")
    assert image.content == openai_api.image_bytes
    [_, second] = openai_api.requests_to("/v1/responses")
    body = second.json or {}
    assert str(body["previous_response_id"]).startswith("resp_fake")
    [output] = body["input"]
    assert output["type"] == "function_call_output" and output["call_id"] == "call_1"
    assert "Created 1 image" in output["output"]
    assert [tool["type"] for tool in body["tools"]] == ["web_search", "function"]
    assert body["tools"][1]["parameters"]["required"] == ["prompt"]  # the bot's full definition


@pytest.mark.parametrize(
    ("tool", "expected"),
    [
        ({"type": "mcp", "server_url": "https://x.example"}, "`mcp` needs a server_label"),
        ({"type": "mcp", "server_label": "t", "server_url": "http://x.example"}, "server_url must be an https://"),
        ({"type": "mcp", "server_label": "t", "server_url": "https://x.example", "require_approval": "maybe"},
         "require_approval must be always or never"),
        ({"type": "mcp", "server_label": "t", "server_url": "https://x.example", "headers": {}},
         "`mcp` takes server_label, server_url"),
    ],
)  # fmt: skip
async def test_a_bad_mcp_spec_names_the_field_and_nothing_is_recorded(
    bot: BotProcess,
    slack: FakeSlack,
    openai_api: FakeOpenAI,
    tool: dict,
    expected: str,  # type: ignore[type-arg]
) -> None:
    _, body = await assistant(bot, f"create --name Bad --tools '{json.dumps([tool])}'")
    assert expected in json.loads(body)["text"]


async def test_an_mcp_authorization_without_encryption_key_is_refused(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    tool = {"type": "mcp", "server_label": "t", "server_url": "https://x.example", "authorization": SECRET}
    _, body = await assistant(bot, f"create --name Bad --tools '{json.dumps([tool])}'")
    text = json.loads(body)["text"]
    assert "`ENCRYPTION_KEY`" in text and SECRET not in text
