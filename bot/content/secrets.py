"""Secrets kept in the database, encrypted with ENCRYPTION_KEY (Fernet): never stored in clear."""

from __future__ import annotations

import base64
import binascii

from cryptography.fernet import Fernet, InvalidToken


class SecretUnreadable(Exception):
    """The secret was encrypted with another key (ENCRYPTION_KEY changed)."""


def is_fernet_key(key: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key.encode())) == 32
    except (binascii.Error, ValueError):
        return False


def encrypt(key: str, text: str) -> str:
    return Fernet(key.encode()).encrypt(text.encode()).decode()


def decrypt(key: str, token: str) -> str:
    try:
        return Fernet(key.encode()).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("the stored secret cannot be read with this ENCRYPTION_KEY") from exc
