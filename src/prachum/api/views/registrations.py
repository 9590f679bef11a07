"""Registrations of one meeting: the organizer list's filters, and the same use cases as the web pages
(registration.services), with the token's owner as the actor and the token named in the audit trail."""

import uuid

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from prachum.meetings.models import Category, Delegation
from prachum.registration import selectors
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Registration
from prachum.registration.services import editing, transitions
from prachum.registration.services.nomination import nominate_delegate
from prachum.registration.services.submission import submit_registration

from ..access import meeting_access
from ..idempotency import idempotent
from ..pagination import Cursor
from ..problems import problem
from ..serializers_registrations import (
    DecisionInput, NamesOnlySerializer, RegistrationCreate, RegistrationSerializer, RegistrationUpdate,
    registration_row, registration_rows, shown_columns,
)

# A refusal of a registration service → the HTTP status it answers with.
CONFLICTS = {"duplicate_email", "full", "bad_transition", "changed", "not_endorsed", "form_reused", "closed",
             "not_open", "not_editable", "edits_closed", "needs_review"}
FORBIDDEN = {"not_focal_point", "force_not_allowed"}


def refused(error: RegistrationError) -> Response:
    code = 409 if error.code in CONFLICTS else 403 if error.code in FORBIDDEN else 400
    return problem(code, error.code, error.message)


def _id_of(queryset, pk, field):
    found = queryset.filter(pk=pk).first()
    if found is None:
        message = (_("No category of this meeting has this id.") if field == "category"
                   else _("No delegation of this meeting has this id."))
        raise exceptions.ValidationError({field: [message]}, code="unknown")
    return found


class _Registrations:
    def access(self):
        if not hasattr(self, "_access"):
            self._access = meeting_access(self.request, self.kwargs["slug"])
        return self._access

    def names_only(self) -> bool:
        access = self.access()
        return not (access.can_review or access.is_focal_point)

    def registration(self) -> Registration:
        """The registration in the URL, if the token's owner may see it; else 404 (as for another meeting's)."""
        access = self.access()
        registration = (selectors.registrations_seen_by(access).select_related("category", "honorific")
                        .filter(pk=self.kwargs["pk"]).first())
        if registration is None:
            raise exceptions.NotFound(_("No registration of this meeting has this id."))
        return registration

    def may_change(self, registration: Registration) -> None:
        access = self.access()
        if access.can_review:
            return
        if access.is_focal_point and registration.delegation_id in access.delegation_ids:
            return
        raise exceptions.PermissionDenied(_("The token's owner may not change this registration."))

    def shown(self, registration, status_code=200) -> Response:
        """What RegistrationSerializer (NamesOnlySerializer for check-in staff) shows of `registration`."""
        return Response(registration_row(registration, names_only=self.names_only()), status=status_code)

    def actor(self):
        return {"actor": self.request.user, "actor_label": self.request.auth.actor_label}


FILTERS = [
    OpenApiParameter("q", str, description="Name in Lao or Latin script, email or organization"),
    OpenApiParameter("status", str, enum=Registration.Status.values),
    OpenApiParameter("category", int), OpenApiParameter("delegation", int),
    OpenApiParameter("checked_in", str, enum=["yes", "no"]),
    OpenApiParameter("endorsement", str, enum=["waiting", "endorsed"]),
]


