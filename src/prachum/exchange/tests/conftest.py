"""Fixtures of the import and export tests: a hybrid meeting with delegations, categories, a focal
point, an organizer and questions (one of them sensitive)."""

import io

import pytest

from prachum.meetings.models import QuestionKind
from prachum.meetings.tests.factories import make_organization
from prachum.registration.tests.factories import make_delegation, make_focal_point, make_organizer, make_question
from prachum.registration.tests.web import open_category, open_meeting


def private_files_in(folder):
    """Uploads and job results in `folder` (the storages are lazy: built again on next use), and back after."""
    from django.conf import settings
    from django.utils.functional import empty

    from prachum.exchange.services.uploads import upload_storage
    from prachum.jobs.models import job_files

    before = settings.DATA_DIR
    settings.DATA_DIR = folder
    for storage in (upload_storage, job_files):
        storage._wrapped = empty
    yield
    settings.DATA_DIR = before
    for storage in (upload_storage, job_files):
        storage._wrapped = empty


@pytest.fixture(autouse=True)
def inline_jobs(settings, tmp_path):
    settings.PRACHUM_DELIVERY = "inline"
    yield from private_files_in(tmp_path)


@pytest.fixture
def meeting():
    meeting = open_meeting(slug="adgsom-x", title_lo="ກອງປະຊຸມທົດລອງ", title_en="Test meeting", format="hybrid",
                           capacity=100, online_capacity=50, default_language="lo")
    return meeting


@pytest.fixture
def delegations(meeting):
    vn = make_delegation(meeting, organization=make_organization(code="VN", name_en="Viet Nam", name_lo="ຫວຽດນາມ",
                                                                 protocol_order=11), quota=4)
    la = make_delegation(meeting, organization=make_organization(code="LA", name_en="Lao PDR", name_lo="ສປປ ລາວ",
                                                                 protocol_order=4), quota=6)
    return {"VN": vn, "LA": la}


@pytest.fixture
def categories(meeting):
    return {
        "delegate": open_category(meeting, code="delegate", name_lo="ຜູ້ແທນ", name_en="Delegate",
                                  needs_approval=True, needs_endorsement=True),
        "observer": open_category(meeting, code="observer", name_lo="ຜູ້ສັງເກດການ", name_en="Observer"),
        "secretariat": open_category(meeting, code="secretariat", name_lo="ກອງເລຂາ", name_en="Secretariat",
                                     allows_self_registration=False),
    }


@pytest.fixture
def questions(meeting, categories):
    dietary = make_question(meeting, "dietary", QuestionKind.CHOICE, label_lo="ຄວາມຕ້ອງການດ້ານອາຫານ",
                            label_en="Dietary requirements", choices=[
                                {"value": "none", "lo": "ບໍ່ມີ", "en": "None"},
                                {"value": "vegetarian", "lo": "ອາຫານມັງສະວິລັດ", "en": "Vegetarian"}])
    passport = make_question(meeting, "passport-number", QuestionKind.TEXT, label_lo="ເລກໜັງສືຜ່ານແດນ",
                             label_en="Passport number", is_sensitive=True)
    return {"dietary": dietary, "passport": passport}


@pytest.fixture
def focal_vn(delegations):
    return make_focal_point(delegations["VN"], email="focal.vn@example.org")


@pytest.fixture
def manager(meeting):
    return make_organizer(meeting, email="secretariat@example.org")


def csv_bytes(rows, encoding="utf-8", delimiter=","):
    import csv

    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HEADER = ["email", "given_name", "family_name", "gender", "position", "category", "delegation", "dietary"]


def person_row(n, *, category="delegate", delegation="VN", email=None, given="Văn Hùng", dietary="none"):
    return [email or f"person{n}@example.org", f"{given} {n}", "Nguyễn", "male", "Official", category, delegation, dietary]
