from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .honorifics import find_honorific

LAO_LETTER = "\u0e80-\u0eff"


class HonorificForm(forms.Form):
    """A new honorific: one label per language, neither already in the list."""

    label_en = forms.CharField(label=_("In English"), max_length=40, help_text=_("For example: Tan Sri"))
    label_lo = forms.CharField(label=_("In Lao"), max_length=40, help_text=_("For example: ຕັນສຣີ"))

    def clean_label_en(self):
        return self._new(self.cleaned_data["label_en"].strip())

    def clean_label_lo(self):
        return self._new(self.cleaned_data["label_lo"].strip())

    def _new(self, label: str) -> str:
        existing = find_honorific(label)
        if existing is not None:
            raise ValidationError(
                _("“%(label)s” is already in the list, as %(en)s / %(lo)s."), code="duplicate",
                params={"label": label, "en": existing.label_en, "lo": existing.label_lo},
            )
        return label
