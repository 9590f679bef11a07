"""What the API shows of a meeting's sessions, categories, delegations and registrations, and what it takes
to create or change a registration. Never a private manage link or its token; answers are not shown."""

import unicodedata
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from prachum.meetings.models import Category, Delegation, Session
from prachum.registration.models import Registration

from .serializers import bilingual


class SessionSerializer(serializers.ModelSerializer):
    title = bilingual("title")
    location = bilingual("location")

    class Meta:
        model = Session
        fields = ["id", "title", "starts_at", "ends_at", "location", "order"]
        read_only_fields = fields


class CategorySerializer(serializers.ModelSerializer):
    name = bilingual("name")

    class Meta:
        model = Category
        fields = ["id", "code", "name", "quota", "needs_approval", "needs_endorsement", "allows_self_registration",
                  "order"]
        read_only_fields = fields


class DelegationSerializer(serializers.ModelSerializer):
    organization = serializers.SerializerMethodField()
    seats_taken = serializers.SerializerMethodField()

    class Meta:
        model = Delegation
        fields = ["id", "organization", "quota", "seats_taken", "submitted_at"]
        read_only_fields = fields

    def get_organization(self, delegation) -> dict:
        organization = delegation.organization  # as of the meeting's first day
        return {"id": organization.pk, "lo": organization.name_lo, "en": organization.name_en}

    def get_seats_taken(self, delegation) -> int:
        return self.context["seats_taken"]["delegations"].get(delegation.pk, 0)


class RegistrationSerializer(serializers.ModelSerializer):
    category = serializers.IntegerField(source="category_id")
    delegation = serializers.IntegerField(source="delegation_id", allow_null=True)
    honorific = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = ["id", "status", "category", "delegation", "organization_name", "participation", "honorific",
                  "given_name", "family_name", "family_name_first", "name_lo", "gender", "position", "position_lo",
                  "email", "phone", "language", "is_head_of_delegation", "protocol_role", "endorsed_at",
                  "decided_at", "waitlisted_at", "cancelled_at", "created_at", "updated_at"]
        read_only_fields = fields

    def get_honorific(self, registration) -> str | None:
        return registration.honorific.code if registration.honorific_id else None


class NamesOnlySerializer(serializers.ModelSerializer):
    """What check-in staff see: names and status (as the organizer pages show them)."""

    class Meta:
        model = Registration
        fields = ["id", "status", "given_name", "family_name", "family_name_first", "name_lo"]
        read_only_fields = fields


# The serializers above say what a registration shows (and the OpenAPI schema); the two functions below write
# the same JSON without a serializer per row: a list page's 100 rows through DRF's fields cost more CPU than
# its query. test_registration_rows.py holds them equal to the serializers.
# Each shown field: (its name, the column read, its kind: "dt" a datetime, "bool", "int", or text).
_SHOWN = {name: (name, "", "text") for name in RegistrationSerializer.Meta.fields}
_SHOWN.update({
    "id": ("id", "pk", "int"), "category": ("category", "category_id", "int"),
    "delegation": ("delegation", "delegation_id", "int"),
    "honorific": ("honorific", "honorific_id", "text"),  # the honorific's code: its foreign key's to_field
    "family_name_first": ("family_name_first", "", "bool"), "is_head_of_delegation": ("is_head_of_delegation", "", "bool"),
    **{name: (name, "", "dt") for name in ("endorsed_at", "decided_at", "waitlisted_at", "cancelled_at",
                                            "created_at", "updated_at")},
})
_SHOWN = {name: (shown, column or name, kind) for name, (shown, column, kind) in _SHOWN.items()}
FULL = [_SHOWN[name] for name in RegistrationSerializer.Meta.fields]
NAMES_ONLY = [_SHOWN[name] for name in NamesOnlySerializer.Meta.fields]


def shown_columns(names_only: bool) -> list[str]:
    """The columns registration_rows reads (for QuerySet.values)."""
    return [column for _name, column, _kind in (NAMES_ONLY if names_only else FULL)]


def registration_rows(rows, *, names_only: bool) -> list[dict]:
    """RegistrationSerializer(many=True).data (NamesOnlySerializer's with names_only) of `rows`, dicts of
    shown_columns(names_only) (QuerySet.values). Datetimes as DRF writes them: ISO 8601 in the current
    time zone, "Z" for UTC."""
    fields = NAMES_ONLY if names_only else FULL
    zone = timezone.get_current_timezone()
    shown = []
    for row in rows:
        out = {}
        for name, column, kind in fields:
            value = row[column]
            if value is None:
                out[name] = None
            elif kind == "text":
                out[name] = str(value)
            elif kind == "dt":
                out[name] = _iso(value, zone)
            elif kind == "bool":
                out[name] = bool(value)
            else:
                out[name] = int(value)
        shown.append(out)
    return shown


def registration_row(registration: Registration, *, names_only: bool) -> dict:
    """registration_rows of one Registration instance."""
    fields = NAMES_ONLY if names_only else FULL
    row = {column: registration.pk if column == "pk" else getattr(registration, column) for _n, column, _k in fields}
    return registration_rows([row], names_only=names_only)[0]


def _iso(value: datetime, zone) -> str:
    value = value.astimezone(zone) if timezone.is_aware(value) else timezone.make_aware(value, zone)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _text(max_length, **kwargs):
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True, trim_whitespace=True,
                                 **kwargs)


class PersonInput(serializers.Serializer):
    """The person's own fields, as the registration form takes them."""

    given_name = _text(150)
    family_name = _text(150)
    family_name_first = serializers.BooleanField(required=False)
    name_lo = _text(150)
    gender = serializers.ChoiceField(choices=Registration._meta.get_field("gender").choices, required=False,
                                     allow_blank=True)
    position = _text(300)
    position_lo = _text(300)
    email = serializers.EmailField(max_length=254)
    phone = serializers.RegexField(r"^\+[1-9][0-9]{6,14}$", required=False, allow_blank=True, max_length=16,
                                   error_messages={"invalid": _("Write the phone number as +8562055512345.")})

    def validate(self, data):
        for name in ("given_name", "family_name", "name_lo", "position", "position_lo"):
            if name in data:
                data[name] = unicodedata.normalize("NFC", data[name])
        if "email" in data:
            data["email"] = data["email"].strip()
        return data


class RegistrationCreate(PersonInput):
    category = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    delegation = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False, allow_null=True)
    organization_name = _text(300)
    participation = serializers.ChoiceField(choices=Registration._meta.get_field("participation").choices,
                                            required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=Registration._meta.get_field("language").choices, required=False)

    def validate(self, data):
        data = super().validate(data)
        if not (data.get("given_name") or data.get("family_name") or data.get("name_lo")):
            raise serializers.ValidationError({"family_name": [_("Please write the person's name.")]})
        return data


class RegistrationUpdate(PersonInput):
    email = serializers.EmailField(max_length=254, required=False)
    category = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    delegation = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False, allow_null=True)
    organization_name = _text(300)
    participation = serializers.ChoiceField(choices=Registration._meta.get_field("participation").choices,
                                            required=False)


class DecisionInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    unchanged_since = serializers.DateTimeField(required=False, allow_null=True,
                                                help_text="The registration's updated_at as you saw it: refused "
                                                          "(409, code changed) if it changed since.")
