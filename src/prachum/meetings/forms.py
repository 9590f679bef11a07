"""Forms of the organizer area's meeting setup: shape and format checks, in the page's language.

Forms never save: the views hand `cleaned_data` to prachum.meetings.setup. Times are typed as the
meeting's local times (datetime-local inputs) and become aware datetimes in the meeting's time zone here.
Text that organizers write is plain text: trimmed, NFC, without direction overrides or control
characters (core.plain_text.clean_text), and without HTML tags, which pages would show as typed.
"""

import re
import zoneinfo
from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from prachum.core.plain_text import clean_text
from prachum.directory.history import organization_as_of
from prachum.directory.models import Organization

from .email_texts import PLACEHOLDERS, SUBJECT_PLACEHOLDERS, unknown_placeholders
from .models import (
    MAX_AGENDA_ITEMS, AgendaItem, Category, CustomQuestion, CustomQuestionVersion, Delegation, EmailText, Meeting,
    QuestionKind, Role, Session, validate_slug_not_reserved,
)

HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z!?][^>]*>")
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
TIME_ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})
MAX_FOCAL_POINTS = 10

ERRORS = {
    "html": _("Please write plain text: HTML tags such as <b> are not allowed here."),
    "time_zone": _("“%(value)s” is not a time zone we know. Choose one from the list, e.g. Asia/Vientiane."),
    "ends_before_start": _("The end must be after the start."),
    "closes_before_opens": _("Registration must close after it opens."),
    "title": _("Give a title in at least one language."),
    "name": _("Give a name in at least one language."),
    "label": _("Give the question in at least one language."),
    "duplicate_slug": _("Another meeting already uses this short name. Please choose another one."),
    "duplicate_code": _("Another category of this meeting already has this code."),
    "duplicate_key": _("Another question of this meeting already has this key."),
    "duplicate_delegation": _("This organization already has a delegation at this meeting."),
    "emails": _("“%(value)s” is not an email address. Write one address per line."),
    "emails_twice": _("“%(value)s” is written twice."),
    "too_many": _("At most %(n)s addresses at a time, please."),
    "choices": _("Line %(n)s: write each choice as “value | Lao | English”, e.g. “veg | ອາຫານຜັກ | Vegetarian”."),
    "choices_needed": _("A choice question needs at least two choices."),
    "choices_twice": _("The value “%(value)s” is used twice."),
    "show_if_value": _("Say which answer shows this question."),
    "placeholder": _("Unknown placeholder: %(names)s. You can use: %(allowed)s."),
    "endorsement": _("A category that needs the focal point's endorsement also needs the secretariat's approval."),
    "delegation": _("Choose the delegation of this focal point."),
    "confirm": _("Please tick the box to confirm."),
}


def plain_text(value: str, *, multiline: bool = False) -> str:
    value = clean_text(value or "", multiline=multiline)
    if HTML_TAG.search(value):
        raise ValidationError(ERRORS["html"], code="html")
    return value


class PlainTextField(forms.CharField):
    def __init__(self, *, multiline: bool = False, **kwargs):
        self.multiline = multiline
        if multiline:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4}))
        super().__init__(**kwargs)

    def to_python(self, value):
        return plain_text(super().to_python(value), multiline=self.multiline)


class LocalDateTimeField(forms.DateTimeField):
    """A local date and time, naive; the form makes it aware in the meeting's time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT)
    input_formats = [LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        for fmt in self.input_formats:
            try:
                return datetime.strptime(str(value).strip(), fmt)
            except ValueError:
                continue
        raise ValidationError(self.error_messages["invalid"], code="invalid")


def local(moment: datetime | None, zone: str) -> datetime | None:
    """An aware datetime as the naive local time a datetime-local input shows."""
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None) if moment else None


def aware(naive: datetime | None, zone: ZoneInfo) -> datetime | None:
    return naive.replace(tzinfo=zone) if naive else None


def _text_fields(model, names, *, multiline=()):
    """PlainTextFields with the model field's label, length and blank-ness."""
    fields = {}
    for name in names:
        model_field = model._meta.get_field(name)
        fields[name] = PlainTextField(
            label=model_field.verbose_name, required=not model_field.blank, multiline=name in multiline,
            max_length=model_field.max_length, help_text=model_field.help_text,
        )
    return fields


