"""How a page or document names a person in its own language."""

from django import template

register = template.Library()


@register.filter
def position_in(registration, language):
    """The registration's position in `language` (the other one, marked as such, where only that is given)."""
    return registration.position_in(language)


@register.filter
def honorific_in(registration, language):
    return registration.honorific_in(language)
