"""Persistence: the only package that knows SQLAlchemy.

`Database` opens the engine; `JobStore` and `ConversationStore` are the small repository API the
rest of the bot uses. Migrations live in `storage/migrations` and ship with the package.
"""

from storage.attachments import AttachmentStore, StoredAttachment
from storage.conversations import ConversationStore, StoredMessage, ThreadKey
from storage.db import Database
from storage.jobs import Append, ClaimedJob, JobStore, NewJob

__all__ = [
    "Append",
    "AttachmentStore",
    "ClaimedJob",
    "ConversationStore",
    "Database",
    "JobStore",
    "NewJob",
    "StoredAttachment",
    "StoredMessage",
    "ThreadKey",
]
