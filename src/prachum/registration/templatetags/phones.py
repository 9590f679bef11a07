from django import template

from prachum.registration.phones import meeting_region, readable_phone as _readable

register = template.Library()


@register.filter
def readable_phone(value, meeting=None):
    """{{ registration.phone|readable_phone:meeting }}: national form for the meeting's country."""
    return _readable(value, meeting_region(meeting) if meeting is not None else "LA")
