"""The device API under /api/v1/: tokens (expired, revoked, another meeting's), staff logins (and CSRF),
redeem, sync, undo, bundle, search, counter."""

import gzip
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from prachum.audit.models import AuditEvent
from prachum.checkin.models import CheckIn, Device
from prachum.checkin.services import create_device, revoke_device
from prachum.checkin.tests.conftest import new_id
from prachum.registration.tests.factories import make_registration

pytestmark = pytest.mark.django_db


def url(door, name, slug=None):
    return f"/api/v1/meetings/{slug or door.meeting.slug}/checkin/{name}/"


def post(client, path, body, token=None, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(path, data, content_type="application/json", **headers, **extra)


def get(client, path, token=None, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get(path, **headers, **extra)


def test_a_device_redeems_a_code_and_gets_the_counter(door, client):
    response = post(client, url(door, "redeem"), {"code": door.keo.badge_code, "session": door.day1.pk,
                                                  "client_id": new_id()}, door.token, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    data = response.json()
    assert data["outcome"] == "ok" and data["colour"] == "green"
    assert data["person"]["name"] == "Keo Phommachanh" and data["person"]["category"] == "Delegate"
    assert data["checkin"]["by"] == "Front desk"
    assert data["counter"] == {"session": door.day1.pk, "checked_in": 1, "expected": 3}
    assert Device.objects.get(pk=door.device.pk).last_seen_at is not None


def test_red_results_are_200_with_a_code_and_a_message_in_the_language_asked(door, client):
    response = post(client, url(door, "redeem"), {"code": door.cancelled.badge_code, "session": door.day1.pk,
                                                  "client_id": new_id()}, door.token, HTTP_ACCEPT_LANGUAGE="lo")
    data = response.json()
    assert (data["outcome"], data["code"]) == ("refused", "cancelled")
    assert data["message"] != "This registration was cancelled."  # the Lao catalog's


@pytest.mark.parametrize("make_token, code", [
    (lambda door: "pcd_" + "x" * 43, "token_unknown"),
    (lambda door: "not even a token", "token_unknown"),
    (lambda door: create_device(meeting=door.meeting, name="old",
                                expires_at=timezone.now() - timedelta(minutes=1))[1], "token_expired"),
])
def test_unknown_and_expired_tokens_are_401(door, client, make_token, code):
    response = post(client, url(door, "redeem"), {"code": door.keo.badge_code, "client_id": new_id()},
                    make_token(door))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert not CheckIn.objects.exists()


def test_a_revoked_token_is_401(door, client):
    revoke_device(device_id=door.device.pk, meeting=door.meeting, actor=door.manager)
    response = get(client, url(door, "bundle"), door.token)
    assert response.status_code == 401 and response.json()["error"]["code"] == "token_revoked"


def test_a_token_of_another_meeting_is_403(door, client):
    response = post(client, url(door, "redeem", slug="other-meeting"),
                    {"code": door.stranger.badge_code, "client_id": new_id()}, door.token)
    assert response.status_code == 403 and response.json()["error"]["code"] == "other_meeting"
    assert not CheckIn.objects.exists()


def test_check_in_staff_of_another_meeting_are_refused_and_audited(door, client):
    client.force_login(door.other_staff)
    response = get(client, url(door, "bundle"))
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    assert AuditEvent.objects.filter(kind="access.denied", meeting=door.meeting, actor=door.other_staff).exists()


def test_without_login_or_token_it_is_401(door, client):
    assert get(client, url(door, "search") + "?q=keo").status_code == 401


def test_staff_in_the_browser_need_the_csrf_token(door):
    client = Client(enforce_csrf_checks=True)
    client.force_login(door.staff)
    body = {"code": door.keo.badge_code, "session": door.day1.pk, "client_id": new_id()}
    assert post(client, url(door, "redeem"), body).status_code == 403
    client.get(f"/en/checkin/{door.meeting.slug}/")
    token = client.cookies["csrftoken"].value
    response = post(client, url(door, "redeem"), body, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200 and response.json()["checkin"]["by"] == "Noy Desk"


def test_bad_json_and_bad_sessions_are_400(door, client):
    response = post(client, url(door, "redeem"), b"{not json", door.token)
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_json"
    response = post(client, url(door, "redeem"), {"code": door.keo.badge_code, "session": "abc",
                                                  "client_id": new_id()}, door.token)
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_session"
    response = post(client, url(door, "redeem"), ["a list"], door.token)
    assert response.status_code == 400


@pytest.mark.parametrize("endpoint", ["redeem", "sync", "undo"])
@pytest.mark.parametrize("body, code, message", [
    (b"[" * 100_000 + b"]" * 100_000, "too_deep", "The request is nested too deeply."),
    (b'{"items": ' + b"[" * 20 + b"]" * 20 + b"}", "too_deep",  # 21 deep
     "The request is nested too deeply."),
    (b'{"code": "' + b"x" * (4 * 1024 * 1024) + b'"}', "too_large", "The request is too large."),
    (b" " * (11 * 1024 * 1024), "too_large", "The request is too large."),  # over Django's own read limit
    (b'{"code": "\xff\xfe"}', "bad_json", "The request is not valid JSON."),
    (b'"a string"', None, None),
    (b"42", None, None),
])
def test_hostile_bodies_are_a_400_with_the_apis_error_never_a_500(door, client, endpoint, body, code, message):
    response = post(client, url(door, endpoint), body, door.token, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    error = response.json()["error"]
    if code is None:  # valid JSON that is no object: each endpoint's own refusal
        code, message = {"sync": ("bad_batch", "The batch must be a list of check-ins.")}.get(
            endpoint, ("bad_json", "The request is not valid JSON."))
    assert (error["code"], error["message"]) == (code, message)


def test_a_body_twenty_deep_is_still_read(door, client):
    body = b'{"code": "%s", "session": %d, "client_id": "%s", "extra": %s}' % (
        door.keo.badge_code.encode(), door.day1.pk, new_id().encode(), b"[" * 19 + b"]" * 19)
    response = post(client, url(door, "redeem"), body, door.token)
    assert response.status_code == 200 and response.json()["outcome"] == "ok"


def test_a_hostile_body_is_refused_in_lao_when_asked(door, client):
    response = post(client, url(door, "redeem"), b"[" * 100_000, door.token, HTTP_ACCEPT_LANGUAGE="lo")
    assert response.status_code == 400
    with translation.override("lo"):
        assert response.json()["error"] == {"code": "too_deep", "message": gettext("The request is nested too deeply.")}


def test_sync_answers_a_result_per_item(door, client):
    items = [
        {"client_id": new_id(), "code": door.keo.badge_code, "session": door.day1.pk,
         "checked_in_at": timezone.now().isoformat()},
        {"client_id": new_id(), "code": "22222222222Z", "session": door.day1.pk},
    ]
    items.append(dict(items[0]))
    response = post(client, url(door, "sync"), {"sent_at": timezone.now().isoformat(), "items": items}, door.token)
    assert response.status_code == 200
    assert [r["outcome"] for r in response.json()["results"]] == ["ok", "refused", "ok"]
    assert CheckIn.objects.count() == 1


def test_undo_through_the_api(door, client):
    client_id = new_id()
    post(client, url(door, "redeem"), {"code": door.keo.badge_code, "session": door.day1.pk,
                                       "client_id": client_id}, door.token)
    response = post(client, url(door, "undo"), {"client_id": client_id}, door.token)
    assert response.status_code == 200 and response.json()["counter"]["checked_in"] == 0
    response = post(client, url(door, "undo"), {"client_id": new_id()}, door.token)
    assert response.status_code == 400 and response.json()["error"]["code"] == "not_found"


def test_the_counter_follows_check_ins_undos_syncs_and_conflicts(door, client):
    """The counter row moves in each change's transaction: a replay or an amber result leaves it, an undo
    takes one off, an offline check-in counted once counts once however often it is sent, and a conflict
    that steps aside for an earlier check-in leaves the count as it was."""
    def redeem(person, client_id=None):
        return post(client, url(door, "redeem"), {"code": person.badge_code, "session": door.day1.pk,
                                                  "client_id": client_id or new_id()}, door.token).json()

    def sync(*items, token=door.token):
        body = {"sent_at": timezone.now().isoformat(), "items": list(items)}
        return post(client, url(door, "sync"), body, token).json()["results"]

    def counted():
        return get(client, url(door, "counter") + f"?session={door.day1.pk}", door.token).json()["checked_in"]

    def truth():
        return CheckIn.objects.filter(session=door.day1, undone_at__isnull=True, is_conflict=False).count()

    first = new_id()
    assert redeem(door.keo, first)["counter"]["checked_in"] == 1
    assert redeem(door.lan)["counter"]["checked_in"] == 2
    assert redeem(door.keo, first)["counter"]["checked_in"] == 2  # a replay: nothing new
    assert redeem(door.keo)["counter"]["checked_in"] == 2  # already in: amber
    assert redeem(door.cancelled)["counter"]["checked_in"] == 2  # red
    assert post(client, url(door, "undo"), {"client_id": first}, door.token).json()["counter"]["checked_in"] == 1
    assert post(client, url(door, "undo"), {"client_id": first}, door.token).json()["counter"]["checked_in"] == 1
    item = {"client_id": new_id(), "code": door.somsak.badge_code, "session": door.day1.pk,
            "checked_in_at": timezone.now().isoformat()}
    assert [r["outcome"] for r in sync(item)] == ["ok"]
    assert [r["outcome"] for r in sync(item)] == ["ok"]  # the same queued check-in sent again
    assert counted() == 2 == truth()
    # Another device had let Somsak in earlier while offline: its check-in counts instead, still one.
    earlier = {**item, "client_id": new_id(), "checked_in_at": (timezone.now() - timedelta(minutes=20)).isoformat()}
    assert [r["outcome"] for r in sync(earlier, token=door.token2)] == ["ok"]
    assert counted() == 2 == truth()
    # Undoing the one that counts lets the waiting conflict count: still one for Somsak.
    post(client, url(door, "undo"), {"client_id": earlier["client_id"]}, door.token2)
    assert counted() == 2 == truth()
    post(client, url(door, "undo"), {"client_id": item["client_id"]}, door.token)
    assert counted() == 1 == truth()
    # The meeting as a whole has a counter of its own.
    whole = post(client, url(door, "redeem"), {"code": door.keo.badge_code, "client_id": new_id()}, door.token).json()
    assert whole["counter"] == {"session": None, "checked_in": 1, "expected": 3}


def test_a_counter_made_late_starts_from_the_check_ins_already_stored(door, client):
    """A session whose check-ins were stored around the services (an import, say) has no counter yet: the
    first check-in through them makes it from what is stored, so the desk is right from then on."""
    CheckIn.objects.create(registration=door.keo, session=door.day1, client_id=new_id(), checked_in_at=timezone.now())
    response = post(client, url(door, "redeem"), {"code": door.lan.badge_code, "session": door.day1.pk,
                                                  "client_id": new_id()}, door.token)
    assert response.json()["counter"]["checked_in"] == 2


def test_the_bundle_is_gzipped_and_names_everyone_with_a_status(door, client):
    post(client, url(door, "redeem"), {"code": door.keo.badge_code, "session": door.day1.pk,
                                       "client_id": new_id()}, door.token)
    response = get(client, url(door, "bundle"), door.token, HTTP_ACCEPT_ENCODING="gzip", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Encoding"] == "gzip" and "no-store" in response["Cache-Control"]
    data = json.loads(gzip.decompress(response.content))
    people = {row[0]: row for row in data["people"]}
    assert people[door.keo.badge_code][1:3] == ["Keo Phommachanh", "ແກ້ວ ພົມມະຈັນ"]
    assert people[door.lan.badge_code][1] == "Nguyen Lan"
    assert data["delegations"][people[door.lan.badge_code][3]] == ["Viet Nam", "ຫວຽດນາມ", "Viet Nam", "vn"]
    assert people[door.cancelled.badge_code][5] == "c" and people[door.online.badge_code][5] == "o"
    assert door.stranger.badge_code not in people
    assert data["checked_in"][str(door.day1.pk)][0][0] == door.keo.badge_code
    assert data["ends_at"] == door.meeting.ends_at.isoformat()


def test_the_bundle_of_5000_people_is_under_300_kb_gzipped(door, client):
    from prachum.registration.models import Registration

    rows = []
    for n in range(5000):
        registration = Registration(
            meeting=door.meeting, category=door.delegate, status="approved", given_name=f"Given{n}",
            family_name=f"Family{n}", name_lo=f"ຊື່ {n}", email=f"p{n}@example.org", delegation=door.viet_nam,
        )
        registration.set_manage_token()
        rows.append(registration)
    Registration.objects.bulk_create(rows, batch_size=1000)
    response = get(client, url(door, "bundle"), door.token, HTTP_ACCEPT_ENCODING="gzip")
    assert len(response.content) < 300 * 1024, len(response.content)


@pytest.mark.parametrize("query, who", [
    ("keo", "keo"), ("ພົມມະຈັນ", "keo"), ("ສົມສັກ", "somsak"), ("viet nam", "lan"), ("ຫວຽດນາມ", "lan"),
    ("nguyen lan", "lan"),
])
def test_search_by_lao_or_latin_name_or_delegation(door, client, query, who):
    response = get(client, url(door, "search") + f"?q={query}&session={door.day1.pk}", door.token)
    results = response.json()["results"]
    assert [r["id"] for r in results] == [getattr(door, who).pk]
    assert results[0]["code"] == getattr(door, who).badge_code


def test_search_finds_cancelled_people_with_their_status_and_no_other_meetings_people(door, client):
    make_registration(door.other_meeting, given_name="Keo", family_name="Elsewhere", status="approved")
    cancelled = make_registration(door.meeting, given_name="Keo", family_name="Cancelled", status="cancelled")
    results = get(client, url(door, "search") + "?q=keo", door.token).json()["results"]
    assert {r["id"]: r["status"] for r in results} == {door.keo.pk: "approved", cancelled.pk: "cancelled"}


def test_search_of_one_letter_or_garbage_finds_nothing(door, client):
    assert get(client, url(door, "search") + "?q=k", door.token).json()["results"] == []
    assert get(client, url(door, "search") + "?q=" + "%00" * 300, door.token).status_code == 200


def test_counter(door, client):
    assert get(client, url(door, "counter") + "?session=0", door.token).json() == {
        "session": None, "checked_in": 0, "expected": 3}
