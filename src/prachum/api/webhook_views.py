"""Organizer pages of webhooks: /<lang>/manage/<slug>/webhooks/ (owners and managers of the meeting)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from prachum.meetings.permissions import Capability, meeting_access_required

from . import webhooks
from .forms import SentOnce
from .services import MadeAlready
from .webhook_models import EVENT_KINDS, Webhook, WebhookDelivery


class WebhookForm(SentOnce):
    url = forms.CharField(label=_("URL"), max_length=500,
                          help_text=_("https:// address of your receiver (http:// only for localhost)."))
    event_kinds = forms.MultipleChoiceField(label=_("Events"), choices=EVENT_KINDS,
                                            widget=forms.CheckboxSelectMultiple)

    def clean_url(self):
        return webhooks.validate_url(self.cleaned_data["url"])


def _as_id(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < number < 2**31:
        raise Http404
    return number


@meeting_access_required(Capability.MANAGE)
def webhook_list(request, slug, access):
    meeting = access.meeting
    secret = None
    if request.method == "POST":
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                hook, secret = webhooks.create_webhook(meeting=meeting, owner=request.user,
                                                       url=form.cleaned_data["url"],
                                                       event_kinds=form.cleaned_data["event_kinds"],
                                                       form_key=form.cleaned_data["form_key"])
            except ValidationError as error:
                form.add_error(None, error)
            except MadeAlready as again:
                messages.info(request, _("The webhook to %(url)s was made when this form was first sent, and its "
                                         "secret shown then, once. If you did not copy it, delete it and add it "
                                         "again.") % {"url": again.made.url})
                return redirect("webhooks:list", meeting.slug)
            else:
                form = WebhookForm()
    else:
        form = WebhookForm()
    labels = dict(EVENT_KINDS)
    hooks = list(Webhook.objects.filter(meeting=meeting).select_related("owner").defer("secret").order_by("-created_at"))
    for hook in hooks:
        hook.kind_labels = [labels.get(kind, kind) for kind in hook.event_kinds]
    response = render(request, "api/webhooks/list.html", {
        "access": access, "tab": "webhooks", "form": form, "new_secret": secret, "hooks": hooks,
    }, status=400 if request.method == "POST" and form.errors else 200)
    if secret:  # shown once: kept by no cache, as the token page's secret
        response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@meeting_access_required(Capability.MANAGE)
def webhook_toggle(request, slug, webhook_id, access):
    active = request.POST.get("active") == "1"
    try:
        webhooks.set_webhook_active(webhook_id=_as_id(webhook_id), meeting=access.meeting, active=active,
                                    actor=request.user)
    except Webhook.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("The webhook is enabled.") if active else _("The webhook is disabled."))
    return redirect("webhooks:list", slug)


@require_POST
@meeting_access_required(Capability.MANAGE)
def webhook_delete(request, slug, webhook_id, access):
    try:
        webhooks.delete_webhook(webhook_id=_as_id(webhook_id), meeting=access.meeting, actor=request.user)
    except Webhook.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("The webhook is deleted."))
    return redirect("webhooks:list", slug)


@meeting_access_required(Capability.MANAGE)
def webhook_deliveries(request, slug, webhook_id, access):
    hook = get_object_or_404(Webhook.objects.defer("secret"), pk=_as_id(webhook_id), meeting=access.meeting)
    deliveries = list(WebhookDelivery.objects.filter(webhook=hook).defer("payload").order_by("-pk")[:200])
    labels = dict(EVENT_KINDS)
    for delivery in deliveries:
        delivery.kind_label = labels.get(delivery.event_kind, delivery.event_kind)
    return render(request, "api/webhooks/deliveries.html", {
        "access": access, "tab": "webhooks", "hook": hook, "deliveries": deliveries,
    })


@require_POST
@meeting_access_required(Capability.MANAGE)
def delivery_resend(request, slug, webhook_id, delivery_id, access):
    hook = get_object_or_404(Webhook.objects.defer("secret"), pk=_as_id(webhook_id), meeting=access.meeting)
    try:
        webhooks.resend_delivery(delivery_id=_as_id(delivery_id), meeting=access.meeting, actor=request.user)
    except WebhookDelivery.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("The event is being sent again."))
    return redirect("webhooks:deliveries", slug, hook.pk)
