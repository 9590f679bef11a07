"""The registration form's standard fields: each one's wrong, missing, oversized and hostile input."""

import re
import unicodedata

import pytest

from django.utils.html import escape

from prachum.meetings.models import Meeting
from prachum.directory.honorifics import STANDARD_HONORIFICS
from prachum.registration.forms import MAX_UPLOAD_BYTES, RegistrationForm
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_delegation
from prachum.registration.tests.web import (
    errors_of,
    manage_token_of,
    manage_url,
    open_category,
    open_meeting,
    post_form,
    register_url,
    valid_data,
)
from prachum.meetings.tests.factories import make_organization

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def refused(client, meeting, the_category, **fields) -> dict:
    response = post_form(client, meeting, valid_data(the_category, **fields))
    assert response.status_code == 200
    assert not Registration.objects.exists()
    return errors_of(response)


def test_a_valid_form_stores_the_person_normalised(client, meeting, category):
    response = post_form(client, meeting, valid_data(
        category, given_name="  Keo   Mala ", email="Keo.Mala@Example.ORG", phone="+856 20 5551 2345",
    ))

    manage_token_of(response)
    registration = Registration.objects.get()
    assert registration.given_name == "Keo Mala"
    assert registration.email == "Keo.Mala@example.org"  # the domain lowercased, the mailbox as written
    assert registration.phone == "+8562055512345"
    assert registration.name_lo == "ແກ້ວ ພົມມະຈັນ"
    assert registration.language == "en"
    assert registration.consent_at is not None


@pytest.mark.parametrize("name", ["given_name", "position", "gender", "email", "category", "consent"])
def test_a_missing_required_field_is_named_beside_it_and_in_the_summary(client, meeting, category, name):
    data = valid_data(category)
    del data[name]
    if name == "given_name":
        del data["family_name"]  # one of the two names is enough
    response = post_form(client, meeting, data)

    errors = errors_of(response)
    assert list(errors) == [name]
    html = response.content.decode()
    assert 'data-error-summary' in html
    assert f'href="#id_{name}' in html  # the summary links to the field (a radio group: its first option)
    if name in ("given_name", "position", "email"):
        assert re.search(rf'aria-describedby="[^"]*id_{name}_error"[^>]*id="id_{name}"', html)


def test_missing_fields_are_reported_in_lao_on_the_lao_page(client, meeting, category):
    data = valid_data(category, family_name="", name_lo="")  # with a Lao name, the form proposes Latin letters
    del data["given_name"]
    response = post_form(client, meeting, data, language="lo")
    assert errors_of(response)["given_name"] == ["ກະລຸນາປ້ອນຂໍ້ມູນໃສ່ຊ່ອງນີ້."]
    assert '<html lang="lo">' in response.content.decode()


def test_every_other_answer_is_kept_after_an_error(client, meeting, category):
    data = valid_data(category, phone="12", name_lo="ສົມສັກ", position="Director-General", honorific="dr")
    response = post_form(client, meeting, data)

    html = response.content.decode()
    assert list(errors_of(response)) == ["phone"]
    assert 'value="Keo"' in html and 'value="Phommachanh"' in html and 'value="ສົມສັກ"' in html
    assert 'value="Director-General"' in html and 'value="keo@example.org"' in html
    assert '<option value="dr" selected>' in html
    assert re.search(r'value="female"[^>]*checked', html)
    assert re.search(rf'value="{category.pk}"[^>]*checked', html)
    assert re.search(r'name="consent"[^>]*checked', html)
    assert f'name="form_token" value="{data["form_token"]}"' in html  # the same form: a retry stays one registration


def test_one_name_is_enough_given_or_family(client, meeting, category):
    manage_token_of(post_form(client, meeting, valid_data(category, family_name="")))
    manage_token_of(post_form(client, meeting, valid_data(category, given_name="", email="b@example.org")))
    assert sorted(Registration.objects.values_list("given_name", "family_name")) == [("", "Phommachanh"), ("Keo", "")]
    assert list(refused_after(client, meeting, category, given_name=" ", family_name="  ")) == ["given_name"]


def refused_after(client, meeting, the_category, **fields) -> dict:
    before = Registration.objects.count()
    response = post_form(client, meeting, valid_data(the_category, email="c@example.org", **fields))
    assert Registration.objects.count() == before
    return errors_of(response)


