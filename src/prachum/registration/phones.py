"""Phone numbers as people read them. Registrations store E.164 (+8562055512300: one form for searching,
exports and dialling from anywhere); pages show a number of the meeting's country in that country's
national form (020 55 512 300), as people there write it, and any other number in international form."""

import phonenumbers

PHONE_REGION = "LA"  # national numbers typed in a form are read as Lao ones (registration.forms.PhoneField)


def meeting_region(meeting) -> str:
    """The meeting's country: its host's, else Lao PDR."""
    host = getattr(meeting, "host", None)
    return (getattr(host, "country", "") or PHONE_REGION).upper()


def readable_phone(value: str, region: str = PHONE_REGION) -> str:
    if not value:
        return value
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_valid_number(number):
        return value
    national = phonenumbers.region_code_for_number(number) == region
    return phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.NATIONAL if national else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
