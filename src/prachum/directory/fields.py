"""A foreign key to Organization that reads the organization as it was on a day of the row that holds it.

`Delegation.organization` and `Meeting.host` are such keys: `delegation.organization.name` is the name the
organization had on the meeting's first day, and its `kind` is "member_state" only if it was one then. So
every page, email, badge and list that names a delegation or a host names it as of its meeting, without
a date check of its own (prachum.directory.history).

The day is needed only for an organization that has a history (former names, a membership date); for
the others reading it costs nothing more. For one with a history, the day comes from the holding row
(`as_of(row)`), e.g. the delegation's meeting: select it with the delegation in lists.
"""

from __future__ import annotations

from django.db import models
from django.db.models.fields.related_descriptors import ForwardManyToOneDescriptor

from .history import has_history, organization_as_of


class DatedOrganizationDescriptor(ForwardManyToOneDescriptor):
    def __get__(self, instance, cls=None):
        organization = super().__get__(instance, cls)
        if instance is None or organization is None or not has_history(organization):
            return organization
        return organization_as_of(organization, self.field.as_of(instance))


class OrganizationForeignKey(models.ForeignKey):
    """ForeignKey("directory.Organization", as_of=lambda row: <the day of the row>, ...)."""

    forward_related_accessor_class = DatedOrganizationDescriptor

    def __init__(self, *args, as_of=None, **kwargs):
        self.as_of = as_of or (lambda instance: None)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        # The database knows a plain foreign key: migrations neither see nor need this class.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ForeignKey", args, kwargs
