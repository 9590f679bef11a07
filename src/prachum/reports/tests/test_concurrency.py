"""Two organizers saving the news item or adding photos at the same moment: one news item, every photo kept."""

import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from prachum.meetings.tests.factories import make_meeting
from prachum.reports import services
from prachum.reports.models import NewsItem, Photo


def _run_together(target, count: int) -> list:
    errors, barrier = [], threading.Barrier(count)

    def worker(n):
        try:
            barrier.wait()
            target(n)
        except Exception as error:  # noqa: BLE001 — collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_saving_the_news_item_at_the_same_time_makes_one_news_item():
    meeting = make_meeting()
    errors = _run_together(
        lambda n: services.save_news_item(meeting=meeting, actor=None, values={"title_en": f"Title {n}", "body_en": "x"},
                                          publish=True),
        4,
    )
    assert errors == []
    item = NewsItem.objects.get(meeting=meeting)
    assert item.title_en.startswith("Title ") and item.published_at is not None


@pytest.mark.django_db(transaction=True)
def test_photos_added_at_the_same_time_are_all_kept_in_distinct_order():
    meeting = make_meeting()
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(out, format="PNG")
    content = out.getvalue()
    errors = _run_together(
        lambda n: services.add_photo(meeting=meeting, actor=None, uploaded=SimpleUploadedFile(f"{n}.png", content)), 4
    )
    assert errors == []
    orders = list(Photo.objects.filter(meeting=meeting).values_list("order", flat=True))
    assert sorted(orders) == [1, 2, 3, 4]
