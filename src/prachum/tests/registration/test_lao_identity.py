"""One person however their address or name is spelt: ຳ typed as one letter or as ໍ + າ, invisible joiners.

Run on SQLite and on PostgreSQL (PRACHUM_TEST_DATABASE_URL): the keys are compared by the database."""

import pytest
from django.db import IntegrityError, transaction

from prachum.checkin import selectors as desk
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization
from prachum.registration.errors import RegistrationError
from prachum.registration.invitations import check_invitation_rows
from prachum.registration.models import Invitation, Registration
from prachum.registration.selectors import active_registration_by_email, search_invitations, search_registrations
from prachum.registration.services import submit_registration
from prachum.registration.tests.factories import (
    form_token, make_delegation, make_invitation, make_registration, person, window,
)

pytestmark = pytest.mark.django_db

AM_ONE_LETTER = "ຄຳ"  # U+0E84 U+0EB3
AM_TWO_LETTERS = "ຄໍາ"  # U+0E84 U+0ECD U+0EB2


@pytest.fixture
def meeting():
    return make_meeting(**window())


@pytest.fixture
def category(meeting):
    return make_category(meeting, needs_approval=False, allows_self_registration=True)


def test_the_second_spelling_of_a_lao_domain_is_told_it_is_registered(meeting, category):
    first = submit_registration(meeting=meeting, category=category, client_token=form_token(),
                                person=person(email=f"lao@{AM_ONE_LETTER}.ລາວ"))
    with pytest.raises(RegistrationError) as refused:
        submit_registration(meeting=meeting, category=category, client_token=form_token(),
                            person=person(email=f"LAO@{AM_TWO_LETTERS}.ລາວ"))
    assert refused.value.code == "duplicate_email"
    assert Registration.objects.get().email == f"lao@{AM_ONE_LETTER}.ລາວ"  # the display form as typed
    assert active_registration_by_email(meeting, f"lao@{AM_TWO_LETTERS}.ລາວ") == first.registration


def test_the_database_refuses_a_second_spelling_too(meeting, category):
    make_registration(meeting, category, email=f"lao@{AM_ONE_LETTER}.ລາວ")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_registration(meeting, category, email=f"lao@{AM_TWO_LETTERS}.ລາວ")


def test_changing_only_the_email_through_save_keeps_its_key_true(meeting, category):
    registration = make_registration(meeting, category, email="keo@example.org")
    registration.email = f"keo@{AM_TWO_LETTERS}.ລາວ"
    registration.save(update_fields=["email"])
    assert Registration.objects.get().email_key == "keo@xn--s6c6g8c.xn--q7ce6a"


@pytest.mark.parametrize("stored, typed", [(AM_ONE_LETTER, AM_TWO_LETTERS), (AM_TWO_LETTERS, AM_ONE_LETTER)])
def test_the_organizer_and_the_desk_find_a_name_whichever_way_am_is_written(meeting, category, stored, typed):
    found = make_registration(meeting, category, given_name=f"ສົມ{stored}", family_name="ພົມມະຈັນ", name_lo="")
    make_registration(meeting, category, given_name="ແກ້ວ", family_name="ວົງສາ", name_lo="")
    rows = Registration.objects.filter(meeting=meeting)
    assert list(search_registrations(rows, typed)) == [found]
    assert list(search_registrations(rows, typed, names_only=True)) == [found]
    assert desk.search(meeting, typed) == [found]


def test_an_invisible_joiner_inside_a_stored_name_does_not_hide_it(meeting, category):
    found = make_registration(meeting, category, given_name="ສົມ\u200dສັກ", family_name="Phom\u00admachanh", name_lo="")
    rows = Registration.objects.filter(meeting=meeting)
    assert list(search_registrations(rows, "ສົມສັກ")) == [found]
    assert list(search_registrations(rows, "phommachanh")) == [found]
    assert desk.search(meeting, "ສົມສັກ") == [found]
    assert Registration.objects.get().given_name == "ສົມ\u200dສັກ"  # shown as it was typed


def test_names_only_search_does_not_look_in_the_email(meeting, category):
    make_registration(meeting, category, given_name="Keo", family_name="Phommachanh", email="secret@example.org")
    rows = Registration.objects.filter(meeting=meeting)
    assert not search_registrations(rows, "secret", names_only=True).exists()
    assert search_registrations(rows, "secret").exists()


def test_a_delegation_name_stored_with_either_spelling_is_found(meeting, category):
    cambodia = make_delegation(meeting, organization=make_organization(name_en="Cambodia", name_lo="ກຳປູເຈຍ"))
    found = make_registration(meeting, category, delegation=cambodia)
    rows = Registration.objects.filter(meeting=meeting)
    assert list(search_registrations(rows, "ກໍາປູເຈຍ")) == [found]
    assert desk.search(meeting, "ກໍາປູເຈຍ") == [found]


def test_invitations_are_found_and_checked_by_the_same_keys(meeting, category):
    invitation = make_invitation(meeting, email=f"noy@{AM_ONE_LETTER}.ລາວ", given_name=f"ນ້ອຍ{AM_TWO_LETTERS}")
    assert list(search_invitations(Invitation.objects.all(), AM_ONE_LETTER)) == [invitation]
    assert list(search_invitations(Invitation.objects.all(), f"ນ້ອຍ\u200b{AM_ONE_LETTER}")) == [invitation]
    result = check_invitation_rows(meeting=meeting, rows=[{"email": f"NOY@{AM_TWO_LETTERS}.ລາວ", "given_name": "Noy"}])
    assert [error.code for error in result.errors] == ["already_invited"]
    with pytest.raises(IntegrityError), transaction.atomic():
        make_invitation(meeting, email=f"noy@{AM_TWO_LETTERS}.ລາວ")
