"""The private manage page /<lang>/r/<token>/ and its downloads (e-ticket PNG and PDF; the calendar file
beside it is notify's, notify.views.calendar_ics, behind the same private_page).

Whoever holds the link is the registered person: the token (256 bits) is the only key, and only
its hash is stored and looked up. These pages are never cached, never indexed, send no Referer
(the address is the secret), and are not logged with their address: an unknown token gets the
ordinary 404 page without the "Not Found: <path>" log line, and settings.LOGGING hides /r/<token>
in any other record (see log_redaction.py).
"""

from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from prachum.core.qr import qr_code_pixel_size, qr_code_png
from prachum.registration import selectors, services
from prachum.registration.answers_display import answer_rows
from prachum.registration.forms import RegistrationForm
from prachum.registration.models import Answer, Registration
from prachum.registration.services.rules import is_editable as is_editable_now
from prachum.registration.tickets import ticket_pdf as build_ticket_pdf
from prachum.registration.views.answer_files import answer_file_response
from prachum.registration.views.public import see_other

Status = Registration.Status


def _not_found(request):
    response = render(request, "404.html", status=404)
    # Django would log "Not Found: /lo/r/<token>/": the address is the secret, so say nothing.
    response._has_been_logged = True
    return response


def private_page(*methods: str):
    """Look the registration up by the token's hash, and send the headers of a private page.

    The view gets the registration instead of the token. An unknown token costs the same lookup
    (one query on the unique hash index) as a known one, and answers the site's 404 page. Methods
    are checked here, not by require_http_methods, which would log the address of a refused one."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, token, **kwargs):
            registration = selectors.registration_by_manage_token(token)
            if request.method not in methods:
                response = HttpResponseNotAllowed(methods)
            elif registration is None:
                response = _not_found(request)
            else:
                try:
                    response = view(request, registration, token=token, **kwargs)
                except Http404:
                    response = _not_found(request)
            response["Cache-Control"] = "no-store"
            # same-origin, not no-referrer: with no-referrer Chromium posts the page's forms with
            # "Origin: null", which CSRF refuses; other sites still get no Referer (with the token).
            response["Referrer-Policy"] = "same-origin"
            response["X-Robots-Tag"] = "noindex, nofollow"
            if response.status_code >= 400:
                response._has_been_logged = True
            return response

        return wrapped

    return decorator


def has_ticket(registration: Registration) -> bool:
    """An approved registration of someone who comes in person has an e-ticket (the QR for the door).
    (At an online meeting everyone takes part online; at a hybrid one, each person chose.)"""
    return registration.status == Status.APPROVED and registration.participation == Registration.Participation.IN_PERSON


def is_editable(registration: Registration) -> bool:
    """The person may still change their details (active, before the meeting's edit deadline)."""
    return is_editable_now(registration, timezone.now())


def can_cancel(registration: Registration) -> bool:
    """Cancelling stays possible after the edit deadline, until the meeting ends."""
    return registration.status != Status.CANCELLED and timezone.now() < registration.meeting.ends_at


def reviews_changes(registration: Registration, form: RegistrationForm) -> bool:
    """Some changes on the form would send this registration back to the organizers for review."""
    return (
        registration.status == Status.APPROVED and registration.category.needs_approval
        and (bool(registration.meeting.reapproval_fields) or any(spec.version.needs_reapproval for spec in form.questions))
    )


def status_sentence(registration: Registration) -> str:
    status = registration.status
    if status == Status.APPROVED:
        return _("Your registration is confirmed.")
    if status == Status.PENDING:
        return _("Your registration is waiting for the organizers' review. We will write to you with their decision.")
    if status == Status.WAITLISTED:
        return _("You are on the waiting list. We will write to you if a seat becomes free.")
    if status == Status.REJECTED:
        return _("Your registration was not accepted.")
    return _("Your registration is cancelled.")


def _manage_url(token: str) -> str:
    return reverse("registration:manage", kwargs={"token": token})


@private_page("GET", "HEAD", "POST")
def manage(request, registration, *, token):
    form = None
    if is_editable(registration):
        if request.method == "POST":
            form = RegistrationForm(request.POST, request.FILES, meeting=registration.meeting, registration=registration)
            if form.is_valid():
                try:
                    updated = services.update_registration(
                        registration_id=registration.pk, person=form.person(), answers=form.answers()
                    )
                except services.RegistrationError as error:
                    form.add_error("email" if error.code == "duplicate_email" else None, str(error.message))
                else:
                    if updated.status == Status.PENDING and registration.status == Status.APPROVED:
                        messages.info(request, _(
                            "Your changes are saved. Because they need the organizers' review, your registration "
                            "is waiting for their decision again; you keep your place meanwhile."
                        ))
                    else:
                        messages.success(request, _("Your changes are saved."))
                    return see_other(_manage_url(token))
        else:
            form = RegistrationForm(meeting=registration.meeting, registration=registration)
    elif request.method == "POST":
        code = "edits_closed" if registration.status in Registration.ACTIVE and can_cancel(registration) else "not_editable"
        messages.error(request, str(services.RegistrationError(code).message))
        return see_other(_manage_url(token))

    meeting = registration.meeting
    context = {
        "registration": registration,
        "meeting": meeting,
        "title": meeting.title,
        "token": token,
        "status_sentence": status_sentence(registration),
        "answers": answer_rows(registration),
        "form": form,
        "has_ticket": has_ticket(registration),
        "has_calendar": registration.status in Registration.ACTIVE,
        "qr_size": qr_code_pixel_size(registration.badge_code),
        "edit_open": form is not None and form.is_bound,
        # After the deadline: until when changes were possible (shown in the meeting's time zone).
        "edits_closed_at": (
            meeting.edits_close if form is None and registration.status in Registration.ACTIVE and can_cancel(registration)
            else None
        ),
        "reviews_changes": form is not None and reviews_changes(registration, form),
        "can_cancel": can_cancel(registration),
    }
    return render(request, "registration/manage.html", context)


@private_page("GET", "HEAD", "POST")
def cancel(request, registration, *, token):
    if registration.status == Status.CANCELLED:
        return see_other(_manage_url(token))
    if not can_cancel(registration):
        messages.error(request, str(services.RegistrationError("not_editable").message))
        return see_other(_manage_url(token))
    if request.method == "POST":
        try:
            services.cancel_registration(registration_id=registration.pk)
        except services.RegistrationError as error:
            registration.refresh_from_db(fields=["status"])
            if registration.status != Status.CANCELLED:
                messages.error(request, str(error.message))
            # else a second click that reached the server while the first cancelled: the person asked for this.
        else:
            messages.success(request, _("Your registration is cancelled. Your seat has been given back."))
        return see_other(_manage_url(token))
    meeting = registration.meeting
    return render(request, "registration/cancel.html", {
        "registration": registration, "meeting": meeting, "title": meeting.title, "token": token,
    })


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@private_page("GET", "HEAD")
def ticket_png(request, registration, *, token):
    if not has_ticket(registration):
        raise Http404("no ticket")
    response = HttpResponse(qr_code_png(registration.badge_code), content_type="image/png")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="ticket-{registration.meeting.slug}.png"'
    return response


@private_page("GET", "HEAD")
def ticket_pdf(request, registration, *, token):
    if not has_ticket(registration):
        raise Http404("no ticket")
    return _download(build_ticket_pdf(registration), "application/pdf", f"ticket-{registration.meeting.slug}.pdf")


@private_page("GET", "HEAD")
def answer_file(request, registration, *, token, answer_id):
    """A file the person uploaded with their answers, for them to check what the organizers received."""
    answer = Answer.objects.select_related("question", "registration__meeting").filter(
        pk=answer_id, registration=registration).first()
    if answer is None:
        raise Http404("no such answer")
    return answer_file_response(answer)