class SetupForm(forms.Form):
    use_required_attribute = False  # the server says what is missing, in the page's language
    required_css_class = "field--required"
    error_css_class = "field--error"


# -- the meeting -------------------------------------------------------------------------------------

MEETING_TEXTS = ("series", "title_lo", "title_en", "description_lo", "description_en", "venue_lo", "venue_en",
                 "privacy_notice_lo", "privacy_notice_en")
MEETING_TIMES = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at", "edits_close_at")


class MeetingForm(SetupForm):
    """The meeting's own settings: a new meeting (`meeting=None`) or a change to one."""

    slug = forms.SlugField(label=_("Short name in addresses"), max_length=80, validators=[validate_slug_not_reserved],
                           help_text=_("Letters a–z, digits and hyphens, e.g. adgsom-2026. The public page is /m/<short name>/."))

    def __init__(self, *args, meeting: Meeting | None = None, **kwargs):
        self.meeting = meeting
        if meeting is not None:
            initial = {name: getattr(meeting, name) for name in self.model_fields()}
            initial.update({name: local(getattr(meeting, name), meeting.time_zone) for name in MEETING_TIMES})
            initial["host"] = meeting.host_id
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        texts = _text_fields(Meeting, MEETING_TEXTS, multiline=("description_lo", "description_en",
                                                                "privacy_notice_lo", "privacy_notice_en"))
        fields = {"slug": self.fields.pop("slug"), "series": texts["series"], "title_lo": texts["title_lo"],
                  "title_en": texts["title_en"], "description_lo": texts["description_lo"],
                  "description_en": texts["description_en"]}
        get = Meeting._meta.get_field
        fields["format"] = forms.ChoiceField(label=get("format").verbose_name, choices=Meeting.Format.choices,
                                             widget=forms.RadioSelect)
        fields["default_language"] = forms.ChoiceField(label=get("default_language").verbose_name,
                                                       choices=get("default_language").choices, widget=forms.RadioSelect)
        fields["time_zone"] = forms.CharField(
            label=get("time_zone").verbose_name, max_length=64,
            widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
            help_text=_("The times below are in this zone, e.g. Asia/Vientiane."),
        )
        for name in ("starts_at", "ends_at"):
            fields[name] = LocalDateTimeField(label=get(name).verbose_name)
        fields["ends_at"].help_text = _("Sessions take place on these days. Once it has sessions on its first and "
                                        "last days, the meeting starts with the first and ends with the last.")
        fields["venue_lo"], fields["venue_en"] = texts["venue_lo"], texts["venue_en"]
        fields["host"] = forms.ModelChoiceField(
            label=get("host").verbose_name, required=False, queryset=Organization.objects.order_by("protocol_order", "name_en"),
        )
        if meeting is not None:  # named as on the meeting's first day, as its pages name the host
            fields["host"].label_from_instance = lambda o: str(organization_as_of(o, meeting.starts_on).name)
        fields["contact_email"] = forms.EmailField(label=get("contact_email").verbose_name, required=False,
                                                   max_length=254, help_text=get("contact_email").help_text)
        fields["registration_mode"] = forms.ChoiceField(label=_("How people register"),
                                                        choices=Meeting.RegistrationMode.choices, widget=forms.RadioSelect)
        for name in ("registration_opens_at", "registration_closes_at"):
            fields[name] = LocalDateTimeField(label=get(name).verbose_name, required=False)
        for name in ("capacity", "online_capacity"):
            fields[name] = forms.IntegerField(label=get(name).verbose_name, help_text=get(name).help_text,
                                              required=False, min_value=1, max_value=100_000)
        for name in ("show_seats_left", "allows_free_text_organization", "emails_in_both_languages"):
            fields[name] = forms.BooleanField(label=get(name).verbose_name, help_text=get(name).help_text, required=False)
        fields["edits_close_at"] = LocalDateTimeField(label=get("edits_close_at").verbose_name,
                                                      help_text=get("edits_close_at").help_text, required=False)
        fields["privacy_notice_lo"], fields["privacy_notice_en"] = texts["privacy_notice_lo"], texts["privacy_notice_en"]
        fields["retention_days"] = forms.IntegerField(label=get("retention_days").verbose_name, min_value=1, max_value=3650)
        self.fields = fields
        if meeting is None:
            self.initial.setdefault("format", Meeting.Format.IN_PERSON)
            self.initial.setdefault("default_language", "lo")
            self.initial.setdefault("time_zone", "Asia/Vientiane")
            self.initial.setdefault("registration_mode", Meeting.RegistrationMode.OPEN)
            self.initial.setdefault("retention_days", 365)

    @staticmethod
    def model_fields():
        return ("slug", *MEETING_TEXTS, "format", "default_language", "time_zone", "contact_email", "registration_mode",
                "capacity", "online_capacity", "show_seats_left", "allows_free_text_organization",
                "emails_in_both_languages", "retention_days")

    def clean_slug(self):
        slug = self.cleaned_data["slug"].lower()
        others = Meeting.objects.filter(slug=slug)
        if self.meeting is not None:
            others = others.exclude(pk=self.meeting.pk)
        if others.exists():
            raise ValidationError(ERRORS["duplicate_slug"], code="duplicate_slug")
        return slug

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"].strip()
        if value not in TIME_ZONES:
            raise ValidationError(ERRORS["time_zone"], code="time_zone", params={"value": value})
        return value

    def clean(self):
        data = super().clean()
        if "title_lo" in data and "title_en" in data and not (data["title_lo"] or data["title_en"]):
            self.add_error("title_lo", ValidationError(ERRORS["title"], code="title"))
        zone = ZoneInfo(data["time_zone"]) if data.get("time_zone") else None
        if zone is not None:
            for name in MEETING_TIMES:
                if data.get(name):
                    data[name] = aware(data[name], zone)
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", ValidationError(ERRORS["ends_before_start"], code="ends_before_start"))
        opens, closes = data.get("registration_opens_at"), data.get("registration_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("registration_closes_at", ValidationError(ERRORS["closes_before_opens"], code="closes_before_opens"))
        return data


class CloneForm(SetupForm):
    source = forms.ModelChoiceField(label=_("Copy this meeting"), queryset=Meeting.objects.none())
    slug = forms.SlugField(label=_("Short name in addresses"), max_length=80, validators=[validate_slug_not_reserved])
    starts_on = forms.DateField(label=_("The new meeting starts on"),
                                # A date input takes only ISO dates, whatever the page's language.
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                help_text=_("Sessions and registration dates move by as many days; times of day stay."))
    title_lo = PlainTextField(label=_("title (Lao)"), max_length=300, required=False,
                              help_text=_("Empty: the title of the meeting copied."))
    title_en = PlainTextField(label=_("title (English)"), max_length=300, required=False)

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = meetings

    @staticmethod
    def next_year(source: Meeting | None) -> dict:
        """The form filled in for a copy of `source` a year later: the same date, and the year in its short
        name and titles moved on where they name it (adgsom-2026 → adgsom-2027)."""
        if source is None:
            return {}
        first = source.starts_at.astimezone(ZoneInfo(source.time_zone)).date()
        try:
            starts_on = first.replace(year=first.year + 1)
        except ValueError:  # 29 February
            starts_on = first.replace(year=first.year + 1, day=28)
        year, following = str(first.year), str(first.year + 1)
        slug = source.slug.replace(year, following) if year in source.slug else f"{source.slug}-{following}"
        initial = {"source": source.pk, "starts_on": starts_on, "slug": slug[:80]}
        for name in ("title_lo", "title_en"):
            if year in getattr(source, name):
                initial[name] = getattr(source, name).replace(year, following)
        return initial

    def clean_slug(self):
        slug = self.cleaned_data["slug"].lower()
        if Meeting.objects.filter(slug=slug).exists():
            raise ValidationError(ERRORS["duplicate_slug"], code="duplicate_slug")
        return slug


# -- sessions, categories, delegations -------------------------------------------------------------

class SessionForm(SetupForm):
    def __init__(self, *args, meeting: Meeting, session: Session | None = None, **kwargs):
        self.meeting, self.session = meeting, session
        if session is not None:
            kwargs.setdefault("initial", {
                "title_lo": session.title_lo, "title_en": session.title_en, "location_lo": session.location_lo,
                "location_en": session.location_en, "starts_at": local(session.starts_at, meeting.time_zone),
                "ends_at": local(session.ends_at, meeting.time_zone),
            })
        super().__init__(*args, **kwargs)
        texts = _text_fields(Session, ("title_lo", "title_en", "location_lo", "location_en"))
        get = Session._meta.get_field
        self.fields.update({
            "title_lo": texts["title_lo"], "title_en": texts["title_en"],
            "starts_at": LocalDateTimeField(label=get("starts_at").verbose_name),
            "ends_at": LocalDateTimeField(label=get("ends_at").verbose_name),
            "location_lo": texts["location_lo"], "location_en": texts["location_en"],
        })

    def clean(self):
        data = super().clean()
        if "title_lo" in data and "title_en" in data and not (data["title_lo"] or data["title_en"]):
            self.add_error("title_lo", ValidationError(ERRORS["title"], code="title"))
        zone = ZoneInfo(self.meeting.time_zone)
        for name in ("starts_at", "ends_at"):
            if data.get(name):
                data[name] = aware(data[name], zone)
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", ValidationError(ERRORS["ends_before_start"], code="ends_before_start"))
        # Whether the session falls on the meeting's days is checked by setup.save_session, under the
        # meeting's lock: the days may change while this form is open.
        return data


class AgendaItemForm(SetupForm):
    """One item of a session's agenda. Its place is a number (1 = first); empty keeps it where it is, or
    puts a new item last."""

    def __init__(self, *args, meeting: Meeting, session: Session, agenda_item: AgendaItem | None = None, **kwargs):
        self.meeting, self.session, self.agenda_item = meeting, session, agenda_item
        if agenda_item is not None:
            kwargs.setdefault("initial", {
                "title_lo": agenda_item.title_lo, "title_en": agenda_item.title_en,
                "start_time": agenda_item.start_time, "speaker_lo": agenda_item.speaker_lo,
                "speaker_en": agenda_item.speaker_en, "position": agenda_item.order,
            })
        kwargs.setdefault("prefix", "agenda")
        super().__init__(*args, **kwargs)
        texts = _text_fields(AgendaItem, ("title_lo", "title_en", "speaker_lo", "speaker_en"))
        self.fields.update({
            "title_lo": texts["title_lo"], "title_en": texts["title_en"],
            "start_time": forms.TimeField(
                label=AgendaItem._meta.get_field("start_time").verbose_name, required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), input_formats=["%H:%M", "%H:%M:%S"],
                help_text=_("Optional. The time of day in the meeting's time zone (%(zone)s), within the session.")
                % {"zone": meeting.time_zone},
            ),
            "speaker_lo": texts["speaker_lo"], "speaker_en": texts["speaker_en"],
            "position": forms.IntegerField(
                label=_("Place in the agenda"), required=False, min_value=1, max_value=MAX_AGENDA_ITEMS,
                help_text=_("1 is the first item. Empty: a new item goes last, a changed one stays where it is."),
            ),
        })

    def clean(self):
        data = super().clean()
        if "title_lo" in data and "title_en" in data and not (data["title_lo"] or data["title_en"]):
            self.add_error("title_lo", ValidationError(ERRORS["title"], code="title"))
        # Whether the time falls within the session is checked by setup.save_agenda_item, under the
        # meeting's lock: the session's times may change while this form is open.
        return data


