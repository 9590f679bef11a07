"""The check-in page for staff at the door, its service worker, and the organizer pages (devices, attendance)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from csp.constants import WASM_UNSAFE_EVAL
from csp.decorators import csp_update
from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from prachum.core.security_headers import allow_features
from prachum.meetings.permissions import Capability, meeting_access_required
from prachum.core.validators import as_id

from . import selectors, services
from .models import Device

SERVICE_WORKER = Path(__file__).parent / "static" / "checkin" / "sw.js"
BADGE_ID_PLACEHOLDER = 999999999
DECODER_DIR = "checkin/vendor/zxing-wasm-3.1.4/"


def _badge_url_template(slug: str) -> str:
    """The desk prints a forgotten badge through the badges app; BADGE_ID_PLACEHOLDER stands for the registration's id."""
    try:
        return reverse("badges:registration_badge", args=[slug, BADGE_ID_PLACEHOLDER])
    except NoReverseMatch:
        return ""


def _strings() -> dict:
    """Every sentence the page's script shows, from the catalog in the page's language."""
    return {
        "ok": str(_("Checked in")),
        "already": str(_("Already checked in")),
        "conflict": str(_("Already checked in")),
        "refused": str(_("Do not let in")),
        "failed": str(_("Not checked in")),
        "queued": str(_("Checked in on this device; it will be sent when the network is back.")),
        "queued_server": str(_("The server is not answering: decided from this device's list. "
                               "The check-in will be sent when the server answers.")),
        "sent": str(_("Sent to the server.")),
        "offline": str(_("Offline: check-ins are kept on this device.")),
        "unreachable": str(_("Server not answering — decided from this device's list; will sync")),
        "online": str(_("Connected to the network")),
        "pending": str(_("Waiting to be sent: %(n)s")),
        "undone": str(_("The last check-in was undone.")),
        "nothing_to_undo": str(_("There is nothing to undo.")),
        "camera_failed": str(_("The camera could not be started. Search by name instead.")),
        "no_results": str(_("No one found.")),
        "already_at": str(_("Already checked in at %(time)s.")),
        # What the server found when this device's queued check-ins reached it.
        "sync_conflict": str(_("%(name)s was already checked in at %(time)s. Both check-ins are kept; "
                               "the earlier one counts.")),
        "sync_conflict_by": str(_("%(name)s was already checked in at %(time)s by %(by)s. Both check-ins are "
                                  "kept; the earlier one counts.")),
        "sync_refused": str(_("%(name)s was not checked in: %(reason)s")),
        "refusals": {code: str(message) for code, message in services.REFUSALS.items()},
        "bundle_missing": str(_("No participant list on this device yet: connect to the network once.")),
        "not_in_list": str(_("This code is not on this device's list, and the server is not answering: "
                             "ask the secretariat.")),
        "print_badge": str(_("Print badge")),
        "error": str(_("Something went wrong. Try again.")),
    }


@never_cache
@allow_features("camera")
# The QR decoder is WebAssembly (zxing-wasm), which a browser compiles only under 'wasm-unsafe-eval';
# it allows no JavaScript eval.
@csp_update({"script-src": [WASM_UNSAFE_EVAL]})
@meeting_access_required(Capability.CHECK_IN)
def desk(request, slug, access):
    meeting = access.meeting
    sessions = list(meeting.sessions.order_by("starts_at", "order"))
    now = timezone.now()
    current = next((s for s in sessions if s.starts_at - timedelta(hours=1) <= now <= s.ends_at), None)
    config = {
        "slug": meeting.slug,
        "lang": get_language(),
        "ends_at": meeting.ends_at.isoformat(),
        "time_zone": meeting.time_zone,
        "csrf_token": get_token(request),
        "api": {name: reverse(f"checkin_api:{name}", args=[meeting.slug])
                for name in ("redeem", "sync", "undo", "bundle", "search", "counter")},
        "service_worker": reverse("checkin:service_worker"),
        "scope": reverse("checkin:service_worker").rsplit("/", 1)[0] + "/",
        "decoder": {"script": static(DECODER_DIR + "zxing-reader.iife.js"), "wasm": static(DECODER_DIR + "zxing_reader.wasm"),
                    "app": static("checkin/checkin.js"), "css": static("checkin/checkin.css"),
                    "site_css": static("prachum/css/prachum.css")},
        "badge_url": _badge_url_template(meeting.slug),
        "strings": _strings(),
    }
    return render(request, "checkin/desk.html", {
        "access": access, "meeting": meeting, "sessions": sessions, "current_session": current, "config": config,
        "staff_name": selectors.staff_name(request.user),
    })


def service_worker(request):
    """Served from /<lang>/checkin/ so that its scope covers every check-in page in that language."""
    response = HttpResponse(SERVICE_WORKER.read_bytes(), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


# ---------------------------------------------------------------------------- organizer pages


class DeviceForm(forms.Form):
    name = forms.CharField(label=_("Name of the device"), max_length=100,
                           help_text=_("e.g. Front desk laptop, Hall B phone"))


@meeting_access_required(Capability.MANAGE)
def devices(request, slug, access):
    meeting = access.meeting
    token = None
    if request.method == "POST":
        form = DeviceForm(request.POST)
        if form.is_valid():
            device, token = services.create_device(meeting=meeting, name=form.cleaned_data["name"], actor=request.user)
            form = DeviceForm()
    else:
        form = DeviceForm()
    return render(request, "checkin/devices.html", {
        "access": access, "tab": "checkin_devices", "form": form, "new_token": token,
        "devices": Device.objects.filter(meeting=meeting).order_by("-created_at"), "now": timezone.now(),
    })


@require_POST
@meeting_access_required(Capability.MANAGE)
def revoke_device(request, slug, device_id, access):
    device = services.revoke_device(device_id=device_id, meeting=access.meeting, actor=request.user)
    messages.success(request, _("The device %(name)s can no longer check people in.") % {"name": device.name})
    return redirect("checkin_manage:devices", slug)


@meeting_access_required(Capability.MANAGE, Capability.REVIEW)
def attendance(request, slug, access):
    meeting = access.meeting
    sessions = list(meeting.sessions.order_by("starts_at", "order"))
    chosen = None
    wanted = request.GET.get("session", "")
    if (session_id := as_id(wanted)) is not None:
        chosen = next((s for s in sessions if s.pk == session_id), None)
    elif sessions and wanted != "0":
        chosen = sessions[0]
    rows = selectors.attendance(meeting, chosen, include_absent=True)
    came = [r for r in rows if r.checked_in_at]
    return render(request, "checkin/attendance.html", {
        "access": access, "tab": "attendance", "sessions": sessions, "session": chosen, "rows": rows,
        "came": len(came), "expected": selectors.expected_registrations(meeting).count(),
        "conflicts": sum(1 for r in came if r.conflicts), "time_zone": meeting.time_zone,
    })
