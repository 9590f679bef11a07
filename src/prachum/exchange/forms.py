"""Forms of the import and export pages: shapes only; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from prachum.exchange.services.exporting import FORMATS
from prachum.core.tables import MAX_BYTES, MAX_MEGABYTES
from prachum.registration.models import Registration

TARGET_CHOICES = [("registrations", _("Registrations")), ("invitations", _("Invitations"))]


class UploadForm(forms.Form):
    target = forms.ChoiceField(label=_("What the file holds"), choices=TARGET_CHOICES, widget=forms.RadioSelect,
                               initial="registrations")
    delegation = forms.ChoiceField(label=_("Delegation"), required=False)
    file = forms.FileField(
        label=_("File"), help_text=_("XLSX, or CSV (UTF-8, UTF-16 or TIS-620), up to %(limit)s MB; the first row names the columns.")
        % {"limit": MAX_MEGABYTES},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt,text/csv"}),
    )

    def __init__(self, *args, targets, delegations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [c for c in TARGET_CHOICES if c[0] in targets]
        if len(targets) == 1:
            self.fields["target"].initial = targets[0]
        if delegations:
            self.fields["delegation"].choices = [(str(d.pk), str(d.organization.name)) for d in delegations]
            self.fields["delegation"].required = True
            self.fields["delegation"].initial = str(delegations[0].pk)
        else:
            del self.fields["delegation"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("This file is larger than %(limit)s MB. Split it into smaller files."), code="too_big",
                params={"limit": MAX_MEGABYTES},
            )
        return upload


class MappingForm(forms.Form):
    """One choice per column of the file: the field it fills, or nothing."""

    def __init__(self, *args, headers, fields, initial_mapping, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— do not import —"))] + [(f.key, f"{f.label}{' *' if f.required else ''}") for f in fields]
        self.headers = headers
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=initial_mapping.get(header, ""),
            )

    def mapping(self) -> dict:
        return {header: self.cleaned_data.get(f"column_{index}") or "" for index, header in enumerate(self.headers)}


class ExportForm(forms.Form):
    file_format = forms.ChoiceField(label=_("Format"), choices=[(f, f.upper()) for f in FORMATS], initial="xlsx",
                                    widget=forms.RadioSelect)
    statuses = forms.MultipleChoiceField(
        label=_("Registrations"), choices=Registration.Status.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None chosen: every registration."),
    )
    language = forms.ChoiceField(label=_("Language of the file"), choices=[("lo", "ລາວ"), ("en", "English")])
    columns = forms.MultipleChoiceField(label=_("Columns"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, columns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["columns"].choices = [
            (c.key, f"{c.label}{' 🔒' if c.is_sensitive else ''}") for c in columns
        ]
        self.fields["columns"].initial = [c.key for c in columns if c.default]
