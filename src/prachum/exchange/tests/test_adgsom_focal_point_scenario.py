"""Done when (issue 4, in Lao): as Viet Nam's focal point of the ADGSOM demo, nominate three people (one by
one and by file); the secretariat approves them through the registration transitions; export the list."""

import io
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from prachum.demo.services import load_demo_meetings
from prachum.directory.services import load_organizations
from prachum.jobs.models import Job
from prachum.registration.models import Registration
from prachum.registration.services import approve_registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def adgsom(settings, tmp_path):
    load_organizations()
    meetings = load_demo_meetings(today=timezone.localdate())
    return next(m for m in meetings if m.slug == "adgsom-demo")


def nominate_one(client, base, **person):
    page = client.get(f"{base}nominate/").content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    data = {"honorific": "ms", "gender": "female", "position": "ເຈົ້າໜ້າທີ່", "language": "lo",
            "participation": "in_person", "form_token": token, **person}
    response = client.post(f"{base}nominate/", data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_viet_nams_focal_point_nominates_three_the_secretariat_approves_and_the_list_is_exported(
        client, adgsom, django_capture_on_commit_callbacks):
    User = get_user_model()
    focal = User.objects.get(email="focal.vn@example.org")
    secretariat = User.objects.get(email="secretariat@example.org")
    vn = adgsom.delegations.get(organization__code="VN")
    delegate = adgsom.categories.get(code="delegate")
    client.force_login(focal)
    base = f"/lo/manage/{adgsom.slug}/delegation/{vn.pk}/"
    page = client.get(base).content.decode()
    assert "ຫວຽດນາມ" in page  # Viet Nam, in Lao

    # One by one: two people.
    for given, family, email in [("Thị Thu", "Lý", "thu.ly@example.org"), ("Minh", "Đặng", "minh.dang@example.org")]:
        nominate_one(client, base, given_name=given, family_name=family, email=email, category=str(delegate.pk))

    # By file: the third, an XLSX with Lao headers.
    workbook = openpyxl.Workbook()
    workbook.active.append(["ອີເມວ", "ຊື່", "ນາມສະກຸນ", "ເພດ", "ຕຳແໜ່ງ", "ປະເພດ"])
    workbook.active.append(["hoa.bui@example.org", "Thị Hoa", "Bùi", "ຍິງ", "ເຈົ້າໜ້າທີ່", "ຜູ້ແທນ"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    start = f"/lo/manage/{adgsom.slug}/import/"
    response = client.post(start, {"target": "registrations", "delegation": str(vn.pk),
                                   "file": SimpleUploadedFile("vn.xlsx", buffer.getvalue())})
    assert response.status_code == 302
    columns = client.get(response.url)
    keys = re.findall(r'<option value="([^"]*)" selected', columns.content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(response.url, {f"column_{i}": key for i, key in enumerate(keys)})
    review = client.get(response.url).content.decode()
    apply_url = re.search(r'action="([^"]+/apply/[^"]+)"', review).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(apply_url)

    emails = ["thu.ly@example.org", "minh.dang@example.org", "hoa.bui@example.org"]
    nominees = list(Registration.objects.filter(meeting=adgsom, email__in=emails))
    assert len(nominees) == 3
    assert all(r.delegation == vn and r.nominated_by == focal and r.endorsed_by == focal for r in nominees)
    # Viet Nam had used its six seats: the nominees wait, and the secretariat approves them beyond the seats.
    for registration in nominees:
        approved = approve_registration(registration_id=registration.pk, actor=secretariat, force=True)
        assert approved.status == Registration.Status.APPROVED

    # The focal point exports the delegation's list (approved only), in Lao.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/lo/manage/{adgsom.slug}/export/", {
            "file_format": "xlsx", "language": "lo", "statuses": ["approved"],
            "columns": ["organization", "given_name", "family_name", "category", "status"],
        })
    job = Job.objects.filter(kind="exchange.export").latest("created_at")
    rows = list(openpyxl.load_workbook(io.BytesIO(job.result_file.read())).active.iter_rows(values_only=True))
    names = {(row[1], row[2]) for row in rows[1:]}
    assert {("Thị Thu", "Lý"), ("Minh", "Đặng"), ("Thị Hoa", "Bùi")} <= names
    assert {row[0] for row in rows[1:]} == {"ຫວຽດນາມ"}
    assert {row[3] for row in rows[1:]} <= {"ຜູ້ແທນ", "ຫົວໜ້າຄະນະຜູ້ແທນ"}
