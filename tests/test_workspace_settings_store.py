"""A workspace's settings in the database: first writes at once, and its Azure endpoint encrypted."""

from __future__ import annotations

import asyncio

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from storage import Database
from storage.migrate import upgrade
from storage.secrets import Cipher
from storage.workspace_settings import AzureEndpoint, WorkspaceSettingsStore
from tests.conftest import BOTH_DATABASES

pytestmark = BOTH_DATABASES
AZURE_KEY = "azure-key-0123456789abcdef0123"


@pytest.fixture
async def db(db_url: str):  # type: ignore[no-untyped-def]
    await asyncio.to_thread(upgrade, db_url)
    database = Database(db_url)
    yield database
    await database.close()


async def test_concurrent_first_writes_of_a_workspace_all_succeed(db: Database) -> None:
    # Separate stores: as many jobs (or replicas) changing a workspace that has no settings yet.
    stores = [WorkspaceSettingsStore(db, None) for _ in range(8)]
    changes = [
        {"models": {"chat": "gpt-6-sol"}},
        {"disabled_actions": {"image"}},
        {"allowed_channels": {"C0ONE"}},
        {"daily_tokens_per_user": 500},
        {"daily_tokens_per_workspace": 9000},
        {"models": {"speech": "tts-1"}},
        {"models": {"vision": "gpt-6-sol"}},
        {"models": {"image": "gpt-image-2.6-sunburst"}},
    ]
    pairs = enumerate(zip(stores, changes, strict=True))
    await asyncio.gather(*(store.change("TFIRST", f"U{i}", change) for i, (store, change) in pairs))
    policy = await WorkspaceSettingsStore(db, None).get("TFIRST")
    # Every change kept: none lost to another's first write.
    assert policy.models == {
        "chat": "gpt-6-sol",
        "speech": "tts-1",
        "vision": "gpt-6-sol",
        "image": "gpt-image-2.6-sunburst",
    }
    assert policy.disabled_actions == {"image"} and policy.allowed_channels == {"C0ONE"}
    assert (policy.daily_tokens_per_user, policy.daily_tokens_per_workspace) == (500, 9000)


async def test_an_azure_endpoint_is_stored_encrypted_and_replaces_a_key(db: Database) -> None:
    store = WorkspaceSettingsStore(db, Cipher(Fernet.generate_key().decode()))
    await store.change("TAZ", "U0", {"openai_api_key": "sk-own-key-0123456789abcdef"})
    azure = AzureEndpoint("https://contoso.openai.azure.com", "2025-04-01-preview", AZURE_KEY)
    policy = await store.change("TAZ", "U0", {"azure": azure})
    assert policy.azure == azure and policy.openai_api_key is None and policy.has_own_key
    assert AZURE_KEY not in repr(policy)
    async with db.engine.connect() as connection:
        query = text("SELECT openai_api_key_encrypted FROM workspace_settings")
        [stored] = (await connection.execute(query)).one()
    assert AZURE_KEY not in stored and "contoso" not in stored
    policy = await store.change("TAZ", "U0", {"azure": None})
    assert policy.azure is None and not policy.has_own_key