class RegistrationList(_Registrations, generics.ListCreateAPIView):
    pagination_class = Cursor

    def get_serializer_class(self):
        if self.request.method == "POST":
            return RegistrationCreate
        if getattr(self, "swagger_fake_view", False):
            return RegistrationSerializer
        return NamesOnlySerializer if self.names_only() else RegistrationSerializer

    @extend_schema(tags=["registrations"], summary="Registrations, with the organizer list's filters",
                   parameters=FILTERS, description="Newest first, a cursor page at a time. A focal point's "
                   "token sees their delegations' registrations only; a check-in token names and status only.")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        """The organizer list's rows (its filters, from its form), the columns the page shows."""
        from prachum.registration.views.organizer_forms import RegistrationFilterForm

        access = self.access()
        filters = {}
        params = self.request.query_params
        # Without a filter in the query (a cursor's next page), the form, which reads the meeting's categories
        # and delegations for its choices, would filter nothing.
        if any(name in params for name in RegistrationFilterForm.base_fields):
            form = RegistrationFilterForm(params, access=access)
            if not form.is_valid():
                raise exceptions.ValidationError(form.errors.get_json_data() and {
                    field: [e["message"] for e in errors] for field, errors in form.errors.get_json_data().items()})
            filters = form.filters()
        names_only = self.names_only()
        return selectors.registrations_filtered(
            selectors.registrations_seen_by(access), names_only=names_only, **filters,
        ).values(*shown_columns(names_only))

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())  # the cursor's order (-pk)
        return self.get_paginated_response(registration_rows(page, names_only=self.names_only()))

    @extend_schema(tags=["registrations"], summary="Register a person",
                   request=RegistrationCreate, responses={201: RegistrationSerializer},
                   parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
                   description="As the web does it: a focal point's token nominates a member of its "
                   "delegation (nominate_delegate), an organizer's token registers as the public form does, "
                   "under the same rules. A seat if one is free, else the waiting list (status waitlisted).")
    @idempotent
    def post(self, request, *args, **kwargs):
        access = self.access()
        if not (access.can_review or access.is_focal_point):  # before the body: a refusal says who, not what
            raise exceptions.PermissionDenied(_("Organizers, reviewers and focal points register people."))
        data = RegistrationCreate(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        meeting = access.meeting
        category = _id_of(Category.objects.filter(meeting=meeting), values.pop("category"), "category")
        delegation_id = values.pop("delegation", None)
        delegation = (_id_of(Delegation.objects.filter(meeting=meeting), delegation_id, "delegation")
                      if delegation_id else None)
        common = dict(
            meeting=meeting, category=category, participation=values.pop("participation", "") or None,
            language=values.pop("language", "") or meeting.default_language or "lo",
            person={"honorific": None, **{k: v for k, v in values.items() if k != "organization_name"}},
            client_token=f"api-{uuid.uuid4().hex}",
        )
        organization_name = values.get("organization_name", "")
        try:
            if delegation is not None and delegation.pk in access.delegation_ids:
                result = nominate_delegate(**common, delegation=delegation, focal_point=request.user,
                                           actor_label=request.auth.actor_label)
            elif access.can_review:
                result = submit_registration(**common, delegation=delegation, organization_name=organization_name,
                                             **self.actor())
            else:
                raise exceptions.PermissionDenied(
                    _("A focal point's token registers members of its own delegation only."))
        except RegistrationError as error:
            return refused(error)
        return self.shown(result.registration, status.HTTP_201_CREATED)


class RegistrationDetail(_Registrations, APIView):
    @extend_schema(tags=["registrations"], summary="One registration", responses=RegistrationSerializer)
    def get(self, request, slug, pk):
        return self.shown(self.registration())

    @extend_schema(tags=["registrations"], summary="Change a registration", request=RegistrationUpdate,
                   responses=RegistrationSerializer,
                   description="The same rules as the person's own edit (update_registration): a move to "
                   "another category or delegation needs a free seat there.")
    def patch(self, request, slug, pk):
        registration = self.registration()
        self.may_change(registration)
        data = RegistrationUpdate(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        meeting = self.access().meeting
        changes = {}
        if "category" in values:
            changes["category"] = _id_of(Category.objects.filter(meeting=meeting), values.pop("category"), "category")
        if "delegation" in values:
            delegation_id = values.pop("delegation")
            changes["delegation"] = (_id_of(Delegation.objects.filter(meeting=meeting), delegation_id, "delegation")
                                     if delegation_id else None)
            access = self.access()
            if not access.can_review and (changes["delegation"] is None
                                          or changes["delegation"].pk not in access.delegation_ids):
                raise exceptions.PermissionDenied(_("A focal point's token keeps members in its own delegation."))
        for name in ("organization_name", "participation"):
            if name in values:
                changes[name] = values.pop(name)
        try:
            updated = editing.update_registration(registration_id=registration.pk, person=values, **changes,
                                                  **self.actor())
        except RegistrationError as error:
            return refused(error)
        return self.shown(Registration.objects.select_related("category", "honorific").get(pk=updated.pk))


class _Decision(_Registrations, APIView):
    service = None
    review_only = True

    def post(self, request, slug, pk):
        registration = self.registration()
        access = self.access()
        if self.review_only and not access.can_review:
            raise exceptions.PermissionDenied(_("Deciding on registrations needs the reviewer's role."))
        self.may_change(registration)
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        kwargs = {"registration_id": registration.pk, "unchanged_since": data.validated_data.get("unchanged_since"),
                  **self.actor()}
        if self.takes_reason:
            kwargs["reason"] = data.validated_data.get("reason", "").strip()
            if self.takes_reason == "required" and not kwargs["reason"]:
                raise exceptions.ValidationError(
                    {"reason": [_("Please write the reason for the rejection: the person reads it.")]})
        try:
            type(self).service(**kwargs)
        except RegistrationError as error:
            return refused(error)
        return self.shown(Registration.objects.select_related("category", "honorific").get(pk=registration.pk))


def _decision(name, service, *, takes_reason, review_only, summary):
    @extend_schema(tags=["registrations"], summary=summary, request=DecisionInput, responses=RegistrationSerializer,
                   parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)])
    @idempotent
    def post(self, request, slug, pk):
        return _Decision.post(self, request, slug, pk)

    return type(name, (_Decision,), {"service": staticmethod(service), "takes_reason": takes_reason,
                                     "review_only": review_only, "post": post})


Approve = _decision("Approve", transitions.approve_registration, takes_reason=False, review_only=True,
                    summary="Approve a registration")
Reject = _decision("Reject", transitions.reject_registration, takes_reason="required", review_only=True,
                   summary="Reject a registration (reason sent to the person)")
Cancel = _decision("Cancel", transitions.cancel_registration, takes_reason=True, review_only=False,
                   summary="Cancel a registration")
