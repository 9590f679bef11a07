"""save_badge_design: one design per category and one for the whole meeting, decided by the database."""

import threading

import pytest
from django.db import connection

from prachum.badges.models import BadgeDesign
from prachum.badges.services import BadgeError, save_badge_design
from prachum.meetings.tests.factories import make_category, make_meeting, make_user


@pytest.mark.django_db(transaction=True)
def test_a_second_meeting_design_is_refused_with_a_code():
    meeting, user = make_meeting(), make_user()
    save_badge_design(design=BadgeDesign(meeting=meeting), actor=user)
    with pytest.raises(BadgeError) as error:
        save_badge_design(design=BadgeDesign(meeting=meeting, band_position="top"), actor=user)
    assert error.value.code == "design_exists"
    assert BadgeDesign.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_organizers_saving_a_category_design_at_once_make_one(django_db_blocker):
    # On SQLite the two transactions run one after the other (IMMEDIATE); the outcome must be the same.
    meeting = make_meeting()
    category, users = make_category(meeting), [make_user(), make_user()]
    barrier, outcomes = threading.Barrier(2), []

    def save(user):
        try:
            barrier.wait()
            save_badge_design(design=BadgeDesign(meeting=meeting, category=category), actor=user)
            outcomes.append("saved")
        except BadgeError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["design_exists", "saved"]
    assert BadgeDesign.objects.filter(category=category).count() == 1
