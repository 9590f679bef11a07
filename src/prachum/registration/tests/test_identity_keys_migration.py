"""Migrations 0009–0011 fill the keys of rows saved before them, and keep both rows of a person registered
twice under two spellings of one address (the bug they fix), so that the new unique constraint holds."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from prachum.meetings.tests.factories import make_category, make_meeting

BEFORE = [("registration", "0008_erased_at")]
AFTER = [("registration", "0011_unique_email_key")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_keys_and_keeps_earlier_duplicates():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        # Only registration's migrations go back: the meeting and its category are today's rows.
        meeting = make_meeting()
        category = make_category(meeting)
        Registration = old.get_model("registration", "Registration")
        for n, (email, name) in enumerate([("lao@ຄຳ.ລາວ", "ສົມ\u200dສັກ"), ("lao@ຄໍາ.ລາວ", "ຄຳ"), ("Keo@Example.org", "Keo")]):
            Registration.objects.create(meeting_id=meeting.pk, category_id=category.pk, given_name=name, email=email,
                                        manage_token_hash=f"h{n}", badge_code=f"CODE{n}", status="approved",
                                        decided_at=datetime(2020, 9, 1, tzinfo=UTC))
        old.get_model("registration", "Invitation").objects.create(meeting_id=meeting.pk, email="Noy@ຄຳ.ລາວ", token_hash="t")

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        rows = list(new.get_model("registration", "Registration").objects.order_by("pk"))
        key = "lao@xn--s6c6g8c.xn--q7ce6a"
        assert [r.email_key for r in rows] == [key, f"{key}#{rows[1].pk}", "keo@example.org"]
        assert [r.search_text for r in rows] == ["ສົມສັກ\n\n", "ຄໍາ\n\n", "keo\n\n"]
        assert new.get_model("registration", "Invitation").objects.get().email_key == "noy@xn--s6c6g8c.xn--q7ce6a"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
