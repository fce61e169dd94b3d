"""Encrypted model fields (PIPL: ID number and address are encrypted at rest).

Fernet (AES-128-CBC + HMAC) from `cryptography`, through MultiFernet so keys can be rotated:
the first key in VIPDESK_FIELD_KEYS encrypts, every listed key decrypts.
"""
from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # wrong key: never hand back ciphertext as if it were data
        raise ValueError("cannot decrypt field: unknown key") from exc


def blind_index(value: str) -> str:
    """Keyed hash for equality look-ups and uniqueness on an encrypted value."""
    key = settings.FIELD_ENCRYPTION_KEYS[-1].encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Stores Fernet ciphertext; Python side sees plain text. Empty stays empty."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value or ""
        return encrypt(value)
