"""Lao collation: PostgreSQL's ICU `lo-x-icu`, and the same order on SQLite.

ICU and the Unicode Collation Algorithm sort Lao syllables with a leading vowel
(ເ ແ ໂ ໃ ໄ) under their consonant: ກອງ ແກ້ວ ຄຳ … On SQLite we register a collation
under both names, so that columns declared `db_collation=LAO_COLLATION` and
`Collate(..., "lo")` work on either database.

CLDR's Lao tailoring is `[reorder Laoo]`: Lao letters come before every other script's,
after spaces, punctuation, symbols and digits. So a list of Lao and English names reads
ກອງ ແກ້ວ ຄຳ Anna Bob on both databases. pyuca has the root order (Latin first); the key
below moves the Lao block of primary weights to where the letters begin.
"""

from functools import lru_cache

import pyuca
from django.db import models

LAO_COLLATION = "lo-x-icu"
SQLITE_COLLATION_NAMES = ("lo", LAO_COLLATION)

_collator = pyuca.Collator()


def _primary(character: str) -> int:
    return _collator.sort_key(character)[0]


# The letters begin with Latin "a" in the root order; Lao's letters run from ກ to the last Lao letter.
# Code points this pyuca's table does not know (Lao letters added after Unicode 9) get implicit
# weights from 0xFB40 on, after every script: they are left there.
_IMPLICIT = 0xFB40
_LETTERS_FIRST = _primary("a")
_LAO_FIRST = _primary("\u0e81")  # ກ
_LAO_LAST = max(
    weight for code in range(0x0E80, 0x0F00) for weight in _collator.sort_key(chr(code))[:1]
    if _LAO_FIRST <= weight < _IMPLICIT
)
_LAO_SPAN = _LAO_LAST - _LAO_FIRST + 1


def _reordered(weight: int) -> int:
    """A primary weight of the root order, with Lao's block moved before the other scripts' letters."""
    if _LAO_FIRST <= weight <= _LAO_LAST:
        return weight - _LAO_FIRST + _LETTERS_FIRST
    if _LETTERS_FIRST <= weight < _LAO_FIRST:
        return weight + _LAO_SPAN
    return weight


@lru_cache(maxsize=65536)
def lao_sort_key(text: str) -> tuple:
    key = _collator.sort_key(text or "")
    # Primary weights come first, up to the 0 that separates the levels.
    end = key.index(0) if 0 in key else len(key)
    return tuple(_reordered(weight) for weight in key[:end]) + tuple(key[end:])


def compare_lao(a: str, b: str) -> int:
    ka, kb = lao_sort_key(a), lao_sort_key(b)
    if ka == kb:
        # Deterministic like PostgreSQL's deterministic collations: fall back to code points.
        return (a > b) - (a < b)
    return -1 if ka < kb else 1


def register_sqlite_collations(sender, connection, **kwargs):
    if connection.vendor != "sqlite":
        return
    for name in SQLITE_COLLATION_NAMES:
        connection.connection.create_collation(name, compare_lao)


def lao_order(field: str):
    """An order_by() expression sorting `field` by Lao collation on any database."""
    from django.db import connection
    from django.db.models.functions import Collate

    return Collate(field, LAO_COLLATION if connection.vendor == "postgresql" else "lo")


class LaoCharField(models.CharField):
    """A CharField that sorts by Lao collation on PostgreSQL (ICU) and SQLite (registered above)."""

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        params["collation"] = LAO_COLLATION if connection.vendor == "postgresql" else "lo"
        return params
