"""The focal point's portal over HTTP: only their delegation (others get an audited 403), nominating in
Lao one by one and from a file, endorsing, the Head of Delegation, submitting."""

import re

import pytest

from prachum.audit.models import AuditEvent
from prachum.exchange.tests.conftest import private_files_in
from prachum.meetings.tests.factories import make_category, make_organization
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_delegation, make_focal_point, make_organizer, make_registration
from prachum.registration.tests.web import open_meeting

pytestmark = pytest.mark.django_db

Status = Registration.Status


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRACHUM_DELIVERY = "inline"
    yield from private_files_in(tmp_path)


@pytest.fixture
def setup():
    meeting = open_meeting(slug="adgsom-fp", registration_mode="nomination", title_lo="ກອງປະຊຸມ ADGSOM",
                           title_en="ADGSOM")
    vn = make_delegation(meeting, organization=make_organization(code="VN", name_en="Viet Nam", name_lo="ຫວຽດນາມ"),
                         quota=3)
    th = make_delegation(meeting, organization=make_organization(code="TH", name_en="Thailand", name_lo="ໄທ"))
    delegate = make_category(meeting, code="delegate", name_lo="ຜູ້ແທນ", name_en="Delegate", needs_approval=True,
                             needs_endorsement=True)
    return {"meeting": meeting, "vn": vn, "th": th, "delegate": delegate,
            "focal_vn": make_focal_point(vn, email="focal.vn@example.org"), "focal_th": make_focal_point(th)}


def url(setup, delegation, what="", language="lo"):
    return f"/{language}/manage/{setup['meeting'].slug}/delegation/{setup[delegation].pk}/{what}"


def test_the_portal_shows_the_focal_points_delegation_and_its_quota_in_lao(client, setup):
    make_registration(setup["meeting"], setup["delegate"], delegation=setup["vn"], given_name="Thị Hà", family_name="Trần")
    make_registration(setup["meeting"], setup["delegate"], delegation=setup["th"], given_name="Somchai", family_name="T")
    client.force_login(setup["focal_vn"])
    response = client.get(f"/lo/manage/{setup['meeting'].slug}/delegation/")
    assert response.status_code == 302 and response.url == url(setup, "vn")
    page = client.get(url(setup, "vn")).content.decode()
    assert "ຫວຽດນາມ" in page and "Thị Hà" in page and "Somchai" not in page
    assert "1 ຈາກ 3" in page or "1 of 3" in page


@pytest.mark.parametrize("what", ["", "nominate/"])
def test_another_delegations_portal_by_url_is_refused_and_audited(client, setup, what):
    client.force_login(setup["focal_vn"])
    response = client.get(url(setup, "th", what))
    assert response.status_code == 403
    event = AuditEvent.objects.get(kind="access.denied")
    assert event.actor == setup["focal_vn"] and event.after["delegation"] == setup["th"].pk


def test_another_delegations_registration_through_ones_own_portal_is_refused_and_audited(client, setup):
    theirs = make_registration(setup["meeting"], setup["delegate"], delegation=setup["th"])
    client.force_login(setup["focal_vn"])
    for action in ("endorse", "decline", "head", "withdraw"):
        response = client.post(url(setup, "vn", f"r/{theirs.pk}/{action}/"))
        assert response.status_code == 403
    assert AuditEvent.objects.filter(kind="access.denied", actor=setup["focal_vn"]).count() == 4
    theirs.refresh_from_db()
    assert theirs.status == Status.PENDING and theirs.endorsed_at is None


def test_people_without_the_role_get_no_portal(client, setup):
    organizer = make_organizer(setup["meeting"])
    client.force_login(organizer)
    assert client.get(url(setup, "vn")).status_code == 403
    client.logout()
    assert client.get(url(setup, "vn")).status_code == 302  # to the login page


def nomination(setup, token, **overrides):
    data = {
        "honorific": "ms", "given_name": "Thị Lan", "family_name": "Phạm", "gender": "female",
        "position": "ເຈົ້າໜ້າທີ່", "email": "lan@example.org", "category": str(setup["delegate"].pk),
        "language": "en", "form_token": token,
    }
    data.update(overrides)
    return data


