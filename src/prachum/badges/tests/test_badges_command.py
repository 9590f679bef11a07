"""`prachum badges <slug> [--status approved] [--lang lo|en] [--layout ...] [--category code] -o FILE.pdf`."""

import pytest
from django.core.management import CommandError, call_command

from prachum.badges.tests.pdf_tools import pdf_pages_png, pdf_text, qr_codes_in
from prachum.meetings.tests.factories import make_category, make_meeting
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting():
    return make_meeting(slug="adgsom-6", title_en="ADGSOM", title_lo="ກອງປະຊຸມ ADGSOM")


def test_the_command_writes_the_approved_badges_of_a_category(meeting, tmp_path, capsys):
    delegates = make_category(meeting, code="delegate", name_en="Delegate", name_lo="ຜູ້ແທນ")
    media = make_category(meeting, code="media", name_en="Media")
    wanted = make_registration(meeting, delegates, status=Registration.Status.APPROVED, name_lo="ສົມສັກ ວົງສາ")
    make_registration(meeting, delegates, status=Registration.Status.PENDING)
    make_registration(meeting, media, status=Registration.Status.APPROVED)
    output = tmp_path / "badges.pdf"

    call_command("badges", "adgsom-6", "--category", "delegate", "--lang", "lo", "-o", str(output))

    assert "1 badge(s) of adgsom-6 written" in capsys.readouterr().out
    pdf = output.read_bytes()
    [page] = pdf_pages_png(pdf, tmp_path)
    assert qr_codes_in(page) == [wanted.badge_code]
    assert "ສົມສັກ ວົງສາ" in pdf_text(pdf, tmp_path) and "ຜູ້ແທນ" in pdf_text(pdf, tmp_path)


def test_pending_badges_on_request(meeting, tmp_path):
    registration = make_registration(meeting, status=Registration.Status.PENDING)
    output = tmp_path / "pending.pdf"
    call_command("badges", "adgsom-6", "--status", "pending", "--layout", "labels_2x5", "-o", str(output))
    [page] = pdf_pages_png(output.read_bytes(), tmp_path)
    assert qr_codes_in(page) == [registration.badge_code]


@pytest.mark.parametrize("args, message", [
    (["nowhere", "-o", "x.pdf"], "No meeting has the short name 'nowhere'"),
    (["adgsom-6", "--category", "press", "-o", "x.pdf"], "has no category 'press'"),
    (["adgsom-6", "-o", "x.pdf"], "no badge to print"),
])
def test_wrong_input_is_said_plainly(meeting, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("badges", *args)


def test_not_printed_leaves_out_the_badges_printed_before(meeting, tmp_path, capsys):
    first = make_registration(meeting, status=Registration.Status.APPROVED)
    call_command("badges", "adgsom-6", "-o", str(tmp_path / "first.pdf"))
    late = make_registration(meeting, status=Registration.Status.APPROVED)

    call_command("badges", "adgsom-6", "--not-printed", "-o", str(tmp_path / "late.pdf"))

    [page] = pdf_pages_png((tmp_path / "late.pdf").read_bytes(), tmp_path)
    assert qr_codes_in(page) == [late.badge_code] and first.badge_code != late.badge_code
    with pytest.raises(CommandError, match="no badge to print"):
        call_command("badges", "adgsom-6", "--not-printed", "-o", str(tmp_path / "none.pdf"))
