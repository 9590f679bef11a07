"""Answers to a meeting's custom questions, stored against the version of the question that was asked.

The form has validated the values already. A value is stored as JSON (dates as ISO text, decimals as
text); a sensitive question's value goes to the encrypted `sensitive_value`; a file or photo question's
value is an uploaded file, kept as uploads.stored_file makes it (random name, type from the content,
pictures without metadata).
"""

import datetime
from decimal import Decimal

from django.core.files import File
from django.db.models.fields.files import FieldFile

from prachum.meetings.models import CustomQuestion, QuestionKind
from prachum.registration.models import Answer, Registration
from prachum.registration.services.uploads import stored_file

FILE_KINDS = (QuestionKind.FILE, QuestionKind.PHOTO)


def _is_empty(value) -> bool:
    """No answer given. False and 0 are answers (to a yes/no or a number question)."""
    return value is None or (isinstance(value, (str, list, tuple, set, dict)) and not value)


def _json(value):
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_json(item) for item in value]
    return value


def _questions(registration: Registration, keys, asked: dict | None = None) -> dict:
    if asked is not None and set(keys) <= set(asked):
        questions = {key: asked[key] for key in keys if asked[key].meeting_id == registration.meeting_id}
    else:
        questions = {
            q.key: q
            for q in CustomQuestion.objects.filter(meeting_id=registration.meeting_id, key__in=list(keys))
            .select_related("current_version")
        }
    unknown = set(keys) - set(questions)
    if unknown:
        raise ValueError(f"no such questions at this meeting: {sorted(unknown)}")
    for key, question in questions.items():
        if question.current_version is None:
            raise ValueError(f"question {key!r} has no version to answer")
    return questions


def _answer(registration: Registration, question: CustomQuestion, value) -> Answer:
    version = question.current_version
    answer = Answer(registration=registration, question=question, question_version=version)
    if version.kind in FILE_KINDS:
        if not isinstance(value, File):
            raise ValueError(f"question {question.key!r} wants a file, not {type(value).__name__}")
        answer.file = stored_file(value)
    elif version.is_sensitive:
        answer.sensitive_value = _json(value)
    else:
        answer.value = _json(value)
    return answer


def save_answers(registration: Registration, answers: dict | None, *, asked: dict | None = None) -> None:
    """Store the answers of a new registration (empty answers are not stored). `asked`: question key →
    the question with the current_version the form showed (RegistrationForm.asked_questions), where the
    caller has them: the answers are stored against that version, and the questions are not read again."""
    answers = {key: value for key, value in (answers or {}).items() if not _is_empty(value)}
    if not answers:
        return
    questions = _questions(registration, answers, asked)
    Answer.objects.bulk_create([_answer(registration, questions[key], value) for key, value in answers.items()])


def replace_answers(registration: Registration, answers: dict | None) -> list[str]:
    """Apply an edit: a key that is absent keeps its answer; an empty value (or False for a file, as
    Django's "clear" box gives) removes it; an unchanged file (the stored FieldFile, as a form gives
    back its initial value) keeps it; anything else replaces it. Returns the keys that changed."""
    answers = dict(answers or {})
    if not answers:
        return []
    questions = _questions(registration, answers)
    existing = {a.question.key: a for a in registration.answers.select_related("question", "question_version")}
    changed, new = [], []
    for key, value in answers.items():
        old = existing.get(key)
        if isinstance(value, FieldFile):
            continue  # the file already stored
        cleared = value is False and questions[key].current_version.kind in FILE_KINDS
        if cleared or _is_empty(value):
            if old is not None:
                old.delete()
                changed.append(key)
            continue
        answer = _answer(registration, questions[key], value)
        if old is not None:
            same_version = old.question_version_id == answer.question_version_id
            if same_version and not answer.file and old.value == answer.value and old.sensitive_value == answer.sensitive_value:
                continue
            old.delete()
        new.append(answer)
        changed.append(key)
    Answer.objects.bulk_create(new)
    return changed
