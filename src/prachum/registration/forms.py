"""The registration form: shape and format checks only. It never saves and never sends.

One form serves the public page (a new registration) and the private manage page (an edit: no
category, organization, consent, participation or form token; the registration's category decides
which questions apply). The views hand `form.person()`, `form.answers()` and the other cleaned
values to the registration services.

Custom questions are all rendered, each with data attributes saying for which categories and on
which earlier answer it is shown; a few lines of JavaScript (static/registration/form.js) hide the
others. The server decides by itself: a question that does not apply to the chosen category or
whose condition is not met is neither required nor kept.
"""

import html
import re
import secrets
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

import phonenumbers
from babel import Locale
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.forms.models import ModelChoiceIterator
from django.utils.html import escape, format_html, strip_tags
from django.utils.safestring import SafeData, mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from prachum.core.bilingual import active_language, pick
from prachum.core.caching import ProcessCache
from prachum.core.collation import lao_sort_key
from prachum.core.plain_text import BIDI_CONTROLS, clean_text
from prachum.directory.models import Honorific
from prachum.directory.protocol import protocol_rank
from prachum.meetings.models import Category, CustomQuestion, Delegation, Meeting, QuestionKind
from prachum.meetings.selectors import PublicMeetingVersion, public_meeting_version, public_meetings, with_programme
from prachum.registration.models import Participation, Registration
from prachum.registration.names import propose_latin_name
from prachum.registration.phones import PHONE_REGION, readable_phone

# The person's own data, as registration.services takes it.
PERSON_FIELDS = (
    "honorific", "given_name", "family_name", "family_name_first", "name_lo", "gender", "position", "position_lo",
    "email", "phone",
)

NAME_MAX_LENGTH = 150          # given and family name (the model's columns)
LONG_NAME_MAX_LENGTH = 300     # name in Lao script, position, organization
EMAIL_MAX_LENGTH = 254
PHONE_MAX_LENGTH = 40          # what a person may type, spaces and all; stored as E.164
TEXT_ANSWER_MAX_LENGTH = 500
LONG_TEXT_ANSWER_MAX_LENGTH = 4000
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_MEGABYTES = MAX_UPLOAD_BYTES // (1024 * 1024)
FORM_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
RADIO_CHOICES_UP_TO = 6  # more choices than this: a drop-down list

# Territories in CLDR that are not countries or not in ISO 3166-1 (Kosovo, XK, is kept).
NOT_COUNTRIES = frozenset({"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"})

FILE_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
FILE_KINDS_ACCEPTED = ("pdf", "jpeg", "png")
PHOTO_KINDS_ACCEPTED = ("jpeg", "png")
ACCEPT_ATTRIBUTE = {
    "pdf": "application/pdf,.pdf",
    "jpeg": "image/jpeg,.jpg,.jpeg",
    "png": "image/png,.png",
}

MESSAGES = {
    "name_romanized": _("We wrote your name in Latin letters as “%(name)s”. Correct it if needed, then send the form again."),
    "name_romanized_other": _("We wrote the name in Latin letters as “%(name)s”. Correct it if needed, then send the form again."),
    "display_name": _("Write only the email address, such as somsak@example.la, without a name or angle brackets."),
    "email": _("Enter an email address such as somsak@example.la."),
    "phone": _("Enter a phone number we can call, such as 020 5551 2345 or +856 20 5551 2345."),
    "file_too_big": _("This file is larger than %(limit)s MB. Please choose a smaller file."),
    "file_type": _("This file is not a PDF, JPEG or PNG file. Please choose one of these kinds."),
    "photo_type": _("This photo is not a JPEG or PNG image that can be opened. Please choose another photo."),
    "consent": _("Please agree to the privacy notice to register."),
    "position": _("Please write your position, in Lao or in English."),
    "form_token": _("This form has expired. Please check your answers and send it again."),
    "sensitive_kept": _("Your answer is on record (%(shown)s). Leave this empty to keep it."),
    "choose_again": _("Please choose the file again: for your safety, the browser does not keep it when the form comes back."),
}


