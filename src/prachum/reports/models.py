"""What a meeting leaves behind: its outcome, the news item about it, and the photos of it."""

import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _

from prachum.core.bilingual import Translated


class PhotoStorage(LazyObject):
    # Photos of a meeting are served through a view that checks whether the news item is published:
    # kept outside MEDIA_ROOT, so that no web server hands out an unpublished photo by its address.
    def _setup(self):
        self._wrapped = FileSystemStorage(location=settings.DATA_DIR / "private" / "photos")


photo_files = PhotoStorage()


def photo_storage():
    # A callable, so that migrations name it instead of recording this machine's data folder.
    return photo_files


def photo_upload_to(instance, filename):
    # A random name: the uploaded file's name may say who is in the photo.
    return f"{instance.meeting_id}/{secrets.token_hex(16)}.jpg"


class Outcome(models.Model):
    """What the meeting achieved, written by an organizer after it: summary, decisions, follow-up."""

    meeting = models.OneToOneField("meetings.Meeting", on_delete=models.CASCADE, related_name="outcome")
    summary_lo = models.TextField(_("summary (Lao)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    decisions_lo = models.TextField(_("decisions (Lao)"), blank=True)
    decisions_en = models.TextField(_("decisions (English)"), blank=True)
    follow_up_lo = models.TextField(_("follow-up (Lao)"), blank=True)
    follow_up_en = models.TextField(_("follow-up (English)"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    summary = Translated("summary")
    decisions = Translated("decisions")
    follow_up = Translated("follow_up")

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")

    def __str__(self):
        return f"{self.meeting}"


class NewsItem(models.Model):
    """The news item about one meeting, in Lao and English; public once published."""

    meeting = models.OneToOneField("meetings.Meeting", on_delete=models.CASCADE, related_name="news_item")
    title_lo = models.CharField(_("title (Lao)"), max_length=400, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=400, blank=True)
    body_lo = models.TextField(_("text (Lao)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    text_by_lo = models.CharField(_("text by (Lao)"), max_length=200, blank=True)
    text_by_en = models.CharField(_("text by (English)"), max_length=200, blank=True)
    photos_by_lo = models.CharField(_("photos by (Lao)"), max_length=200, blank=True)
    photos_by_en = models.CharField(_("photos by (English)"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    title = Translated("title")
    body = Translated("body")
    text_by = Translated("text_by")
    photos_by = Translated("photos_by")

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
        indexes = [models.Index(fields=["published_at"], name="newsitem_published_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | ~Q(title_lo="", title_en=""),
                name="newsitem_published_has_a_title",
            ),
        ]

    def __str__(self):
        return str(self.title) or str(self.meeting)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Photo(models.Model):
    """A photo of the meeting, resized and stripped of its metadata (EXIF, GPS) when it was added."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(storage=photo_storage, upload_to=photo_upload_to)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    caption_lo = models.CharField(_("caption (Lao)"), max_length=300, blank=True)
    caption_en = models.CharField(_("caption (English)"), max_length=300, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    caption = Translated("caption")

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["meeting", "order", "pk"]

    def __str__(self):
        return str(self.caption) or f"photo {self.pk}"