def test_html_and_script_in_names_are_stored_as_written_and_escaped_on_the_manage_page(client, meeting, category):
    hostile = '<script>alert("x")</script><b>Keo</b>'
    response = post_form(client, meeting, valid_data(category, given_name=hostile, position="<img src=x onerror=alert(1)>"))

    html = client.get(manage_url(manage_token_of(response))).content.decode()
    assert Registration.objects.get().given_name == hostile
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>Keo" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;Keo&lt;/b&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize("char", ["\u202e", "\u202a", "\u202d", "\u2066", "\u2067", "\u2069"])
def test_characters_that_reverse_the_text_are_refused(client, meeting, category, char):
    errors = refused(client, meeting, category, family_name=f"Phom{char}hcanam")
    assert errors == {"family_name": ["Please remove the characters that change the direction of the text."]}


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\t", "\n", "\x7f", "\x85"])
def test_control_characters_in_a_name_are_refused(client, meeting, category, char):
    errors = refused(client, meeting, category, given_name=f"Ke{char}o")
    assert list(errors) == ["given_name"]


def test_a_ten_kilobyte_name_is_refused(client, meeting, category):
    errors = refused(client, meeting, category, given_name="K" * 10_000)
    assert errors["given_name"] == ["Ensure this value has at most 150 characters (it has 10000)."]


def test_names_are_stored_in_nfc(client, meeting, category):
    decomposed = unicodedata.normalize("NFD", "Nguyễn")
    assert decomposed != "Nguyễn"
    post_form(client, meeting, valid_data(category, family_name=decomposed, family_name_first="on"))
    registration = Registration.objects.get()
    assert registration.family_name == "Nguyễn"
    assert registration.family_name_first is True
    assert registration.full_name == "Nguyễn Keo"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("໐໒໐ ໕໕໕໑ ໒໓໔໕", "+8562055512345"),  # Lao digits
        ("020-5551-2345", "+8562055512345"),
        ("+856 21 212 345", "+85621212345"),  # a Vientiane landline
        ("+84 24 3825 3536", "+842438253536"),  # Ha Noi
        ("", ""),  # optional
    ],
)
def test_phone_numbers_are_read_as_lao_ones_and_stored_as_e164(client, meeting, category, typed, stored):
    manage_token_of(post_form(client, meeting, valid_data(category, phone=typed)))
    assert Registration.objects.get().phone == stored


@pytest.mark.parametrize("typed", ["12345", "020 555", "call me", "+1 555 0100 0000 0000", "0" * 41])
def test_a_phone_number_that_cannot_be_called_is_refused(client, meeting, category, typed):
    errors = refused(client, meeting, category, phone=typed)
    assert list(errors) == ["phone"]


@pytest.mark.parametrize("typed", ["Somsak <s@example.la>", '"Somsak" <s@example.la>', "<s@example.la>", "Somsak s@example.la"])
def test_an_email_with_a_display_name_is_refused_with_a_clear_message(client, meeting, category, typed):
    errors = refused(client, meeting, category, email=typed)
    assert errors == {"email": ["Write only the email address, such as somsak@example.la, without a name or angle brackets."]}


@pytest.mark.parametrize("typed", ["somsak", "somsak@", "@example.la", "s@@example.la", "s@exa mple.la", "s@example.la\u202e"])
def test_an_invalid_email_is_refused(client, meeting, category, typed):
    assert list(refused(client, meeting, category, email=typed)) == ["email"]


@pytest.mark.parametrize(
    ("name", "value"),
    [("honorific", "Sir"), ("gender", "robot"), ("category", "999999"), ("category", "abc")],
)
def test_a_choice_that_is_not_offered_is_refused(client, meeting, category, name, value):
    assert list(refused(client, meeting, category, **{name: value})) == [name]


def test_a_category_closed_to_self_registration_is_neither_offered_nor_accepted(client, meeting, category):
    closed = open_category(meeting, name_en="Co-Chair", allows_self_registration=False)
    html = client.get(register_url(meeting)).content.decode()
    assert "Co-Chair" not in html
    assert list(refused(client, meeting, category, category=str(closed.pk))) == ["category"]


def test_each_page_offers_the_honorifics_in_its_own_language_and_stores_the_code(client, meeting, category):
    english = client.get(register_url(meeting)).content.decode()
    lao = client.get(register_url(meeting, "lo")).content.decode()
    for code, label_en, label_lo in STANDARD_HONORIFICS:
        assert f'<option value="{code}">{escape(label_en)}</option>' in english
        if code != "mrs":  # ທ່ານນາງ, as Ms.: each Lao label once
            assert f'<option value="{code}">{label_lo}</option>' in lao
    assert "ທ່ານ" not in english.split('name="honorific"')[1].split("</select>")[0]
    lao_options = re.findall(r"<option[^>]*>([^<]*)</option>", lao.split('name="honorific"')[1].split("</select>")[0])
    assert len(lao_options) == len(set(lao_options))

    post_form(client, meeting, valid_data(category, honorific="he"), language="lo")
    assert Registration.objects.get().honorific.code == "he"


