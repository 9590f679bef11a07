"""How audit events read on the organizer's pages: what happened, by whom, what changed."""

from django import template

from prachum.audit.kinds import actor_label, field_label, kind_label, value_label

register = template.Library()


@register.filter
def audit_kind(kind: str):
    return kind_label(kind)


@register.filter
def audit_actor(label: str):
    return actor_label(label)


@register.filter
def audit_changes(event) -> list[tuple[object, object, object]]:
    """(field, before or None, after) for every field the event names, before's order first, as people
    read them (audit/kinds.py: field_label, value_label)."""
    before, after = event.before or {}, event.after or {}
    names = list(dict.fromkeys([*before, *after]))
    return [
        (
            field_label(name),
            value_label(event.kind, name, before[name]) if before.get(name) is not None else None,
            value_label(event.kind, name, after[name]) if name in after else "—",
        )
        for name in names
    ]