def mask(value, shown_at_the_end: int = 3) -> str:
    """A sensitive answer as the person may see it again: all but its last three characters hidden."""
    text = str(value)
    if len(text) <= shown_at_the_end:
        return "•" * len(text)
    return "•" * (len(text) - shown_at_the_end) + text[-shown_at_the_end:]


def ascii_digits(value: str) -> str:
    """Lao (໐–໙) and other decimal digits as 0–9."""
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in value)


class TextField(forms.CharField):
    """Text a person types: trimmed, NFC, no direction overrides, no control characters."""

    def __init__(self, *, multiline: bool = False, **kwargs):
        self.multiline = multiline
        if multiline:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4}))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return clean_text(value, multiline=self.multiline) if value else value


class EmailAddressField(forms.CharField):
    """One plain address; the domain is lowercased (the part before @ is kept as written)."""

    widget = forms.EmailInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", EMAIL_MAX_LENGTH)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "email", "spellcheck": "false", "autocapitalize": "off"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        value = unicodedata.normalize("NFC", value.strip())
        if "<" in value or ">" in value or '"' in value or (" " in value and "@" in value):
            raise ValidationError(MESSAGES["display_name"], code="display_name")
        if any(char in BIDI_CONTROLS or unicodedata.category(char) == "Cc" for char in value):
            raise ValidationError(MESSAGES["email"], code="email")
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(MESSAGES["email"], code="email") from None
        local, _at, domain = value.rpartition("@")
        return f"{local}@{domain.lower()}"


class PhoneField(forms.CharField):
    """A phone number as E.164 (+8562055512345); national numbers are read as Lao ones."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", PHONE_MAX_LENGTH)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        value = ascii_digits(unicodedata.normalize("NFKC", value))
        try:
            number = phonenumbers.parse(value, PHONE_REGION)
        except phonenumbers.NumberParseException:
            raise ValidationError(MESSAGES["phone"], code="phone") from None
        if not phonenumbers.is_valid_number(number):
            raise ValidationError(MESSAGES["phone"], code="phone")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def prepare_value(self, value):
        # A stored number is shown as people write it (020 55 512 300), which this field reads back.
        return readable_phone(value, PHONE_REGION) if isinstance(value, str) and value.startswith("+") else value


class NumberField(forms.DecimalField):
    """A number; Lao digits are accepted."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 15)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value):
        if isinstance(value, str):
            value = ascii_digits(value.strip())
        return super().to_python(value)


def file_kind(upload) -> str | None:
    """What the file is by its first bytes ("pdf", "jpeg", "png"), whatever its name says."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for kind, signatures in FILE_SIGNATURES.items():
        if any(head.startswith(signature) for signature in signatures):
            return kind
    return None


def is_decodable_image(upload) -> bool:
    from PIL import Image

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            ok = image.format in ("JPEG", "PNG")
    except Exception:  # Pillow raises many kinds for a broken or hostile image
        ok = False
    upload.seek(0)
    return ok


class CheckedFileField(forms.FileField):
    """An upload checked by size and by content: PDF, JPEG or PNG; a photo must be an image that opens."""

    def __init__(self, *, photo: bool = False, **kwargs):
        self.photo = photo
        self.kinds = PHOTO_KINDS_ACCEPTED if photo else FILE_KINDS_ACCEPTED
        accept = ",".join(ACCEPT_ATTRIBUTE[kind] for kind in self.kinds)
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": accept}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if value and hasattr(value, "read") and not hasattr(value, "url"):
            if value.size > MAX_UPLOAD_BYTES:
                raise ValidationError(MESSAGES["file_too_big"], code="file_too_big", params={"limit": MAX_UPLOAD_MEGABYTES})
            kind = file_kind(value)
            if self.photo:
                if kind not in PHOTO_KINDS_ACCEPTED or not is_decodable_image(value):
                    raise ValidationError(MESSAGES["photo_type"], code="photo_type")
            elif kind not in self.kinds or (kind != "pdf" and not is_decodable_image(value)):
                # A picture is kept re-encoded (services/uploads.py): it must open, whatever its first bytes say.
                raise ValidationError(MESSAGES["file_type"], code="file_type")
        return value


def country_choices(language: str) -> list[tuple[str, str]]:
    """ISO 3166 countries with their names in `language` (Babel/CLDR), in that language's order."""
    names = Locale.parse(language).territories
    countries = [
        (code, name) for code, name in names.items() if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    ]
    if language == "lo":
        countries.sort(key=lambda item: lao_sort_key(item[1]))
    else:
        countries.sort(key=lambda item: unicodedata.normalize("NFKD", item[1]).casefold())
    return countries


