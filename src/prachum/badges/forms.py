"""The organizer's forms: which badges to print, and a badge design. Shape checks only."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from prachum.badges.layouts import Layout
from prachum.badges.models import BadgeDesign, BadgeLanguage
from prachum.meetings.models import Category, Delegation
from prachum.registration.models import Registration


class PrintBadgesForm(forms.Form):
    statuses = forms.MultipleChoiceField(
        label=_("Status"), choices=[(s.value, s.label) for s in (Registration.Status.APPROVED, Registration.Status.PENDING)],
        initial=[Registration.Status.APPROVED], widget=forms.CheckboxSelectMultiple,
        help_text=_("Badges of pending registrations are for preparing ahead; only approved people should wear them."),
        error_messages={"required": _("Choose at least one status.")},
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"), queryset=Category.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every category."),
    )
    delegations = forms.ModelMultipleChoiceField(
        label=_("Delegations"), queryset=Delegation.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}), help_text=_("None chosen: every delegation."),
    )
    not_printed = forms.BooleanField(
        label=_("Only badges not printed yet"), required=False,
        help_text=_("For people approved or added since the last print."),
    )
    layout = forms.ChoiceField(label=pgettext_lazy("badge", "Paper"), choices=Layout.choices)
    language = forms.ChoiceField(label=_("Language of the badges"), choices=BadgeLanguage.choices)

    def __init__(self, *args, meeting, design, **kwargs):
        kwargs.setdefault("initial", {}).update({"layout": design.layout, "language": design.language})
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = meeting.categories.all()
        self.fields["delegations"].queryset = meeting.delegations.select_related("organization")


class BadgeDesignForm(forms.ModelForm):
    class Meta:
        model = BadgeDesign
        fields = ["category", "layout", "language", "band_position", "background"]
        widgets = {"background": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"})}

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.meeting = meeting
        self.fields["category"].queryset = meeting.categories.all()
        self.fields["category"].empty_label = _("Every category (the meeting's design)")

    def validate_unique(self):
        # The meeting is not a form field: check "one design per category" here, with a clear message.
        category = self.cleaned_data.get("category")
        taken = BadgeDesign.objects.filter(meeting=self.instance.meeting, category=category).exclude(pk=self.instance.pk)
        if taken.exists():
            self.add_error("category", _("This category has a design already: change that one."))