class CategoryForm(SetupForm):
    def __init__(self, *args, meeting: Meeting, category: Category | None = None, **kwargs):
        self.meeting, self.category = meeting, category
        names = ("code", "name_lo", "name_en", "badge_colour", "quota", "needs_approval", "needs_endorsement",
                 "allows_self_registration")
        if category is not None:
            kwargs.setdefault("initial", {name: getattr(category, name) for name in names})
        super().__init__(*args, **kwargs)
        get = Category._meta.get_field
        texts = _text_fields(Category, ("name_lo", "name_en"))
        self.fields.update({
            "code": forms.SlugField(label=get("code").verbose_name, max_length=40,
                                    help_text=_("Letters a–z, digits and hyphens, e.g. head-of-delegation.")),
            "name_lo": texts["name_lo"], "name_en": texts["name_en"],
            "badge_colour": forms.CharField(label=get("badge_colour").verbose_name, max_length=7,
                                            widget=forms.TextInput(attrs={"type": "color"}),
                                            validators=get("badge_colour").validators),
            "quota": forms.IntegerField(label=get("quota").verbose_name, help_text=get("quota").help_text,
                                        required=False, min_value=0, max_value=100_000),
            "needs_approval": forms.BooleanField(label=get("needs_approval").verbose_name, required=False),
            "needs_endorsement": forms.BooleanField(label=get("needs_endorsement").verbose_name,
                                                    help_text=get("needs_endorsement").help_text, required=False),
            "allows_self_registration": forms.BooleanField(label=get("allows_self_registration").verbose_name,
                                                           required=False),
        })
        if category is None:
            self.initial.setdefault("badge_colour", "#1F6FB2")
            self.initial.setdefault("needs_approval", True)
            self.initial.setdefault("allows_self_registration", True)

    def clean_code(self):
        code = self.cleaned_data["code"].lower()
        others = Category.objects.filter(meeting=self.meeting, code=code)
        if self.category is not None:
            others = others.exclude(pk=self.category.pk)
        if others.exists():
            raise ValidationError(ERRORS["duplicate_code"], code="duplicate_code")
        return code

    def clean_badge_colour(self):
        return self.cleaned_data["badge_colour"].upper()

    def clean(self):
        data = super().clean()
        if "name_lo" in data and "name_en" in data and not (data["name_lo"] or data["name_en"]):
            self.add_error("name_lo", ValidationError(ERRORS["name"], code="name"))
        if data.get("needs_endorsement") and not data.get("needs_approval"):
            self.add_error("needs_endorsement", ValidationError(ERRORS["endorsement"], code="endorsement"))
        return data


