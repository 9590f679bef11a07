import hashlib
import urllib.parse
import urllib.request

import jwt
import pytest

from prachum.online.providers import BigBlueButton, ProviderError, bbb_checksum, bbb_url, jitsi_token, jitsi_url
from prachum.online.tests.bbb_server import FakeBigBlueButton

# The example of https://docs.bigbluebutton.org/development/api/#usage ("Usage", checksum steps 1–5).
DOC_SECRET = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"
DOC_QUERY = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444"
DOC_CHECKSUM = "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"
JITSI_SECRET = "a Jitsi secret of at least 32 bytes for HS256"


def test_the_checksum_is_the_one_of_the_api_documentation():
    assert bbb_checksum("create", DOC_QUERY, DOC_SECRET) == DOC_CHECKSUM


def test_the_signed_url_is_the_one_of_the_api_documentation():
    url = bbb_url("https://bbb.example.org/bigbluebutton/", DOC_SECRET, "create", [
        ("name", "Test Meeting"), ("meetingID", "abc123"), ("attendeePW", "111222"), ("moderatorPW", "333444"),
    ])
    assert url == f"https://bbb.example.org/bigbluebutton/api/create?{DOC_QUERY}&checksum={DOC_CHECKSUM}"


def test_a_server_url_with_or_without_api_gives_the_same_endpoint():
    one = bbb_url("https://bbb.example.org/bigbluebutton/api", "s", "getMeetings", [])
    two = bbb_url("https://bbb.example.org/bigbluebutton", "s", "getMeetings", [])
    assert one == two == f"https://bbb.example.org/bigbluebutton/api/getMeetings?checksum={hashlib.sha1(b'getMeetingss').hexdigest()}"


def test_create_is_idempotent_and_the_join_url_passes_the_servers_checksum_check():
    with FakeBigBlueButton("bbb-secret") as server:
        bbb = BigBlueButton(server_url=server.url, secret="bbb-secret")
        bbb.create(meeting_id="adgsom-7", name="ADGSOM · Opening")
        bbb.create(meeting_id="adgsom-7", name="ADGSOM · Opening")  # duplicateWarning is still SUCCESS
        url = bbb.join_url(meeting_id="adgsom-7", full_name="Japan – Taro Yamada", user_id="42", moderator=False)
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        assert params["fullName"] == "Japan – Taro Yamada" and params["userID"] == "42" and params["role"] == "VIEWER"
        assert "bbb-secret" not in url
        # The server accepts the signature of the join URL as it would on a real join.
        assert server.answer("join", urllib.parse.urlsplit(url).query).find("checksumError") == -1
        assert [call for call, _ in server.calls].count("create") == 2 and server.refused == []


def test_a_wrong_secret_is_refused_with_a_clear_error():
    with FakeBigBlueButton("right") as server:
        with pytest.raises(ProviderError, match="checksumError"):
            BigBlueButton(server_url=server.url, secret="wrong").create(meeting_id="m", name="M")


def test_attendees_are_read_from_get_meeting_info():
    with FakeBigBlueButton("s") as server:
        bbb = BigBlueButton(server_url=server.url, secret="s")
        assert bbb.attendees(meeting_id="nobody-yet") is None
        bbb.create(meeting_id="room", name="Room")
        server.meetings["room"]["attendees"] = [("42", "Japan – Taro Yamada", "VIEWER"), ("guest", "Someone", "VIEWER")]
        assert [a["user_id"] for a in bbb.attendees(meeting_id="room")] == ["42", "guest"]


def test_an_unreachable_server_is_a_provider_error():
    with pytest.raises(ProviderError, match="not reachable"):
        BigBlueButton(server_url="http://127.0.0.1:9/bigbluebutton/", secret="s").create(meeting_id="m", name="M")


def test_the_jitsi_token_verifies_with_the_secret_and_carries_room_user_and_moderator():
    token = jitsi_token(app_id="prachum", secret=JITSI_SECRET, server_url="https://meet.example.org/",
                        room="adgsom-demo-3", name="Japan – Taro Yamada", email="taro@example.org",
                        moderator=True, expires_at=2_000_000_000, now=1_900_000_000)
    claims = jwt.decode(token, JITSI_SECRET, algorithms=["HS256"], audience="jitsi",
                        options={"verify_exp": False, "verify_nbf": False, "verify_iat": False})
    assert claims["iss"] == "prachum" and claims["room"] == "adgsom-demo-3" and claims["sub"] == "meet.example.org"
    assert claims["exp"] == 2_000_000_000
    assert claims["context"]["user"] == {"name": "Japan – Taro Yamada", "email": "taro@example.org", "moderator": True}
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "another secret of at least thirty-two bytes", algorithms=["HS256"], audience="jitsi", options={"verify_exp": False})
    assert jitsi_url(server_url="https://meet.example.org/", room="adgsom-demo-3", token=token) == \
        f"https://meet.example.org/adgsom-demo-3?jwt={token}"
