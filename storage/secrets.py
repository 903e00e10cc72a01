"""Secrets kept in the database (bot tokens, workspace keys), encrypted with Fernet under
ENCRYPTION_KEY. Nothing here logs or returns a secret except to the code that asked for it."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken


class CannotDecrypt(Exception):
    """A stored secret was encrypted under another ENCRYPTION_KEY (or is damaged)."""


class Cipher:
    def __init__(self, key: str) -> None:
        self._fernet = Fernet(key.encode())

    @staticmethod
    def valid_key(key: str) -> bool:
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            return False
        return True

    def encrypt(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def decrypt(self, stored: str) -> str:
        try:
            return self._fernet.decrypt(stored.encode()).decode()
        except InvalidToken:
            raise CannotDecrypt("a stored secret cannot be decrypted with ENCRYPTION_KEY") from None
