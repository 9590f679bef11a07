"""Forms of the reports pages: shape and format only; the services check and save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from prachum.meetings.models import Document, Meeting
from prachum.reports.models import NewsItem, Outcome
from prachum.reports.selectors import (
    EMAIL_CONSENT_QUESTION_KEY, ParticipantFigures, Population, Scope, attendance_population,
)

LANGUAGES = [("lo", "ລາວ"), ("en", "English")]


class ListOfParticipantsForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, initial="lo")
    file_format = forms.ChoiceField(label=_("File"), choices=[("pdf", "PDF"), ("xlsx", "Excel (XLSX)")], initial="pdf")
    attended_only = forms.BooleanField(label=_("Only those who attended"), required=False)
    host_first = forms.BooleanField(label=_("The host's delegation first"), required=False)
    with_email = forms.BooleanField(label=_("Emails of those who agreed to share them"), required=False)

    def __init__(self, *args, consent_question=None, **kwargs):
        """`consent_question`: the meeting's question that asks for that agreement (selectors.email_consent_question),
        named in the hint by its words in the page's language; without one, the hint says how to add it."""
        super().__init__(*args, **kwargs)
        if consent_question is not None:
            self.fields["with_email"].help_text = _(
                "Only people who answered yes to the question “%(question)s” have their email listed."
            ) % {"question": consent_question}
        else:
            self.fields["with_email"].help_text = _(
                "Nobody has agreed yet: the form has no such question. To ask it, add a yes/no question with "
                "the key %(key)s in the meeting's setup."
            ) % {"key": EMAIL_CONSENT_QUESTION_KEY}


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, initial="lo")


class AttendanceForm(LanguageForm):
    file_format = forms.ChoiceField(label=_("File"), choices=[("pdf", "PDF"), ("xlsx", "Excel (XLSX)")], initial="pdf")


class StatisticsForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Count"), required=False,
        choices=[(Scope.APPROVED, _("Approved participants")), (Scope.ACTIVE, _("Pending, approved and waiting"))],
    )


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["summary_lo", "summary_en", "decisions_lo", "decisions_en", "follow_up_lo", "follow_up_en"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields}


class NewsItemForm(forms.ModelForm):
    class Meta:
        model = NewsItem
        fields = ["title_lo", "title_en", "body_lo", "body_en", "text_by_lo", "text_by_en", "photos_by_lo", "photos_by_en"]
        widgets = {"body_lo": forms.Textarea(attrs={"rows": 14}), "body_en": forms.Textarea(attrs={"rows": 14})}


class NewsDraftForm(forms.Form):
    """Whom the figures of a new draft count: the approved participants, or those who attended (checked in
    at the door, joined online, or either, by the meeting's format); each choice says its number."""

    count = forms.ChoiceField(label=_("Figures of a new draft"), widget=forms.RadioSelect)

    def __init__(self, *args, meeting: Meeting, figures: ParticipantFigures, **kwargs):
        super().__init__(*args, **kwargs)
        attendance = attendance_population(meeting)
        attended = {
            Population.JOINED: _("Participants who joined online: %(count)d"),
            Population.CHECKED_IN: _("Participants who checked in at the door: %(count)d"),
        }.get(attendance, _("Participants who checked in or joined online: %(count)d"))
        self.fields["count"].choices = [
            (Population.APPROVED, _("Approved participants: %(count)d") % {"count": figures.total(Population.APPROVED)}),
            (Population.ATTENDED, attended % {"count": figures.total(attendance)}),
        ]
        self.fields["count"].help_text = _(
            "The draft counts only these people and names only their delegations. The statistics page shows the "
            "same figures by delegation."
        )


class PhotoForm(forms.Form):
    image = forms.FileField(label=_("Photo"), widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    caption_lo = forms.CharField(label=_("Caption (Lao)"), max_length=300, required=False)
    caption_en = forms.CharField(label=_("Caption (English)"), max_length=300, required=False)


class DocumentForm(forms.Form):
    title_lo = forms.CharField(label=_("Title (Lao)"), max_length=300, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    visibility = forms.ChoiceField(label=_("Visible to"), choices=Document.Visibility.choices,
                                   initial=Document.Visibility.PARTICIPANTS)
    file = forms.FileField(label=_("File"), help_text=_("PDF, Word, Excel, PowerPoint or an image."))

    def clean(self):
        data = super().clean()
        if not (data.get("title_lo", "").strip() or data.get("title_en", "").strip()):
            raise forms.ValidationError(_("Give the document a title in Lao or in English."), code="no_title")
        return data
