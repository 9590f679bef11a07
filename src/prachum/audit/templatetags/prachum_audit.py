"""How audit events read on the organizer's pages: what happened and by whom (what changed: audit/changes.py)."""

from django import template

from prachum.audit.kinds import actor_label, kind_label

register = template.Library()


@register.filter
def audit_kind(kind: str):
    return kind_label(kind)


@register.filter
def audit_actor(label: str):
    return actor_label(label)
