"""Forms of site administration: shape checks only, in the page's language; the services decide."""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

LANGUAGE_CHOICES = [("lo", "ລາວ"), ("en", "English")]
# Characters that turn text around or hide in it: a name is shown to others as typed.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z!?][^>]*>")


class NameField(forms.CharField):
    def to_python(self, value):
        value = unicodedata.normalize("NFC", super().to_python(value) or "")
        if any(char in BIDI_CONTROLS for char in value):
            raise ValidationError(_("Please remove the characters that change the direction of the text."), code="bidi")
        if any(unicodedata.category(char) == "Cc" for char in value):
            raise ValidationError(_("Please remove the control characters (such as tabs or invisible codes) from this text."),
                                  code="control")
        if HTML_TAG.search(value):
            raise ValidationError(_("Please write plain text: HTML tags such as <b> are not allowed here."), code="html")
        return " ".join(value.split())


class InviteAccountForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    given_name = NameField(label=_("Given name"), max_length=150)
    family_name = NameField(label=_("Family name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language of the invitation email"), choices=LANGUAGE_CHOICES,
                                 widget=forms.RadioSelect)
    may_create_meetings = forms.BooleanField(label=_("May create meetings"), required=False,
                                             help_text=_("Creates new meetings and copies the ones they manage."))
    administrator = forms.BooleanField(label=_("Site administrator"), required=False,
                                       help_text=_("Invites and deactivates accounts and grants these rights."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("language", "en" if (get_language() or "").startswith("en") else "lo")

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class AccountSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or email"), max_length=100, required=False)


# -- login steps ---------------------------------------------------------------------------------------

class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=32, strip=True,
        help_text=_("The six digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}),
    )


class AppCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"), max_length=12, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