LANGUAGE_CHOICES = [("lo", "ລາວ"), ("en", "English")]


def parse_emails(text: str) -> list[str]:
    """One address per line (commas and semicolons work too); each checked, none twice."""
    emails, seen = [], set()
    for item in re.split(r"[\n,;]+", text or ""):
        email = item.strip().strip("<>").strip()
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(ERRORS["emails"], code="emails", params={"value": email[:80]}) from None
        if len(email) > 254:
            raise ValidationError(ERRORS["emails"], code="emails", params={"value": email[:80] + "…"})
        if email.lower() in seen:
            raise ValidationError(ERRORS["emails_twice"], code="emails_twice", params={"value": email})
        seen.add(email.lower())
        emails.append(email.lower())
    if len(emails) > MAX_FOCAL_POINTS:
        raise ValidationError(ERRORS["too_many"], code="too_many", params={"n": MAX_FOCAL_POINTS})
    return emails


class DelegationForm(SetupForm):
    """A delegation: the organization (new ones only), its quota, and focal points to invite by email."""

    organization = forms.ModelChoiceField(label=_("Organization"), queryset=Organization.objects.none())
    quota = forms.IntegerField(label=_("quota"), required=False, min_value=0, max_value=10_000,
                               help_text=_("Empty: no limit."))
    focal_points = forms.CharField(
        label=_("Invite focal points (emails)"), required=False, max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
        help_text=_("One email address per line. Each gets an email with a link to choose a password; "
                    "someone who already has an account keeps it."),
    )
    language = forms.ChoiceField(label=_("Language of the invitation email"), choices=LANGUAGE_CHOICES,
                                 widget=forms.RadioSelect)

    def __init__(self, *args, meeting: Meeting, delegation: Delegation | None = None, **kwargs):
        self.meeting, self.delegation = meeting, delegation
        if delegation is not None:
            kwargs.setdefault("initial", {"quota": delegation.quota})
        super().__init__(*args, **kwargs)
        self.initial.setdefault("language", meeting.default_language)
        if delegation is not None:
            del self.fields["organization"]
        else:
            self.fields["organization"].queryset = (
                Organization.objects.exclude(delegations__meeting=meeting).order_by("protocol_order", "name_en")
            )
            # Named as on the meeting's first day, as its documents will name them.
            self.fields["organization"].label_from_instance = lambda o: str(organization_as_of(o, meeting.starts_on).name)

    def clean_organization(self):
        organization = self.cleaned_data["organization"]
        if Delegation.objects.filter(meeting=self.meeting, organization=organization).exists():
            raise ValidationError(ERRORS["duplicate_delegation"], code="duplicate_delegation")
        return organization

    def clean_focal_points(self):
        return parse_emails(self.cleaned_data["focal_points"])