def test_nominating_one_by_one_in_lao_then_endorsing_marking_the_head_and_submitting(client, setup):
    client.force_login(setup["focal_vn"])
    page = client.get(url(setup, "vn", "nominate/")).content.decode()
    assert 'lang="lo"' in page
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    response = client.post(url(setup, "vn", "nominate/"), nomination(setup, token))
    assert response.status_code == 302
    lan = Registration.objects.get(email="lan@example.org")
    assert (lan.delegation, lan.nominated_by, lan.endorsed_by) == (setup["vn"], setup["focal_vn"], setup["focal_vn"])
    assert lan.status == Status.PENDING and lan.language == "en"

    # The same form sent twice registers once; a bad email is refused in Lao.
    client.post(url(setup, "vn", "nominate/"), nomination(setup, token))
    assert Registration.objects.filter(email="lan@example.org").count() == 1
    page = client.post(url(setup, "vn", "nominate/"), nomination(setup, token + "x", email="lan at example")).content.decode()
    assert "somsak@example.la" in page

    self_registered = make_registration(setup["meeting"], setup["delegate"], delegation=setup["vn"])
    assert client.post(url(setup, "vn", f"r/{self_registered.pk}/endorse/")).status_code == 302
    self_registered.refresh_from_db()
    assert self_registered.endorsed_by == setup["focal_vn"]

    client.post(url(setup, "vn", f"r/{lan.pk}/head/"), {"is_head": "1"})
    lan.refresh_from_db()
    assert lan.is_head_of_delegation

    client.post(url(setup, "vn", "submit/"))
    setup["vn"].refresh_from_db()
    assert setup["vn"].submitted_at is not None
    page = client.get(url(setup, "vn")).content.decode()
    assert "Thị Lan" in page


def test_nominating_from_a_file_goes_through_columns_dry_run_and_apply(client, setup, django_capture_on_commit_callbacks):
    client.force_login(setup["focal_vn"])
    start = f"/lo/manage/{setup['meeting'].slug}/import/"
    page = client.get(start + f"?delegation={setup['vn'].pk}")
    assert page.status_code == 200
    csv_data = ("Email,Given name,Family name,Gender,Position,Category\r\n"
                "an@example.org,Văn An,Lê,male,Official,delegate\r\n"
                "binh@example.org,Thị Bình,Đỗ,female,Official,ຜູ້ແທນ\r\n").encode("utf-8-sig")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(start, {"target": "registrations", "delegation": str(setup["vn"].pk),
                                   "file": SimpleUploadedFile("nominees.csv", csv_data, "text/csv")})
    assert response.status_code == 302
    columns_url = response.url
    page = client.get(columns_url).content.decode()
    assert "UTF-8 (BOM)" in page
    data = {f"column_{i}": key for i, key in enumerate(
        ["email", "given_name", "family_name", "gender", "position", "category"])}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(columns_url, data)
    assert response.status_code == 302
    review = client.get(response.url)
    assert review.status_code == 200
    review_page = review.content.decode()
    apply_url = re.search(r'action="([^"]+/apply/[^"]+)"', review_page).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(apply_url)
    assert response.status_code == 302
    nominees = Registration.objects.filter(delegation=setup["vn"]).order_by("email")
    assert [r.email for r in nominees] == ["an@example.org", "binh@example.org"]
    assert all(r.nominated_by == setup["focal_vn"] and r.endorsed_at for r in nominees)

    # Another focal point cannot open this upload, nor import into Viet Nam.
    client.force_login(setup["focal_th"])
    assert client.get(columns_url).status_code == 404
    response = client.post(start, {"target": "registrations", "delegation": str(setup["vn"].pk),
                                   "file": SimpleUploadedFile("x.csv", csv_data, "text/csv")})
    assert response.status_code == 200  # not a choice of theirs: the form says so
    assert Registration.objects.filter(delegation=setup["vn"]).count() == 2
