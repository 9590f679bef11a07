"""The closed list of honorifics: spellings read back to codes, the list after a flush, the migration of the
old free text, and the organizer's page that adds one."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from prachum.audit.models import AuditEvent
from prachum.directory.honorifics import STANDARD_HONORIFICS, find_honorific, standard_code_for
from prachum.directory.models import Honorific
from prachum.accounts.tests.factories import make_user


@pytest.mark.parametrize("spelling, code", [
    ("Mr", "mr"), ("MR.", "mr"), ("mr.", "mr"), ("ທ່ານ", "mr"), ("Ms", "ms"), ("ທ່ານນາງ", "ms"), ("ທ່ານ ນາງ", "ms"),
    ("Mdm.", "ms"), ("H.E.", "he"), ("H.E. Mr.", "he"), ("HE", "he"), ("ພະນະທ່ານ", "he"), ("Dr", "dr"),
    ("ດຣ.", "dr"), ("ປອ.", "dr"), ("Prof.", "prof"), ("Assoc. Prof.", "assoc-prof"), ("ຮສ.ດຣ.", "assoc-prof"),
    ("Dato'", "dato"), ("Dato’", "dato"), ("he", "he"), ("assoc-prof", "assoc-prof"),
])
def test_known_spellings_read_back_to_their_code(spelling, code):
    assert standard_code_for(spelling) == code


@pytest.mark.parametrize("spelling", ["", "  ", "Tan Sri", "Sir", "ທ", "<b>Mr</b>", "Mr" * 50])
def test_other_spellings_are_none_of_the_list(spelling):
    assert standard_code_for(spelling) is None


@pytest.mark.django_db
def test_every_standard_honorific_has_one_spelling_per_language():
    for code, english, lao in STANDARD_HONORIFICS:
        honorific = Honorific.objects.get(code=code)
        assert (honorific.label_in("en"), honorific.label_in("lo")) == (english, lao)
        assert find_honorific(english) == honorific or code == "mrs" and find_honorific(english).code == "mrs"
    assert Honorific.objects.get(code="ms").label_lo == "ທ່ານນາງ"  # one word: never "ທ່ານ ນາງ"


@pytest.mark.django_db(transaction=True)
def test_the_list_is_there_again_after_a_flush_between_tests():
    # A transactional test empties every table afterwards; post_migrate puts the list back, as the
    # browser tests (live_server) that follow this one need it.
    assert Honorific.objects.filter(is_standard=True).count() == len(STANDARD_HONORIFICS)


# -- the migration of the old free text ----------------------------------------------------------------

BEFORE = [("directory", "0001_initial"), ("registration", "0004_invitation_follow_up")]
AFTER = [("directory", "0002_honorifics"), ("registration", "0007_drop_free_text_honorifics")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_maps_known_spellings_and_keeps_and_reports_the_rest(capsys):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        loader = MigrationExecutor(connection).loader  # the state the database is in: the rest stays latest
        # A library's squashed migration stands in the graph for the ones it replaces, which stay recorded.
        old = loader.project_state([key for key in loader.applied_migrations if key in loader.graph.nodes]).apps
        meeting = old.get_model("meetings", "Meeting").objects.create(
            slug="m2020", title_en="Symposium", starts_at=datetime(2020, 9, 10, 7, tzinfo=UTC),
            ends_at=datetime(2020, 9, 10, 9, tzinfo=UTC), status="closed",
        )
        category = old.get_model("meetings", "Category").objects.create(meeting=meeting, code="co-chair", name_en="Co-Chair")
        delegate = old.get_model("meetings", "Category").objects.create(meeting=meeting, code="delegate", name_en="Delegate")
        Registration = old.get_model("registration", "Registration")
        spellings = {"Mr": "mr", "ທ່ານ ນາງ": "ms", "ທ່ານນາງ": "ms", "H.E. Mr.": "he", "dr.": "dr", "Tan Sri": None, "": None}
        for n, text in enumerate(spellings):
            Registration.objects.create(
                meeting=meeting, category=category if n == 0 else delegate, honorific=text, given_name=f"P{n}",
                email=f"p{n}@example.org", manage_token_hash=f"h{n}", badge_code=f"CODE{n}",
                position="ຫົວໜ້າກົມ" if n == 1 else "Director",
            )

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        rows = {r.given_name: r for r in new.get_model("registration", "Registration").objects.all()}
        for n, (text, code) in enumerate(spellings.items()):
            if code:
                assert rows[f"P{n}"].honorific_id == code, text
        kept = rows["P5"].honorific_id
        assert kept.startswith("added-")
        added = new.get_model("directory", "Honorific").objects.get(code=kept)
        assert (added.label_en, added.label_lo, added.is_standard) == ("Tan Sri", "", False)
        assert rows["P6"].honorific_id is None
        assert "'Tan Sri'" in capsys.readouterr().out  # reported, to be given its Lao label
        assert (rows["P1"].position, rows["P1"].position_lo) == ("", "ຫົວໜ້າກົມ")  # a Lao position moves
        assert (rows["P2"].position, rows["P2"].position_lo) == ("Director", "")
        assert rows["P0"].protocol_role == "co_chair" and rows["P1"].protocol_role == ""
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


# -- the organizer's page ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_an_organizer_who_may_create_meetings_adds_an_honorific_and_the_form_offers_it(client):
    from django.contrib.auth.models import Permission

    user = make_user()
    user.user_permissions.add(Permission.objects.get(codename="add_meeting"))
    client.force_login(user)
    page = client.get("/lo/manage/honorifics/")
    assert page.status_code == 200 and "ພະນະທ່ານ" in page.content.decode()

    response = client.post("/lo/manage/honorifics/", {"label_en": "Tan Sri", "label_lo": "ຕັນສຣີ"})
    assert response.status_code == 302
    added = Honorific.objects.get(label_en="Tan Sri")
    assert (added.code, added.label_lo, added.is_standard) == ("tan-sri", "ຕັນສຣີ", False)
    assert AuditEvent.objects.get(kind="honorific.added").actor == user
    assert find_honorific("tan sri") == added and find_honorific("ຕັນສຣີ") == added


@pytest.mark.django_db
@pytest.mark.parametrize("data, field", [
    ({"label_en": "Mr.", "label_lo": "ໃໝ່"}, "label_en"),
    ({"label_en": "Sir", "label_lo": "ທ່ານ"}, "label_lo"),
    ({"label_en": "", "label_lo": "ໃໝ່"}, "label_en"),
    ({"label_en": "x" * 41, "label_lo": "ໃໝ່"}, "label_en"),
    ({"label_en": "Sir"}, "label_lo"),
])
def test_a_duplicate_missing_or_long_label_is_refused_with_its_reason_in_lao(client, data, field):
    from django.contrib.auth.models import Permission

    user = make_user()
    user.user_permissions.add(Permission.objects.get(codename="add_meeting"))
    client.force_login(user)
    count = Honorific.objects.count()
    response = client.post("/lo/manage/honorifics/", data)
    assert response.status_code == 200
    assert f'id="id_{field}_errors"' in response.content.decode()
    assert Honorific.objects.count() == count


@pytest.mark.django_db
def test_someone_without_the_right_to_create_meetings_gets_a_403(client):
    client.force_login(make_user())
    assert client.get("/en/manage/honorifics/").status_code == 403
    assert client.post("/en/manage/honorifics/", {"label_en": "Sir", "label_lo": "ເຊີ"}).status_code == 403
    assert not Honorific.objects.filter(label_en="Sir").exists()
    client.logout()
    assert client.get("/en/manage/honorifics/").status_code == 302  # to the login
