"""Forms of the organizer's registration pages: they parse and check, services act."""

from django import forms
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from prachum.registration.forms import LONG_NAME_MAX_LENGTH, NAME_MAX_LENGTH, TextField
from prachum.registration.models import Registration
from prachum.registration.names import propose_latin_name
from prachum.registration.services import messaging
from prachum.registration.services.bulk import ACTIONS
from prachum.registration.services.messaging import Draft
from prachum.core.validators import as_id

ACTIVE = "active"  # pending, approved or waitlisted: the usual recipients of a message


def _category_choices(meeting):
    return [("", _("All categories"))] + [(str(c.pk), str(c.name)) for c in meeting.categories.order_by("order", "pk")]


def _delegation_choices(meeting, delegation_ids=None):
    delegations = meeting.delegations.select_related("organization").order_by("organization__protocol_order", "pk")
    if delegation_ids is not None:
        delegations = delegations.filter(pk__in=delegation_ids)
    return [("", _("All delegations"))] + [(str(d.pk), str(d.organization.name)) for d in delegations]


class RegistrationFilterForm(forms.Form):
    q = TextField(label=_("Search"), required=False, max_length=200,
                  help_text=_("Name in Lao or Latin script, email or organization"))
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    delegation = forms.TypedChoiceField(label=_("Delegation"), required=False, coerce=int, empty_value=None)
    checked_in = forms.ChoiceField(label=_("Checked in"), required=False, choices=[
        ("", pgettext_lazy("checked in", "Either")), ("yes", _("Checked in")), ("no", _("Not checked in")),
    ])
    endorsement = forms.ChoiceField(label=_("Endorsement"), required=False, choices=[
        ("", pgettext_lazy("endorsement", "Any")), ("waiting", _("Waits for the focal point")),
        ("endorsed", _("Endorsed by the focal point")),
    ])

    def __init__(self, *args, access, with_active=False, **kwargs):
        super().__init__(*args, **kwargs)
        meeting = access.meeting
        statuses = [("", _("All statuses"))]
        if with_active:
            statuses.append((ACTIVE, _("Pending, approved or waiting")))
        self.fields["status"].choices = statuses + list(Registration.Status.choices)
        self.fields["category"].choices = _category_choices(meeting)
        if access.sees_all_registrations:
            self.fields["delegation"].choices = _delegation_choices(meeting)
        else:
            self.fields["delegation"].choices = _delegation_choices(meeting, access.delegation_ids)
        if not (access.can_review or access.is_focal_point):
            # Check-in staff see names and status only: they filter by those and nothing else.
            for name in ("category", "delegation", "endorsement"):
                del self.fields[name]
            self.fields["q"].help_text = _("Name in Lao or Latin script")

    def filters(self) -> dict:
        """Keyword arguments for selectors.registrations_for_organizers (call after is_valid())."""
        self.is_valid()  # a field with a wrong value is left out (and says so); the others still filter
        data = self.cleaned_data
        status = data.get("status") or ""
        checked_in = {"yes": True, "no": False}.get(data.get("checked_in") or "")
        return {
            "text": data.get("q") or "", "status": "" if status == ACTIVE else status,
            "category_id": data.get("category"), "delegation_id": data.get("delegation"),
            "checked_in": checked_in, "endorsement": data.get("endorsement") or "",
        }

    @property
    def only_active(self) -> bool:
        self.is_valid()
        return self.cleaned_data.get("status") == ACTIVE