def test_an_unknown_honorific_is_refused(client, meeting, category):
    assert "honorific" in refused(client, meeting, category, honorific="Mr.")


def test_delegations_are_offered_in_protocol_order_with_names_in_the_page_language(client, meeting, category):
    viet_nam = make_delegation(meeting, organization=make_organization(name_en="Viet Nam", name_lo="ຫວຽດນາມ", protocol_order=11))
    brunei = make_delegation(meeting, organization=make_organization(name_en="Brunei Darussalam", name_lo="ບຣູໄນ", protocol_order=1))

    english = client.get(register_url(meeting)).content.decode()
    lao = client.get(register_url(meeting, "lo")).content.decode()
    assert english.index(">Brunei Darussalam<") < english.index(">Viet Nam<")
    assert lao.index(">ບຣູໄນ<") < lao.index(">ຫວຽດນາມ<")  # the options (the word is also in a Lao help text)

    post_form(client, meeting, valid_data(category, organization=str(viet_nam.pk)))
    assert Registration.objects.get().delegation == viet_nam
    assert brunei.registrations.count() == 0


def test_without_free_text_a_delegation_must_be_chosen(client, meeting, category):
    make_delegation(meeting)
    other_meeting = open_meeting()
    elsewhere = make_delegation(other_meeting)
    assert list(refused(client, meeting, category)) == ["organization"]
    assert list(refused(client, meeting, category, organization="Ministry of Fun")) == ["organization"]
    assert list(refused(client, meeting, category, organization=str(elsewhere.pk))) == ["organization"]


def test_free_text_organizations_match_a_delegation_by_name_or_are_kept_as_written(client, category):
    meeting = category.meeting
    Meeting.objects.filter(pk=meeting.pk).update(allows_free_text_organization=True)
    japan = make_delegation(meeting, organization=make_organization(name_en="Japan", name_lo="ຍີ່ປຸ່ນ"))

    html = client.get(register_url(meeting)).content.decode()
    assert 'list="organization-list"' in html and '<option value="Japan">' in html

    post_form(client, meeting, valid_data(category, organization="  japan "))
    post_form(client, meeting, valid_data(category, organization="National University of Laos", email="b@example.org"))
    first, second = Registration.objects.order_by("pk")
    assert (first.delegation, first.organization_name) == (japan, "")
    assert (second.delegation, second.organization_name) == (None, "National University of Laos")


def test_participation_is_asked_only_at_a_hybrid_meeting(client, meeting, category):
    assert 'name="participation"' not in client.get(register_url(meeting)).content.decode()

    hybrid = open_meeting(format=Meeting.Format.HYBRID)
    hybrid_category = open_category(hybrid)
    assert 'name="participation"' in client.get(register_url(hybrid)).content.decode()
    assert list(refused(client, hybrid, hybrid_category)) == ["participation"]
    manage_token_of(post_form(client, hybrid, valid_data(hybrid_category, participation="online")))
    assert Registration.objects.get().participation == "online"


def test_consent_shows_the_meetings_privacy_notice_in_the_page_language(client, category):
    meeting = category.meeting
    Meeting.objects.filter(pk=meeting.pk).update(
        privacy_notice_en="We keep your data for one year.", privacy_notice_lo="ພວກເຮົາເກັບຂໍ້ມູນຂອງທ່ານໄວ້ໜຶ່ງປີ."
    )
    assert "We keep your data for one year." in client.get(register_url(meeting)).content.decode()
    assert "ພວກເຮົາເກັບຂໍ້ມູນຂອງທ່ານໄວ້ໜຶ່ງປີ." in client.get(register_url(meeting, "lo")).content.decode()


def test_the_form_renders_in_lao_and_in_english(client, meeting, category):
    lao = client.get(register_url(meeting, "lo")).content.decode()
    english = client.get(register_url(meeting, "en")).content.decode()
    assert '<html lang="lo">' in lao and "ກອງປະຊຸມທົດລອງ" in lao
    assert '<html lang="en">' in english and "Test meeting" in english


def test_the_form_does_not_hold_the_upload_limit_in_two_places():
    assert MAX_UPLOAD_BYTES == 5 * 1024 * 1024
    assert RegistrationForm.use_required_attribute is False  # errors come from the server, in the page's language
