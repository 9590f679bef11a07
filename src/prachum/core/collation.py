"""Lao collation: PostgreSQL's ICU `lo-x-icu`, and the same order on SQLite.

ICU and the Unicode Collation Algorithm sort Lao syllables with a leading vowel
(ເ ແ ໂ ໃ ໄ) under their consonant: ກອງ ແກ້ວ ຄຳ … On SQLite we register a collation
under both names, so that columns declared `db_collation=LAO_COLLATION` and
`Collate(..., "lo")` work on either database.
"""

from functools import lru_cache

import pyuca
from django.db import models

LAO_COLLATION = "lo-x-icu"
SQLITE_COLLATION_NAMES = ("lo", LAO_COLLATION)

_collator = pyuca.Collator()


@lru_cache(maxsize=65536)
def lao_sort_key(text: str) -> tuple:
    return _collator.sort_key(text or "")


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
