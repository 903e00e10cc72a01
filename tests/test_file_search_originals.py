"""file_search gets an assistant's files as they are: the original bytes under the original name
for the types it reads (PDF, JSON, Markdown, text…), the extracted text for the others."""

from __future__ import annotations

import json

from tests.fakes.openai_api import FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support.bot_process import BotProcess
from tests.test_assistants import assistant, private_reply
from tests.test_documents import build_pdf, text_stream
from tests.test_hosted_tools import create

PDF = build_pdf([text_stream("Refunds take 5 days.", "Returns within 30 days.")])
JSON = b'{"tea":3,"coffee":{"small":2,"large":4}}'  # the text kept for chat is re-indented
CSV = b"item,price\ntea,3\n"


async def test_file_search_uploads_the_original_bytes_of_the_files_it_reads_and_text_otherwise(
    bot: BotProcess, slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    pdf = slack.add_file(PDF, "policy.pdf", "application/pdf", "pdf")
    prices = slack.add_file(JSON, "prices.json", "application/json", "json")
    table = slack.add_file(CSV, "table.csv", "text/csv", "csv")
    ids = ",".join(f["id"] for f in (pdf, prices, table))
    created = await create(bot, slack, f"create --name Helper --tools file_search --file-ids {ids}")
    [store_id] = created["tools"][0]["vector_store_ids"]
    uploads = sorted(openai_api.uploaded_files[fid] for fid in openai_api.vector_stores[store_id])
    assert uploads == sorted([
        ("policy.pdf", "assistants", PDF),  # byte for byte, under its own name
        ("prices.json", "assistants", JSON),
        ("table.csv.txt", "assistants", b"item,price\ntea,3\n"),  # not a file_search type: its text
    ])  # fmt: skip
    assert json.loads(JSON) and openai_api.uploaded_files  # (the fixture is valid JSON)

    # Made again later (the tools change, no file downloaded again): still the originals.
    downloads = len(slack.downloads)
    await assistant(bot, "update Helper --tools file_search,web_search")
    updated = await private_reply(slack, 2)
    assert "Updated" in updated
    [new_store] = [s for s in openai_api.vector_stores if s != store_id]
    again = sorted(openai_api.uploaded_files[fid][0::2] for fid in openai_api.vector_stores[new_store])
    assert again == sorted([("policy.pdf", PDF), ("prices.json", JSON), ("table.csv.txt", CSV)])
    assert len(slack.downloads) == downloads
