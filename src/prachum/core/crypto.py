"""Encryption at rest for sensitive answers (passport numbers and the like)."""

import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def encrypt_value(value) -> str:
    return _fernet(settings.PRACHUM_ENCRYPTION_KEY).encrypt(json.dumps(value).encode()).decode()


def decrypt_value(token: str):
    try:
        return json.loads(_fernet(settings.PRACHUM_ENCRYPTION_KEY).decrypt(token.encode()))
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: the encryption key has changed") from exc


class EncryptedJSONField(models.TextField):
    """Stores any JSON value as a Fernet token; the database only ever sees ciphertext."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return None
        return decrypt_value(value)

    def to_python(self, value):
        # Any JSON value is allowed; TextField.to_python would turn a list into its repr.
        return value

    def get_prep_value(self, value):
        if value is None:
            return None
        return encrypt_value(value)