def new_form_token() -> str:
    """The one-time token of one rendering of the form: a repeated submit of it finds the same registration."""
    return secrets.token_urlsafe(24)


def _choice_label(choice: dict) -> str:
    return str(pick(_ChoiceText(choice), "label"))


class _ChoiceText:
    """A question's choice {"value", "lo", "en"} seen as an object with label_lo / label_en."""

    def __init__(self, choice: dict):
        self.label_lo = choice.get("lo", "") or ""
        self.label_en = choice.get("en", "") or choice.get("value", "")


YES_NO_CHOICES = [("yes", pgettext_lazy("answer", "Yes")), ("no", pgettext_lazy("answer", "No"))]


def _yes_no(value):
    return {"yes": True, "no": False}.get(value)


def condition_value(value: str) -> str:
    """A question's show_if_value as the form posts it (yes/no questions post "yes" or "no")."""
    lowered = (value or "").strip().lower()
    return {"true": "yes", "false": "no"}.get(lowered, (value or "").strip())


def answer_matches(answer, expected: str) -> bool:
    """Does an answer meet a condition "show if the answer is <expected>"?"""
    expected = condition_value(expected).casefold()
    if answer is None or answer == "" or answer == []:
        return False
    if isinstance(answer, bool):
        return ("yes" if answer else "no") == expected
    if isinstance(answer, (list, tuple)):
        return any(str(item).casefold() == expected for item in answer)
    return str(answer).casefold() == expected


class QuestionSpec:
    """What the form needs of one active question: its current version, its categories and condition."""

    def __init__(self, question: CustomQuestion, controller_key: str | None):
        self.question = question
        self.key = question.key
        self.version = question.current_version
        self.kind = self.version.kind
        self.field_name = f"q_{question.key}"
        self.category_ids = sorted(c.pk for c in self.version.categories.all())
        self.controller_key = controller_key
        self.condition_value = condition_value(self.version.show_if_value) if controller_key else ""

    @property
    def is_file(self) -> bool:
        return self.kind in (QuestionKind.FILE, QuestionKind.PHOTO)


def active_questions(meeting: Meeting) -> list[QuestionSpec]:
    """The meeting's questions shown on the form, in order, with what decides whether each applies."""
    questions = list(
        CustomQuestion.objects.filter(meeting=meeting, is_active=True, current_version__isnull=False)
        .select_related("current_version__show_if_question")
        .prefetch_related("current_version__categories")
        .order_by("order", "pk")
    )
    keys = {q.pk: q.key for q in questions}
    specs = []
    for question in questions:
        controller = question.current_version.show_if_question_id
        specs.append(QuestionSpec(question, keys.get(controller) if controller else None))
    return specs


@dataclass(frozen=True, eq=False)
class FormDefinition:
    """What the public form of one meeting is built from: the meeting, its delegations in protocol
    order, its categories in order, its questions, and the version of the meeting it was read at (the blank
    form's fields are kept per version). Shared read-only between requests (see below)."""

    meeting: Meeting
    delegations: tuple[Delegation, ...]
    categories: tuple[Category, ...]
    questions: tuple[QuestionSpec, ...]
    version: PublicMeetingVersion


def _load_form_definition(slug: str, version: PublicMeetingVersion) -> FormDefinition | None:
    # With what a submission's email is written from, so that writing it reads neither again.
    meeting = (with_programme(public_meetings()).select_related("host").prefetch_related("email_texts")
               .filter(pk=version.pk).first())
    if meeting is None:
        return None
    delegations = delegations_in_protocol_order(meeting)
    return FormDefinition(
        meeting=meeting, delegations=tuple(delegations), categories=tuple(meeting.categories.order_by("order", "pk")),
        questions=tuple(active_questions(meeting)), version=version,
    )


