"""A registration's answers as the person reads them on their manage page, in the page's language.

Sensitive answers (a passport number…) are shown masked but for their last three characters: enough
to recognise, not enough to copy from a screen someone else sees."""

from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from prachum.core.bilingual import active_language
from prachum.meetings.models import QuestionKind
from prachum.registration.forms import _choice_label, country_choices, mask


def _shown(version, value) -> str:
    kind = version.kind
    if kind in (QuestionKind.CHOICE, QuestionKind.MULTIPLE_CHOICE):
        labels = {str(c.get("value")): _choice_label(c) for c in version.choices or []}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in values)
    if kind == QuestionKind.YES_NO:
        return pgettext("answer", "Yes") if value else pgettext("answer", "No")
    if kind == QuestionKind.COUNTRY:
        return dict(country_choices(active_language())).get(value, value)
    if kind == QuestionKind.DATE:
        try:
            return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def answer_rows(registration) -> list[dict]:
    """[{"label", "value", "is_sensitive", "file_answer_id"}] in the order of the form's questions;
    `file_answer_id`: the answer whose file the page links to (None for other answers)."""
    rows = []
    answers = registration.answers.select_related("question", "question_version").order_by("question__order", "question__pk")
    for answer in answers:
        version = answer.question_version
        if version.kind in (QuestionKind.FILE, QuestionKind.PHOTO):
            value = _("A file was received.") if answer.file else ""
        elif version.is_sensitive:
            value = mask(_shown(version, answer.answer))
        else:
            value = _shown(version, answer.answer)
        rows.append({"label": version.label, "value": value, "is_sensitive": version.is_sensitive,
                     "file_answer_id": answer.pk if answer.file else None})
    return rows