# -- questions ---------------------------------------------------------------------------------------

def choices_as_text(choices) -> str:
    return "\n".join(f"{c.get('value', '')} | {c.get('lo', '')} | {c.get('en', '')}" for c in choices or [])


def parse_choices(text: str) -> list[dict]:
    choices, seen = [], set()
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [plain_text(part) for part in line.split("|")]
        if len(parts) != 3 or not re.fullmatch(r"[A-Za-z0-9_-]{1,60}", parts[0]) or not (parts[1] or parts[2]):
            raise ValidationError(ERRORS["choices"], code="choices", params={"n": n})
        if parts[0] in seen:
            raise ValidationError(ERRORS["choices_twice"], code="choices_twice", params={"value": parts[0]})
        seen.add(parts[0])
        choices.append({"value": parts[0], "lo": parts[1][:200], "en": parts[2][:200]})
    return choices


class QuestionForm(SetupForm):
    def __init__(self, *args, meeting: Meeting, question: CustomQuestion | None = None, **kwargs):
        self.meeting, self.question = meeting, question
        version = question.current_version if question is not None else None
        if version is not None:
            kwargs.setdefault("initial", {
                "key": question.key, "is_active": question.is_active, "kind": version.kind,
                "label_lo": version.label_lo, "label_en": version.label_en, "help_lo": version.help_lo,
                "help_en": version.help_en, "choices": choices_as_text(version.choices),
                "is_required": version.is_required, "is_sensitive": version.is_sensitive,
                "categories": list(version.categories.all()), "show_if_question": version.show_if_question_id,
                "show_if_value": version.show_if_value, "needs_reapproval": version.needs_reapproval,
            })
        super().__init__(*args, **kwargs)
        get = CustomQuestionVersion._meta.get_field
        texts = _text_fields(CustomQuestionVersion, ("label_lo", "label_en", "help_lo", "help_en"),
                             multiline=("help_lo", "help_en"))
        self.fields.update({
            "key": forms.SlugField(label=_("key"), max_length=60, help_text=CustomQuestion._meta.get_field("key").help_text),
            "kind": forms.ChoiceField(label=get("kind").verbose_name, choices=QuestionKind.choices),
            "label_lo": texts["label_lo"], "label_en": texts["label_en"],
            "help_lo": texts["help_lo"], "help_en": texts["help_en"],
            "choices": forms.CharField(
                label=get("choices").verbose_name, required=False, max_length=10_000,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_("For choice questions, one choice per line: value | Lao | English, e.g. veg | ອາຫານຜັກ | Vegetarian."),
            ),
            "is_required": forms.BooleanField(label=get("is_required").verbose_name, required=False),
            "is_sensitive": forms.BooleanField(label=get("is_sensitive").verbose_name, required=False),
            "categories": forms.ModelMultipleChoiceField(
                label=_("Ask only people in these categories"), required=False,
                queryset=meeting.categories.all(), widget=forms.CheckboxSelectMultiple,
                help_text=_("None ticked: ask everyone."),
            ),
            "show_if_question": forms.ModelChoiceField(
                label=get("show_if_question").verbose_name, required=False,
                queryset=meeting.questions.exclude(pk=question.pk if question else None)
                .filter(current_version__isnull=False),
            ),
            "show_if_value": PlainTextField(label=get("show_if_value").verbose_name, max_length=200, required=False),
            "needs_reapproval": forms.BooleanField(label=get("needs_reapproval").verbose_name,
                                                   help_text=get("needs_reapproval").help_text, required=False),
            "is_active": forms.BooleanField(label=_("shown on the form"), required=False),
        })
        self.fields["categories"].label_from_instance = lambda c: str(c.name)
        if question is None:
            self.initial.setdefault("is_active", True)
        else:
            self.fields["key"].disabled = True  # exports and conditions refer to it

    def clean_key(self):
        key = self.cleaned_data["key"].lower()
        if self.question is None and CustomQuestion.objects.filter(meeting=self.meeting, key=key).exists():
            raise ValidationError(ERRORS["duplicate_key"], code="duplicate_key")
        return key

    def clean_choices(self):
        return parse_choices(self.cleaned_data["choices"])

    def clean(self):
        data = super().clean()
        if "label_lo" in data and "label_en" in data and not (data["label_lo"] or data["label_en"]):
            self.add_error("label_lo", ValidationError(ERRORS["label"], code="label"))
        kind = data.get("kind")
        if kind in (QuestionKind.CHOICE, QuestionKind.MULTIPLE_CHOICE) and "choices" in data and len(data["choices"]) < 2:
            self.add_error("choices", ValidationError(ERRORS["choices_needed"], code="choices_needed"))
        elif kind not in (QuestionKind.CHOICE, QuestionKind.MULTIPLE_CHOICE):
            data["choices"] = []
        if data.get("show_if_question") and not data.get("show_if_value"):
            self.add_error("show_if_value", ValidationError(ERRORS["show_if_value"], code="show_if_value"))
        if not data.get("show_if_question"):
            data["show_if_value"] = ""
        return data

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("key", None)
        return data


