"""The organizer pages' form for making an API token: shape checks only; services.create_token makes it."""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import ApiToken

NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, meeting):
        return f"{meeting.title} ({meeting.slug})"


class TokenForm(forms.Form):
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
