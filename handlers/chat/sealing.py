"""Secrets sealed at rest: chat tokens are encrypted with the deployment's key before storage.

Fernet (from `cryptography`: AES-128 in CBC mode with an HMAC-SHA256 tag) with one key or
several, comma-separated: the first seals, any of them opens, so a key can be replaced without
a window where stored tokens cannot be read (seal with the new one first, then drop the old).
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

PREFIX = "fernet:"  # a sealed value says so, so a plain one is never taken for it


class SealError(ValueError):
    """The key is missing, malformed, or not the one the stored secrets were sealed with."""


class Sealer:
    """Seals and opens secrets with the deployment's key(s)."""

    def __init__(self, keys: str) -> None:
        parts = [k.strip() for k in keys.split(",") if k.strip()]
        if not parts:
            raise SealError("no key is set")
        try:
            self._fernet = MultiFernet([Fernet(k.encode("ascii")) for k in parts])
        except (ValueError, UnicodeEncodeError):
            raise SealError(
                "it is not a Fernet key (32 bytes in url-safe base64, 44 characters)"
            ) from None

    @staticmethod
    def new_key() -> str:
        return Fernet.generate_key().decode("ascii")

    def seal(self, secret: str) -> str:
        if not secret:
            return ""
        return PREFIX + self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str:
        if not sealed:
            return ""
        if not sealed.startswith(PREFIX):
            raise SealError("a stored secret is not sealed")
        try:
            return self._fernet.decrypt(sealed.removeprefix(PREFIX).encode("ascii")).decode()
        except InvalidToken:
            raise SealError(
                "it does not open the stored secrets: they were sealed with another key"
            ) from None
