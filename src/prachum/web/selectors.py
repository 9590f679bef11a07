"""Reads for the site's own pages: the home page's version (public meetings and news, from meetings and reports)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Min, Q

from prachum.meetings.selectors import PUBLIC_STATUSES, public_meetings
from prachum.reports.models import NewsItem


@dataclass(frozen=True)
class HomeVersion:
    """What the home page shows changes only with these: the public meetings (their number and latest
    change), the news (the same) and the next moment a meeting starts or ends, when it becomes
    "taking place now" or moves to the past meetings."""

    meetings: int
    meetings_changed: datetime | None
    news: int
    news_changed: datetime | None
    next_moment: datetime | None

    def stamp(self) -> str:
        return ":".join(str(value) for value in (self.meetings, self.meetings_changed, self.news, self.news_changed,
                                                 self.next_moment))


def home_version(*, now: datetime) -> HomeVersion:
    """Two small aggregate queries instead of the home page's three reads and its rendering."""
    meetings = public_meetings().aggregate(
        count=Count("pk"), changed=Max("updated_at"),
        next_start=Min("starts_at", filter=Q(starts_at__gt=now)), next_end=Min("ends_at", filter=Q(ends_at__gte=now)),
    )
    news = NewsItem.objects.filter(published_at__isnull=False, meeting__status__in=PUBLIC_STATUSES).aggregate(
        count=Count("pk"), changed=Max("updated_at"),
    )
    moments = [moment for moment in (meetings["next_start"], meetings["next_end"]) if moment is not None]
    return HomeVersion(meetings["count"], meetings["changed"], news["count"], news["changed"],
                       min(moments) if moments else None)
