"""Pieces other apps' pages show: the published news and public documents on the public meeting page,
a participant's documents on their manage page, the latest news on the home page."""

from django import template

from prachum.reports import selectors
from prachum.reports.models import NewsItem, Photo
from prachum.reports.news import credit_lines

register = template.Library()


@register.inclusion_tag("reports/_public_outcome.html")
def meeting_news_and_documents(meeting, language):
    # One query when the meeting has neither (most meetings, most of the time): the public page's
    # cache misses stay cheap. Then one query for the news item, one for its photos, one for documents.
    found = selectors.public_outcome_presence(meeting)
    news = None
    if found["news_id"] is not None:
        item = NewsItem.objects.get(pk=found["news_id"])
        news = {
            "item": item, "title": item.title, "body": item.body,
            "credits": credit_lines(language, str(item.text_by), str(item.photos_by)),
            "photos": list(Photo.objects.filter(meeting=meeting)),
        }
    documents = list(selectors.public_documents(meeting)) if found["has_documents"] else []
    return {"meeting": meeting, "news": news, "documents": documents}


@register.inclusion_tag("reports/_participant_documents.html")
def participant_documents(registration, token):
    return {
        "registration": registration, "token": token,
        "documents": list(selectors.documents_for_registration(registration)),
    }


@register.inclusion_tag("reports/_home_news.html")
def latest_news(limit=6):
    return {"news_items": list(selectors.published_news(limit))}
