"""The organizer pages' form for making an API token: shape checks only; services.create_token makes it."""

import re
import secrets
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import ApiToken

NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, meeting):
        return f"{meeting.title} ({meeting.slug})"


FORM_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


class SentOnce(forms.Form):
    """A form whose sending makes something with a secret shown once: a key of its own, so that sending it again
    (a reload of the answer, a double click) makes nothing more (services.make_once)."""

    form_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["form_key"] = secrets.token_urlsafe(24)

    def clean_form_key(self):
        value = self.cleaned_data.get("form_key") or ""
        return value if FORM_KEY.fullmatch(value) else ""


class TokenForm(SentOnce):
    name = forms.CharField(
        label=_("Name"), max_length=NAME_MAX_LENGTH,
        help_text=_("What uses it, so that you know which one to revoke: e.g. “Ministry contact directory”."),
    )
    meeting = MeetingChoiceField(
        label=_("Meeting"), queryset=None, required=False, empty_label=_("All my meetings"),
        help_text=_("All my meetings: every meeting where you have a role, now or later."),
    )
    scope = forms.ChoiceField(label=_("Access"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ,
                              widget=forms.RadioSelect)

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings

    def clean_name(self):
        name = unicodedata.normalize("NFC", self.cleaned_data["name"])
        if any(unicodedata.category(char) in ("Cc", "Cf") for char in name):
            raise ValidationError(_("Please remove the control characters (such as tabs or invisible codes) from this text."),
                                  code="control")
        name = " ".join(name.split())
        if not name:
            raise ValidationError(_("This field is required."), code="required")
        return name