def parse_rows(values: list[str]) -> list[tuple[int, object]]:
    """The ticked rows of the list: "<id>@<updated_at ISO>" each (the time the row had when shown)."""
    rows = {}
    for value in values[:10000]:
        pk, _sep, seen = value.partition("@")
        if (row_id := as_id(pk)) is not None:
            rows[row_id] = parse_datetime(seen) if seen else None
    return list(rows.items())


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(label=_("With the selected registrations"),
                               choices=[("", _("Choose an action"))] + list(ACTIONS.items()) + [("message", _("Send a message"))])
    reason = forms.CharField(label=_("Reason (sent to the person when rejecting)"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    new_category = forms.TypedChoiceField(label=_("New category"), required=False, coerce=int, empty_value=None)
    scope = forms.ChoiceField(required=False, choices=[("selected", _("The selected rows")),
                                                       ("matching", _("Every registration matching the filter"))])

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_category"].choices = [("", "—")] + _category_choices(meeting)[1:]

    def clean(self):
        data = super().clean()
        if data.get("action") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Please write the reason for the rejection: the person reads it."))
        if data.get("action") == "change_category" and not data.get("new_category"):
            self.add_error("new_category", _("Please choose the new category."))
        return data


class MessageForm(forms.Form):
    # Not required: a form sent without it (an older page) means each person's own language.
    language = forms.ChoiceField(label=_("Who reads which language"), choices=messaging.LANGUAGE_CHOICES,
                                 initial=messaging.OWN_LANGUAGE, required=False, widget=forms.RadioSelect)
    subject_lo = forms.CharField(label=_("Subject (Lao)"), required=False, max_length=200)
    body_lo = forms.CharField(label=_("Text (Lao)"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 8}))
    subject_en = forms.CharField(label=_("Subject (English)"), required=False, max_length=200)
    body_en = forms.CharField(label=_("Text (English)"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 8}))

    def draft(self) -> Draft:
        data = self.cleaned_data
        return Draft(subject_lo=data["subject_lo"], body_lo=data["body_lo"], subject_en=data["subject_en"],
                     body_en=data["body_en"], language=data.get("language") or messaging.OWN_LANGUAGE)

    def clean(self):
        data = super().clean()
        if not self.errors:
            for field, problems in self.draft().problems_by_field().items():
                for problem in problems:
                    self.add_error(field, problem)
        return data


NAME_PROPOSED = _("We wrote the name in Latin letters as “%(name)s”. Correct it if needed, then save again.")


class RegistrationNameForm(forms.Form):
    """How the person's name is written, as the organizer checks it. A name only in Lao script (on
    record, or typed here) comes with its Latin letters proposed, to check before they are saved."""

    use_required_attribute = False

    given_name = TextField(label=_("Given name"), max_length=NAME_MAX_LENGTH, required=False)
    family_name = TextField(label=_("Family name"), max_length=NAME_MAX_LENGTH, required=False)
    name_lo = TextField(label=_("Name in Lao script"), max_length=LONG_NAME_MAX_LENGTH, required=False,
                        widget=forms.TextInput(attrs={"lang": "lo"}))

    def __init__(self, data=None, *, registration: Registration, **kwargs):
        # Shown before anything is sent: where the record has only Lao, the proposal.
        self.proposal = propose_latin_name(given_name=registration.given_name, family_name=registration.family_name,
                                           name_lo=registration.name_lo)
        source = self.proposal or registration
        kwargs.setdefault("initial", {name: getattr(source, name) for name in ("given_name", "family_name", "name_lo")})
        super().__init__(data, **kwargs)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        proposal = propose_latin_name(given_name=data["given_name"], family_name=data["family_name"],
                                      name_lo=data["name_lo"])
        if proposal is not None:
            self.data = self.data.copy()
            for name in ("given_name", "family_name", "name_lo"):
                self.data[self.add_prefix(name)] = getattr(proposal, name)
            self.add_error("given_name", forms.ValidationError(NAME_PROPOSED, code="name_romanized",
                                                               params={"name": proposal.latin}))
        elif not data["given_name"] and not data["family_name"]:
            self.add_error("given_name", forms.ValidationError(self.fields["given_name"].error_messages["required"],
                                                               code="required"))
        return data


class AuditFilterForm(forms.Form):
    """The audit log's filter: the start of an event kind (`registration.` shows every registration event).
    A hand-made address with control characters gets the message beside the field and the whole log, as
    PostgreSQL refuses NUL in a query."""

    kind = TextField(label=_("What"), required=False, max_length=100)

    def kind_prefix(self) -> str:
        if not (self.is_bound and self.is_valid()):
            return ""
        return self.cleaned_data["kind"]
