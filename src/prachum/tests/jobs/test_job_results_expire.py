"""Job results hold personal data (exports with decrypted passport numbers): private on disk, downloaded only
while their maker holds a role at the meeting, and deleted PRACHUM_JOB_RESULT_DAYS after the job ended."""

import os
import stat
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django.utils.functional import empty

from prachum import config
from prachum.jobs import engine
from prachum.jobs.models import Job, job_files
from prachum.jobs.services import attach_result, start_job
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import make_meeting, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def export(job):
    attach_result(job, "participants.csv", "text/csv", b"Somphone Vongsa,P1234567\n")
    return {}


@pytest.fixture
def inline(settings, tmp_path):
    settings.PRACHUM_DELIVERY = "inline"
    settings.DATA_DIR = tmp_path / "data"
    job_files._wrapped = empty  # the storage reads DATA_DIR again
    yield settings.DATA_DIR
    job_files._wrapped = empty


def _export(user, meeting):
    with transaction.atomic():
        job = start_job(kind="test.export", function=f"{__name__}.export", user=user, meeting=meeting)
    job.refresh_from_db()
    return job


def test_result_files_and_their_folders_are_private(inline):
    job = _export(make_user(), make_meeting())
    path = job.result_file.path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    folder = os.path.dirname(path)
    while folder != str(inline):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, folder
        folder = os.path.dirname(folder)


def test_a_user_whose_role_was_removed_no_longer_downloads_their_export(client, inline):
    user, meeting = make_user(), make_meeting()
    role = MeetingRole.objects.create(meeting=meeting, user=user, role=MeetingRole.Role.REVIEWER)
    job = _export(user, meeting)
    client.force_login(user)
    download = f"/en/manage/jobs/{job.pk}/download/"
    assert client.get(download).status_code == 200
    role.delete()
    assert client.get(download).status_code == 403
    # Check-in staff never take a list home.
    MeetingRole.objects.create(meeting=meeting, user=user, role=MeetingRole.Role.CHECKIN)
    assert client.get(download).status_code == 403
    MeetingRole.objects.create(meeting=meeting, user=user, role=MeetingRole.Role.MANAGER)
    assert client.get(download).status_code == 200


def test_the_tick_deletes_results_older_than_the_setting_and_the_page_says_expired(client, inline, settings):
    settings.PRACHUM_JOB_RESULT_DAYS = 7
    user, meeting = make_user(), make_meeting()
    MeetingRole.objects.create(meeting=meeting, user=user, role=MeetingRole.Role.OWNER)
    old, fresh = _export(user, meeting), _export(user, meeting)
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=7, minutes=1))
    Job.objects.filter(pk=fresh.pk).update(finished_at=timezone.now() - timedelta(days=6, hours=23))
    old_path = old.result_file.path

    assert engine.tick()["jobs-expired-results"] == 1

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert not old.result_file and old.result_expired_at is not None and not os.path.exists(old_path)
    assert fresh.result_file and os.path.exists(fresh.result_file.path)
    client.force_login(user)
    assert client.get(f"/en/manage/jobs/{old.pk}/download/").status_code == 404
    page = client.get(f"/en/manage/jobs/{old.pk}/").content.decode()
    assert "The file participants.csv has expired" in page
    assert "Download participants.csv" in client.get(f"/en/manage/jobs/{fresh.pk}/").content.decode()


def test_the_setting_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("PRACHUM_JOB_RESULT_DAYS", "2")
    assert config.get_job_result_days() == 2
    monkeypatch.setenv("PRACHUM_JOB_RESULT_DAYS", "a week")
    with pytest.raises(config.ConfigError, match="PRACHUM_JOB_RESULT_DAYS"):
        config.get_job_result_days()
    monkeypatch.delenv("PRACHUM_JOB_RESULT_DAYS")
    assert config.get_job_result_days() == 7


def test_the_sqlite_file_and_a_new_data_folder_are_private(monkeypatch, tmp_path):
    monkeypatch.setenv("PRACHUM_DATA_DIR", str(tmp_path / "new-data"))
    monkeypatch.delenv("PRACHUM_DATABASE_URL", raising=False)
    data_dir = config.get_data_dir()
    assert stat.S_IMODE(os.stat(data_dir).st_mode) == 0o700
    database = config.get_database(data_dir)["NAME"]
    assert stat.S_IMODE(os.stat(database).st_mode) == 0o600
    # A database file left readable by an older release is made private at start-up.
    os.chmod(database, 0o644)
    config.get_database(data_dir)
    assert stat.S_IMODE(os.stat(database).st_mode) == 0o600