# -- emails ------------------------------------------------------------------------------------------

class EmailTextForm(SetupForm):
    def __init__(self, *args, text: EmailText | None = None, **kwargs):
        if text is not None:
            kwargs.setdefault("initial", {n: getattr(text, n) for n in ("subject_lo", "subject_en", "body_lo", "body_en")})
        super().__init__(*args, **kwargs)
        texts = _text_fields(EmailText, ("subject_lo", "subject_en"))
        for name in ("body_lo", "body_en"):
            texts[name] = PlainTextField(label=EmailText._meta.get_field(name).verbose_name, required=False,
                                         multiline=True, max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
        self.fields.update(texts)

    def _placeholders(self, name, allowed):
        value = self.cleaned_data[name]
        unknown = unknown_placeholders(value, allowed)
        if unknown:
            raise ValidationError(ERRORS["placeholder"], code="placeholder", params={
                "names": ", ".join("{%s}" % n for n in unknown), "allowed": ", ".join("{%s}" % n for n in allowed)})
        return value

    def clean_subject_lo(self):
        return self._placeholders("subject_lo", SUBJECT_PLACEHOLDERS)

    def clean_subject_en(self):
        return self._placeholders("subject_en", SUBJECT_PLACEHOLDERS)

    def clean_body_lo(self):
        return self._placeholders("body_lo", tuple(PLACEHOLDERS))

    def clean_body_en(self):
        return self._placeholders("body_en", tuple(PLACEHOLDERS))


# -- roles and status --------------------------------------------------------------------------------

STAFF_ROLES = [(r.value, r.label) for r in Role if r != Role.FOCAL_POINT]


class RoleForm(SetupForm):
    email = forms.EmailField(label=_("Email"), max_length=254)
    given_name = PlainTextField(label=_("Given name"), max_length=150, required=False)
    family_name = PlainTextField(label=_("Family name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("role"), choices=[*STAFF_ROLES, (Role.FOCAL_POINT.value, Role.FOCAL_POINT.label)],
                             widget=forms.RadioSelect)
    delegation = forms.ModelChoiceField(label=_("delegation"), queryset=Delegation.objects.none(), required=False,
                                        help_text=_("Only for focal points."))
    language = forms.ChoiceField(label=_("Language of the invitation email"), choices=LANGUAGE_CHOICES,
                                 widget=forms.RadioSelect)

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("language", meeting.default_language)
        self.fields["delegation"].queryset = meeting.delegations.select_related("organization")
        self.fields["delegation"].label_from_instance = lambda d: str(d.organization.name)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.FOCAL_POINT and not data.get("delegation"):
            self.add_error("delegation", ValidationError(ERRORS["delegation"], code="delegation"))
        if data.get("role") != Role.FOCAL_POINT:
            data["delegation"] = None
        return data


class ConfirmForm(SetupForm):
    confirm = forms.BooleanField(label=_("Yes, cancel the meeting and tell every participant"),
                                 error_messages={"required": ERRORS["confirm"]})
