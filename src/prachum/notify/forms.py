from django import forms
from django.utils.translation import gettext_lazy as _

from prachum.notify.kinds import kind_label
from prachum.notify.models import Message

SEARCH_MAX = 254  # the longest address there is


class OutboxFilterForm(forms.Form):
    """The outbox's filters, read from the query string. A value that is not one of the choices (an old
    link, a hand-made address) is reported on the form and that filter left out, never an error page."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("Kind of email"), required=False)
    q = forms.CharField(label=_("Recipient's email"), required=False, max_length=SEARCH_MAX, strip=True)

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All"))] + list(Message.Status.choices)
        self.fields["kind"].choices = [("", _("All"))] + [(kind, kind_label(kind)) for kind in kinds]

    def filters(self) -> dict:
        """The filters that are valid (each field on its own)."""
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"status": data.get("status") or "", "kind": data.get("kind") or "", "search": data.get("q") or ""}
