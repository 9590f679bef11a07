"""Organizer forms of the online settings: shape checks only; services save."""

import urllib.parse

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from prachum.online.models import OnlineRoom, Provider

JITSI_SECRET_MIN = 32  # HS256 wants a key of at least 256 bits (RFC 7518, 3.2)
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
MAX_OPENS_MINUTES = 60 * 24 * 60


def _https_or_local(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOCAL_HOSTS)


def _form_field(model_field, **kwargs):
    # An address typed without a scheme ("meet.example.la/room") is taken as https, as browsers do.
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


class OnlineRoomForm(forms.ModelForm):
    secret = forms.CharField(
        label=_("Shared secret"), required=False, strip=True, max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("BigBlueButton: the shared secret (bbb-conf --secret). Jitsi: the app secret. "
                    "It is stored encrypted and never shown again; leave empty to keep the saved one."),
    )

    class Meta:
        model = OnlineRoom
        fields = ["provider", "join_link", "server_url", "app_id", "room_name", "opens_minutes_before", "moderator_categories"]
        widgets = {"provider": forms.RadioSelect, "moderator_categories": forms.CheckboxSelectMultiple}
        formfield_callback = _form_field

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["moderator_categories"].queryset = meeting.categories.all()
        self.fields["opens_minutes_before"].widget.attrs.update({"min": 0, "max": MAX_OPENS_MINUTES})

    def clean_opens_minutes_before(self):
        value = self.cleaned_data["opens_minutes_before"]
        if value is not None and value > MAX_OPENS_MINUTES:
            raise forms.ValidationError(_("Joining can open at most 60 days (86,400 minutes) before a session."))
        return value

    def clean(self):
        data = super().clean()
        provider = data.get("provider")
        has_secret = bool(data.get("secret")) or (self.instance.pk and self.instance.has_secret)
        if provider == Provider.LINK:
            if not data.get("join_link"):
                self.add_error("join_link", _("Paste the link of the video conference."))
            elif not data["join_link"].startswith("https://"):
                self.add_error("join_link", _("The link must start with https://."))
        elif provider in (Provider.BIGBLUEBUTTON, Provider.JITSI):
            if not data.get("server_url"):
                self.add_error("server_url", _("Give the address of the server."))
            elif not _https_or_local(data["server_url"]):
                self.add_error("server_url", _("The server's address must start with https://."))
            if not has_secret:
                self.add_error("secret", _("Give the shared secret."))
            if provider == Provider.JITSI:
                if not data.get("app_id"):
                    self.add_error("app_id", _("Give the app id that the Jitsi server expects."))
                if data.get("secret") and len(data["secret"].encode()) < JITSI_SECRET_MIN:
                    self.add_error("secret", _("The secret must be at least 32 characters long."))
        return data


class ReminderRuleForm(forms.Form):
    UNITS = {"minutes": 1, "hours": 60, "days": 1440}

    amount = forms.IntegerField(label=_("How long before"), min_value=1, max_value=10000)
    unit = forms.ChoiceField(
        label=_("Unit"), choices=[("minutes", _("minutes")), ("hours", _("hours")), ("days", _("days"))], initial="hours"
    )

    def minutes_before(self) -> int:
        return self.cleaned_data["amount"] * self.UNITS[self.cleaned_data["unit"]]