# Organizers change the form through meetings/setup.py, which moves the meeting's version (updated_at) in the
# same transaction. What moves no version (an organization renamed in the directory, an edit in Django's
# admin) shows within twice this many seconds (the definition's, then the blank fields' rendered from it).
UNVERSIONED_CHANGE_SECONDS = 5 * 60

# slug -> the meeting's version, re-read after settings.PRACHUM_PROCESS_CACHE_SECONDS (one indexed row); an
# address that is no public meeting is not kept. slug -> definition, kept while that version holds.
_recent_form_versions = ProcessCache("registration form versions")
_recent_definitions = ProcessCache("registration form definitions", max_age=UNVERSIONED_CHANGE_SECONDS)


def public_form_definition(slug: str) -> FormDefinition | None:
    """The form's definition of a public meeting, or None; up to settings.PRACHUM_PROCESS_CACHE_SECONDS
    late, like the meeting page's version, and read again only when that version moved.

    Loading it was most of the blank form's cost and a third of a submit's (bench/registrations.py); loading
    it again every few seconds in each process, and rendering the blank fields again with it, put ~30 ms
    into the p99 of the production shape (bench/README.md). Being seconds late is harmless: a submission
    checks the meeting, its category and its delegation again, fresh, in its transaction
    (services/submission.py), so a closed category or registration is refused all the same."""
    version = _recent_form_versions.get(slug)
    if version is None:
        version = public_meeting_version(slug)
        if version is None:
            return None
        _recent_form_versions.put(slug, version)
    # The version is read before the definition: a change committed between the two is read with the
    # older version, and read again at the next look.
    return _recent_definitions.get_or_load(slug, lambda: _load_form_definition(slug, version), version=version)


def delegations_in_protocol_order(meeting: Meeting) -> list[Delegation]:
    """The meeting's delegations in protocol order, each organization as of the meeting's first day: a state that
    had not joined ASEAN yet is listed after the member states, under its name of that day."""
    delegations = meeting.delegations.select_related("organization")  # each knows its meeting: no query more
    return sorted(delegations, key=lambda d: (protocol_rank(d.organization), d.pk))


def not_listed_messages(email: str) -> dict:
    """The organization list's help and error, in the active language, for people whose organization is not
    in it: write to the secretariat, at `email` (a mailto link) where the meeting has one."""
    if email:
        link = format_html('<a href="mailto:{0}">{0}</a>', email)
        return {
            "help": mark_safe(escape(gettext("If your organization is not in the list, please write to the "
                                             "secretariat at %(email)s.")) % {"email": link}),
            "error": mark_safe(escape(gettext("Please choose your delegation. If your organization is not in "
                                              "the list, write to the secretariat at %(email)s.")) % {"email": link}),
        }
    return {
        "help": gettext("If your organization is not in the list, please write to the meeting's secretariat."),
        "error": gettext("Please choose your delegation. If your organization is not in the list, write to the "
                         "meeting's secretariat."),
    }


class _OneOptionPerLabel(ModelChoiceIterator):
    """Mr./Ms. and Mrs. are one word in Lao (ທ່ານ, ທ່ານນາງ): a page offers each label once (the first in the
    list's order, so ທ່ານນາງ is Ms.), and always the honorific a person already has."""

    def __iter__(self):
        seen = set()
        for value, label in super().__iter__():
            code = str(getattr(value, "value", value))
            if label in seen and code != self.field.kept:
                continue
            seen.add(label)
            yield value, label


class HonorificField(forms.ModelChoiceField):
    iterator = _OneOptionPerLabel
    kept = ""  # the code of the honorific on record, offered whatever its label


