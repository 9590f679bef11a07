"""Writes of the reports app: a meeting's outcome, its news item and photos, its documents.

Each use case is one transaction with its AuditEvent. What the public meeting page shows (news, photos,
public documents) is cached under a key that holds `meeting.updated_at`: every change here moves it.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prachum.audit.services import record_audit
from prachum.meetings.models import Document, Meeting
from prachum.reports import files
from prachum.reports.errors import ReportsError
from prachum.reports.models import NewsItem, Outcome, Photo
from prachum.reports.news import draft_news

OUTCOME_FIELDS = ("summary_lo", "summary_en", "decisions_lo", "decisions_en", "follow_up_lo", "follow_up_en")
NEWS_FIELDS = ("title_lo", "title_en", "body_lo", "body_en", "text_by_lo", "text_by_en", "photos_by_lo", "photos_by_en")


def _touch_meeting(meeting: Meeting) -> None:
    # The public page's cache key holds updated_at: moving it shows the change at once.
    Meeting.objects.filter(pk=meeting.pk).update(updated_at=timezone.now())


@transaction.atomic(durable=True)
def save_outcome(*, meeting: Meeting, actor, values: dict) -> Outcome:
    outcome, _created = Outcome.objects.select_for_update().get_or_create(meeting=meeting)
    before = {name: getattr(outcome, name) for name in OUTCOME_FIELDS}
    for name in OUTCOME_FIELDS:
        setattr(outcome, name, (values.get(name) or "").strip())
    outcome.updated_by = actor
    outcome.save()
    record_audit(kind="outcome.saved", actor=actor, meeting=meeting, obj=outcome, before=before,
                 after={name: getattr(outcome, name) for name in OUTCOME_FIELDS})
    return outcome


def news_item_for_editing(meeting: Meeting) -> NewsItem:
    """The meeting's news item; the first time, an unsaved one filled with Prachum's drafts."""
    item = NewsItem.objects.filter(meeting=meeting).first()
    return item if item is not None else drafted_news_item(meeting)


def drafted_news_item(meeting: Meeting, *, count: str | None = None) -> NewsItem:
    """An unsaved news item holding Prachum's drafts in Lao and English; `count` is the organizer's choice
    of whom the figures count (news.COUNT_APPROVED or news.COUNT_ATTENDED; None: the default)."""
    item = NewsItem(meeting=meeting)
    for language in ("lo", "en"):
        draft = draft_news(meeting, language=language, count=count)
        setattr(item, f"title_{language}", draft.title)
        setattr(item, f"body_{language}", draft.body)
        setattr(item, f"text_by_{language}", draft.text_by)
        setattr(item, f"photos_by_{language}", draft.photos_by)
    return item


@transaction.atomic(durable=True)
def save_news_item(*, meeting: Meeting, actor, values: dict, publish: bool | None = None) -> NewsItem:
    """Save the organizer's text; `publish` True publishes (first time: now), False takes it off the page."""
    item, _created = NewsItem.objects.select_for_update().get_or_create(meeting=meeting)
    before = {name: getattr(item, name) for name in NEWS_FIELDS} | {"published": item.is_published}
    for name in NEWS_FIELDS:
        setattr(item, name, (values.get(name) or "").strip())
    if publish is True:
        if not (item.title_lo or item.title_en) or not (item.body_lo or item.body_en):
            raise ReportsError("news_incomplete", _("Write a title and a text before publishing the news item."))
        item.published_at = item.published_at or timezone.now()
    elif publish is False:
        item.published_at = None
    item.updated_by = actor
    item.save()
    record_audit(
        kind="news.published" if publish else ("news.unpublished" if publish is False else "news.saved"),
        actor=actor, meeting=meeting, obj=item, before=before,
        after={name: getattr(item, name) for name in NEWS_FIELDS} | {"published": item.is_published},
    )
    _touch_meeting(meeting)
    return item


@transaction.atomic(durable=True)
def add_photo(*, meeting: Meeting, actor, uploaded, caption_lo: str = "", caption_en: str = "") -> Photo:
    content, width, height = files.processed_photo(uploaded)
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()  # orders concurrent uploads
    order = (Photo.objects.filter(meeting=meeting).aggregate(m=Max("order"))["m"] or 0) + 1
    photo = Photo(meeting=meeting, width=width, height=height, caption_lo=caption_lo.strip(),
                  caption_en=caption_en.strip(), order=order, uploaded_by=actor)
    photo.image.save("photo.jpg", ContentFile(content), save=False)
    photo.save()
    record_audit(kind="photo.added", actor=actor, meeting=meeting, obj=photo,
                 after={"width": width, "height": height, "bytes": len(content)})
    _touch_meeting(meeting)
    return photo


@transaction.atomic(durable=True)
def delete_photo(*, meeting: Meeting, actor, photo_id: int) -> None:
    photo = Photo.objects.select_for_update().filter(meeting=meeting, pk=photo_id).first()
    if photo is None:
        raise ReportsError("not_found", _("This photo no longer exists."))
    name = photo.image.name
    record_audit(kind="photo.deleted", actor=actor, meeting=meeting, obj=photo, before={"file": name})
    photo.delete()
    transaction.on_commit(lambda: Photo.image.field.storage.delete(name))
    _touch_meeting(meeting)


@transaction.atomic(durable=True)
def upload_document(*, meeting: Meeting, actor, uploaded, title_lo: str, title_en: str, visibility: str) -> Document:
    if visibility not in Document.Visibility.values:
        raise ReportsError("invalid_visibility", _("Choose who may see the document."))
    if not (title_lo.strip() or title_en.strip()):
        raise ReportsError("no_title", _("Give the document a title in Lao or in English."))
    content, file_type = files.checked_document(uploaded)
    order = (Document.objects.filter(meeting=meeting).aggregate(m=Max("order"))["m"] or 0) + 1
    document = Document(
        meeting=meeting, title_lo=title_lo.strip(), title_en=title_en.strip(), content_type=file_type.content_type,
        size=len(content), visibility=visibility, uploaded_by=actor, order=order,
    )
    # The stored name's suffix is the type found in the content, whatever the uploaded name said.
    document.file.save(f"document.{file_type.extension}", ContentFile(content), save=False)
    document.save()
    record_audit(kind="document.uploaded", actor=actor, meeting=meeting, obj=document,
                 after={"type": file_type.content_type, "size": len(content), "visibility": visibility})
    _touch_meeting(meeting)
    return document


@transaction.atomic(durable=True)
def change_document_visibility(*, meeting: Meeting, actor, document_id: int, visibility: str) -> Document:
    if visibility not in Document.Visibility.values:
        raise ReportsError("invalid_visibility", _("Choose who may see the document."))
    document = Document.objects.select_for_update().filter(meeting=meeting, pk=document_id).first()
    if document is None:
        raise ReportsError("not_found", _("This document no longer exists."))
    before = document.visibility
    document.visibility = visibility
    document.save(update_fields=["visibility"])
    record_audit(kind="document.visibility_changed", actor=actor, meeting=meeting, obj=document,
                 before={"visibility": before}, after={"visibility": visibility})
    _touch_meeting(meeting)
    return document


@transaction.atomic(durable=True)
def delete_document(*, meeting: Meeting, actor, document_id: int) -> None:
    document = Document.objects.select_for_update().filter(meeting=meeting, pk=document_id).first()
    if document is None:
        raise ReportsError("not_found", _("This document no longer exists."))
    name, storage = document.file.name, document.file.storage
    record_audit(kind="document.deleted", actor=actor, meeting=meeting, obj=document,
                 before={"file": name, "visibility": document.visibility})
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))
    _touch_meeting(meeting)
