"""The database as Prachum uses it: concurrent writers on SQLite, Lao collation on both databases."""

import re
import threading

import pytest
from django.db import close_old_connections, connection, transaction

from prachum.audit.models import AuditEvent
from prachum.directory.models import Organization

LAO_WORDS = "ກອງ ຄຳ ບຸນ ພູ ສົມ ເພັດ ແກ້ວ ໂພ ໄຊ".split()
LAO_ORDER = "ກອງ ແກ້ວ ຄຳ ສົມ ໄຊ ບຸນ ພູ ເພັດ ໂພ".split()


@pytest.mark.django_db(transaction=True)
def test_eight_threads_writing_at_once_see_no_locked_database():
    threads, errors = 8, []
    per_thread = 25
    start = threading.Barrier(threads)

    def writer(n):
        try:
            start.wait()
            for i in range(per_thread):
                # Read then write in one transaction: the pattern that fails with "database is locked"
                # under SQLite's default deferred transactions.
                with transaction.atomic():
                    AuditEvent.objects.filter(kind="test.write").count()
                    AuditEvent.objects.create(kind="test.write", actor_label=f"thread {n}", object_id=str(i))
        except Exception as exc:  # collected and asserted below
            errors.append(repr(exc))
        finally:
            close_old_connections()
            connection.close()

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    assert AuditEvent.objects.filter(kind="test.write").count() == threads * per_thread


def test_the_connection_is_set_up_for_concurrent_writers(db):
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] >= 5000
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    else:
        assert connection.vendor == "postgresql"
        assert connection.settings_dict["CONN_MAX_AGE"] > 0


def test_lao_names_sort_by_lao_collation(db):
    for i, word in enumerate(LAO_WORDS):
        Organization.objects.create(code=f"o{i}", kind="other", name_lo=word)
    assert list(Organization.objects.order_by("name_lo").values_list("name_lo", flat=True)) == LAO_ORDER


def test_lao_collation_expression_sorts_any_column(db):
    from prachum.core.collation import lao_order

    for i, word in enumerate(LAO_WORDS):
        Organization.objects.create(code=f"o{i}", kind="other", name_en=word)
    ordered = Organization.objects.order_by(lao_order("name_en")).values_list("name_en", flat=True)
    assert list(ordered) == LAO_ORDER


# ICU's Lao tailoring ([reorder Laoo]): spaces, punctuation and digits, then Lao, then Latin and the other scripts.
MIXED_ORDER = ["-a", "໑໒", "1abc", "ກອງ", "ແກ້ວ", "ໄກ", "ຄຳ", "ໜ້າ", "ຫົວ", "ຮູບ", "Anna", "bob", "Émile", "zed", "α", "中"]


def test_lao_names_come_before_latin_ones_on_both_databases(db):
    from prachum.core.collation import lao_order, lao_sort_key

    assert sorted(reversed(MIXED_ORDER), key=lao_sort_key) == MIXED_ORDER
    for i, word in enumerate(reversed(MIXED_ORDER)):
        Organization.objects.create(code=f"o{i}", kind="other", name_lo=word, name_en=word)
    assert list(Organization.objects.order_by("name_lo", "pk").values_list("name_lo", flat=True)) == MIXED_ORDER
    ordered = Organization.objects.order_by(lao_order("name_en"), "pk").values_list("name_en", flat=True)
    assert list(ordered) == MIXED_ORDER


def test_lao_name_columns_are_declared_with_the_lao_collation(db):
    table = Organization._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT collation_name FROM information_schema.columns WHERE table_name = %s AND column_name = 'name_lo'",
                [table],
            )
            assert cursor.fetchone()[0] == "lo-x-icu"
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [table])
            assert re.search(r'"name_lo" varchar\(200\) COLLATE lo NOT NULL', cursor.fetchone()[0])