class RegistrationForm(forms.Form):
    """A new registration (`registration=None`) or an edit of one (`registration=` it)."""

    use_required_attribute = False  # the server says what is missing, in the page's language
    required_css_class = "field--required"
    error_css_class = "field--error"
    # What the form says when it proposes Latin letters for a Lao name (a MESSAGES key): to the person, or,
    # where someone else fills the form in, about "the name".
    name_romanized_message = "name_romanized"

    honorific = HonorificField(
        label=_("Title"), required=False, queryset=Honorific.objects.all(), to_field_name="code", empty_label="—",
    )
    given_name = TextField(
        label=_("Given name"), max_length=NAME_MAX_LENGTH, required=False,  # see clean(): this or the family name
        help_text=_("If you have only one name, write it here."),
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    family_name = TextField(
        label=_("Family name"), max_length=NAME_MAX_LENGTH, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    family_name_first = forms.BooleanField(
        label=_("My family name is written first (as in Vietnamese, Chinese or Korean names)"), required=False,
    )
    name_lo = TextField(label=_("Name in Lao script (if you have one)"), max_length=LONG_NAME_MAX_LENGTH, required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=Registration.Gender.choices, widget=forms.RadioSelect)
    # Either position will do (see clean()); the page's language asks for its own first.
    position = TextField(
        label=_("Position in English"), max_length=LONG_NAME_MAX_LENGTH, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title", "lang": "en"}),
    )
    position_lo = TextField(
        label=_("Position in Lao"), max_length=LONG_NAME_MAX_LENGTH, required=False,
        widget=forms.TextInput(attrs={"lang": "lo"}),
    )
    email = EmailAddressField(label=_("Email"))
    phone = PhoneField(
        label=_("Phone"), required=False,
        help_text=_("A Lao number such as 020 5551 2345, or any number with its country code, such as +84 24 3825 3536."),
    )

    def __init__(self, data=None, files=None, *, meeting: Meeting, registration: Registration | None = None,
                 invitation=None, questions: list[QuestionSpec] | None = None,
                 definition: FormDefinition | None = None, **kwargs):
        self.meeting = meeting
        self.definition = definition
        if definition is not None and questions is None:
            questions = list(definition.questions)
        self.registration = registration
        self.invitation = invitation
        self.language = active_language()
        self.questions = active_questions(meeting) if questions is None else questions
        self.is_edit = registration is not None
        self.form_token_was_invalid = False
        self.sensitive_on_record = {}
        if self.is_edit:
            kwargs.setdefault("initial", self._initial_from(registration))
        super().__init__(data, files, **kwargs)

        if not self.is_edit:
            self._add_registration_fields()
        for field in self.fields.values():
            field.shown_required = field.required
        self.fields["given_name"].shown_required = True
        kept = self.initial.get("honorific")
        self.fields["honorific"].kept = str(getattr(kept, "code", kept) or "")
        self.own_position = "position_lo" if self.language == "lo" else "position"
        self.other_position = "position" if self.language == "lo" else "position_lo"
        self.fields[self.own_position].shown_required = True
        if self.language == "en":
            self.fields["position"].label = _("Position")
            self.fields["position_lo"].label = _("Position in Lao (if you have one)")
        else:
            self.fields["position"].label = _("Position in English (if you have one)")
        for spec in self.questions:
            field = self.fields[spec.field_name] = self._question_field(spec)
            field.shown_required = spec.version.is_required
            if spec.field_name in self.sensitive_on_record:
                kept = MESSAGES["sensitive_kept"] % {"shown": mask(self.sensitive_on_record[spec.field_name])}
                field.help_text = format_lazy("{} {}", field.help_text, kept) if field.help_text else kept

    # — building —

    def _add_registration_fields(self):
        meeting, invitation = self.meeting, self.invitation
        if self.definition is not None:
            delegations = list(self.definition.delegations)
        else:
            delegations = delegations_in_protocol_order(meeting)
        if invitation is not None and invitation.delegation_id:
            delegations = [d for d in delegations if d.pk == invitation.delegation_id]
        self.delegations = {str(d.pk): d for d in delegations}
        fields = {}
        if meeting.allows_free_text_organization and not (invitation and invitation.delegation_id):
            fields["organization"] = TextField(
                label=_("Organization"), max_length=LONG_NAME_MAX_LENGTH,
                help_text=_("Choose your delegation from the list, or write the name of your organization."),
                widget=forms.TextInput(attrs={"list": "organization-list", "autocomplete": "organization"}),
            )
        elif delegations:
            fields["organization"] = forms.ChoiceField(
                label=_("Organization"),
                choices=[("", _("Choose your delegation"))] + [(str(d.pk), str(d.organization.name)) for d in delegations],
            )
            if not (invitation and invitation.delegation_id):
                # Someone whose organization sends no delegation learns whom to ask, not only "required".
                not_listed = not_listed_messages(meeting.secretariat_email)
                fields["organization"].help_text = not_listed["help"]
                fields["organization"].error_messages.update(required=not_listed["error"], invalid_choice=not_listed["error"])

        categories = self.definition.categories if self.definition is not None else meeting.categories.order_by("order", "pk")
        if invitation is not None and invitation.category_id:
            categories = [c for c in categories if c.pk == invitation.category_id]
        else:
            categories = [c for c in categories if c.allows_self_registration]
        self.categories = {str(c.pk): c for c in categories}
        fields["category"] = forms.ChoiceField(
            label=_("I take part as"), choices=[(pk, str(c.name)) for pk, c in self.categories.items()],
            widget=forms.RadioSelect,
        )
        if len(self.categories) == 1:
            self.initial.setdefault("category", next(iter(self.categories)))

        if meeting.format == Meeting.Format.HYBRID:
            fields["participation"] = forms.ChoiceField(
                label=_("I will take part"), choices=Participation.choices, widget=forms.RadioSelect,
            )
        fields["consent"] = forms.BooleanField(
            label=_("I have read the privacy notice and agree that my data is used as it describes."),
            error_messages={"required": MESSAGES["consent"]},
        )
        fields["form_token"] = forms.CharField(widget=forms.HiddenInput, required=False)
        self.fields.update(fields)
        if invitation is not None:
            for name in ("email", "honorific", "given_name", "family_name"):
                if getattr(invitation, name):
                    self.initial.setdefault(name, getattr(invitation, name))
            # An invitation naming the person only in Lao script: the form opens with the Lao in its own
            # field and the Latin letters proposed, for the person to check.
            proposal = propose_latin_name(given_name=self.initial.get("given_name") or "",
                                          family_name=self.initial.get("family_name") or "", name_lo="")
            if proposal is not None:
                self.initial.update(given_name=proposal.given_name, family_name=proposal.family_name,
                                    name_lo=proposal.name_lo)
            if invitation.delegation_id and "organization" in self.fields:
                self.initial.setdefault("organization", str(invitation.delegation_id))
        if not self.is_bound:
            self.initial.setdefault("form_token", new_form_token())

    def _question_field(self, spec: QuestionSpec) -> forms.Field:
        version = spec.version
        common = {"label": str(version.label), "required": False, "help_text": str(version.help)}
        kind = spec.kind
        if kind == QuestionKind.TEXT:
            return TextField(max_length=TEXT_ANSWER_MAX_LENGTH, **common)
        if kind == QuestionKind.LONG_TEXT:
            return TextField(multiline=True, max_length=LONG_TEXT_ANSWER_MAX_LENGTH, **common)
        if kind == QuestionKind.NUMBER:
            return NumberField(**common)
        if kind == QuestionKind.DATE:
            return forms.DateField(
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), input_formats=["%Y-%m-%d"], **common
            )
        if kind in (QuestionKind.CHOICE, QuestionKind.MULTIPLE_CHOICE):
            choices = [(str(c.get("value", "")), _choice_label(c)) for c in version.choices or []]
            if kind == QuestionKind.MULTIPLE_CHOICE:
                return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
            if len(choices) <= RADIO_CHOICES_UP_TO:
                return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
            return forms.ChoiceField(choices=[("", "—")] + choices, **common)
        if kind == QuestionKind.YES_NO:
            return forms.TypedChoiceField(choices=YES_NO_CHOICES, coerce=_yes_no, empty_value=None,
                                          widget=forms.RadioSelect, **common)
        if kind == QuestionKind.COUNTRY:
            return forms.ChoiceField(choices=[("", "—")] + country_choices(self.language), **common)
        if kind == QuestionKind.FILE:
            return CheckedFileField(**common)
        if kind == QuestionKind.PHOTO:
            return CheckedFileField(photo=True, **common)
        raise ValueError(f"unknown question kind {kind!r}")

    def _initial_from(self, registration: Registration) -> dict:
        initial = {name: getattr(registration, name) for name in PERSON_FIELDS}
        answers = {a.question_id: a for a in registration.answers.select_related("question_version")}
        for spec in self.questions:
            answer = answers.get(spec.question.pk)
            if answer is None:
                continue
            if spec.is_file:
                initial[spec.field_name] = answer.file
            elif spec.version.is_sensitive:
                # Never sent back to the browser: the field stays empty, and empty keeps what is on record.
                self.sensitive_on_record[spec.field_name] = answer.answer
            elif spec.kind == QuestionKind.YES_NO:
                initial[spec.field_name] = {True: "yes", False: "no"}.get(answer.answer)
            else:
                initial[spec.field_name] = answer.answer
        return initial

    # — checking —

    def clean_form_token(self):
        token = self.cleaned_data.get("form_token") or ""
        if not FORM_TOKEN_PATTERN.match(token):
            # A new token, so that sending the form again works; the answers are kept.
            self.form_token_was_invalid = True
            self.data = self.data.copy()
            self.data["form_token"] = new_form_token()
            raise ValidationError(MESSAGES["form_token"], code="form_token")
        return token

    def clean_organization(self):
        value = self.cleaned_data.get("organization") or ""
        if isinstance(self.fields["organization"], forms.ChoiceField):
            return self.delegations[value]
        lowered = value.casefold()
        for delegation in self.delegations.values():
            names = {delegation.organization.name_en.casefold(), delegation.organization.name_lo.casefold()}
            if lowered in names - {""}:
                return delegation
        return value

    def clean_category(self):
        return self.categories[self.cleaned_data["category"]]

    def clean(self):
        cleaned = super().clean()
        proposed = self._propose_latin_name(cleaned)  # then the form comes back with the proposal to check
        if not proposed and not cleaned.get("given_name") and not cleaned.get("family_name") and "given_name" not in self._errors \
                and "family_name" not in self._errors:
            # A person may have one name only (written here as the given name), or only a family name on record.
            self.add_error("given_name", ValidationError(self.fields["given_name"].error_messages["required"], code="required"))
        if not cleaned.get("position") and not cleaned.get("position_lo") \
                and not {"position", "position_lo"} & set(self._errors):
            self.add_error(self.own_position, ValidationError(MESSAGES["position"], code="required"))
        category_id = self._category_id()
        applicable = self.applicable_question_keys(category_id)
        for spec in self.questions:
            name = spec.field_name
            if spec.key not in applicable:
                self._errors.pop(name, None)  # not asked: no answer kept, no complaint
                cleaned.pop(name, None)
                continue
            if spec.version.is_required and name not in self._errors and self._is_unanswered(spec):
                self.add_error(name, ValidationError(self.fields[name].error_messages["required"], code="required"))
        return cleaned

    def _propose_latin_name(self, cleaned) -> bool:
        """A name written only in Lao script: the Lao goes to name_lo, its Latin letters to the given and
        family names, and the form comes back for the person to check them; sent again, it is taken as
        written. Whether it proposed."""
        if {"given_name", "family_name", "name_lo"} & set(self._errors):
            return False
        proposal = propose_latin_name(given_name=cleaned.get("given_name") or "",
                                      family_name=cleaned.get("family_name") or "", name_lo=cleaned.get("name_lo") or "")
        if proposal is None:
            return False
        self.data = self.data.copy()
        for name in ("given_name", "family_name", "name_lo"):
            self.data[self.add_prefix(name)] = getattr(proposal, name)
        self.add_error("given_name", ValidationError(
            MESSAGES[self.name_romanized_message], code="name_romanized", params={"name": proposal.latin}))
        return True

    def _category_id(self) -> int | None:
        if self.is_edit:
            return self.registration.category_id
        category = self.cleaned_data.get("category")
        return category.pk if category is not None else None

    def _keeps_what_is_on_record(self, spec: QuestionSpec, value) -> bool:
        """An edit that leaves a file or a sensitive answer empty keeps the stored one."""
        if not self.is_edit or value:
            return False
        return bool(self.initial.get(spec.field_name)) if spec.is_file else spec.field_name in self.sensitive_on_record

    def _is_unanswered(self, spec: QuestionSpec) -> bool:
        value = self.cleaned_data.get(spec.field_name)
        if self._keeps_what_is_on_record(spec, value):
            return False
        return value is None or value == "" or value == [] or value is False and spec.is_file

    def applicable_question_keys(self, category_id: int | None) -> set[str]:
        """The questions that apply: asked of this category, and whose condition (if any) the answers meet.

        A question whose controlling question does not apply does not apply either."""
        by_key = {spec.key: spec for spec in self.questions}
        applies: dict[str, bool] = {}

        def check(spec: QuestionSpec, seen: frozenset) -> bool:
            if spec.key in applies:
                return applies[spec.key]
            result = not spec.category_ids or category_id in spec.category_ids
            if result and spec.controller_key:
                controller = by_key.get(spec.controller_key)
                if controller is None or controller.key in seen:
                    result = False
                else:
                    result = check(controller, seen | {spec.key}) and answer_matches(
                        self.cleaned_data.get(controller.field_name), spec.condition_value
                    )
            applies[spec.key] = result
            return result

        return {spec.key for spec in self.questions if check(spec, frozenset())}

    # — what the services get —

    def person(self) -> dict:
        data = self.cleaned_data
        return {name: data.get(name, "") if name != "family_name_first" else bool(data.get(name)) for name in PERSON_FIELDS}

    def asked_questions(self) -> dict:
        """Question key → the question as this form showed it (with its current_version then): what the
        answers answer."""
        return {spec.key: spec.question for spec in self.questions}

    def answers(self) -> dict:
        """Question key → value. A new registration: the answers given to questions that apply.
        An edit: every question (None removes an answer that no longer applies or was emptied),
        except file questions without a new file, whose stored file stays."""
        applicable = self.applicable_question_keys(self._category_id())
        answers = {}
        for spec in self.questions:
            value = self.cleaned_data.get(spec.field_name) if spec.key in applicable else None
            if isinstance(value, Decimal):
                value = int(value) if value == value.to_integral_value() else value
            if self.is_edit:
                if spec.key in applicable and spec.is_file and not _is_new_upload(value):
                    continue
                if spec.key in applicable and self._keeps_what_is_on_record(spec, value):
                    continue
                answers[spec.key] = value
            elif value not in (None, "", []):
                answers[spec.key] = value
        return answers

    def organization(self) -> tuple:
        """(delegation or None, organization_name)."""
        value = self.cleaned_data.get("organization")
        if value is None or isinstance(value, str):
            return None, value or ""
        return value, ""

    # — rendering —

    def question_fields(self):
        """(bound field, spec) for the template, which adds the data attributes."""
        return [(self[spec.field_name], spec) for spec in self.questions]

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(anchor id, field label, message) for each error, in the order of the form."""
        summary = []
        for name, field in self.fields.items():
            for message in self.errors.get(name, []):
                bound = self[name]
                anchor = bound.auto_id
                if isinstance(field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
                    anchor = f"{bound.auto_id}_0"
                if isinstance(message, SafeData):  # a message with a link: as text, in the summary's own link
                    message = html.unescape(strip_tags(message))
                summary.append((anchor, str(field.label or ""), message))
        return summary

    def full_clean(self):
        super().full_clean()
        if self._errors:
            # A page that comes back cannot hold the files chosen: say so beside each file question.
            for spec in self.questions:
                if spec.is_file and spec.field_name in self.files:
                    field = self.fields[spec.field_name]
                    again = MESSAGES["choose_again"]
                    field.help_text = format_lazy("{} {}", field.help_text, again) if field.help_text else again
                    self[spec.field_name].help_text = field.help_text  # the bound field copied it already


def _is_new_upload(value) -> bool:
    return bool(value) and hasattr(value, "read") and not hasattr(value, "url")


class ResendLinkForm(forms.Form):
    use_required_attribute = False

    email = EmailAddressField(label=_("Email"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].shown_required = True

    def error_summary(self):
        return [("id_email", str(self.fields["email"].label), message) for message in self.errors.get("email", [])]
