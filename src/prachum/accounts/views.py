import functools

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from prachum.audit.changes import with_changes

from . import selectors, services
from .forms import AccountSearchForm, InviteAccountForm
from .roles import ADMINISTER_SITE_ACTION, is_site_administrator


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """An invited person chooses their password through the link in their invitation email. Django's view
    moves the token from the address into the session at once, so it does not stay in the browser's
    history or in a Referer header."""

    template_name = "accounts/set_password.html"
    success_url = reverse_lazy("accounts:password_set")


class PasswordSetView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_set.html"


# -- site administration: /<lang>/manage/accounts/ ------------------------------------------------------

def administrator_required(view):
    """Login, then the site administrator's right; without it a 403 page that says who grants it."""

    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_site_administrator(request.user):
            raise PermissionDenied(ADMINISTER_SITE_ACTION)
        return view(request, *args, **kwargs)

    return wrapped


@administrator_required
def accounts(request):
    search = AccountSearchForm(request.GET or None)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    page = Paginator(selectors.accounts(query=query), selectors.ACCOUNTS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_rights(page.object_list)
    return render(request, "accounts/manage/accounts.html", {
        "page": page, "search": search, "query": query, "trail": with_changes(selectors.account_trail()),
    })


@administrator_required
def invite(request):
    form = InviteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invite_account(actor=request.user, **form.cleaned_data)
        except services.AccountError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The account is made, and %(email)s gets an email with the link to choose a "
                                        "password.") % {"email": user.email})
            return redirect("account_admin:accounts")
    return render(request, "accounts/manage/invite.html", {"form": form})


def _change(request, change, done_message):
    try:
        user = change()
    except services.AccountError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done_message % {"name": user.get_full_name() or user.get_username()})
    return redirect("account_admin:accounts")


@require_POST
@administrator_required
def set_active(request, pk):
    account = get_object_or_404(get_user_model(), pk=pk)
    active = request.POST.get("active") == "1"
    return _change(request, lambda: services.set_account_active(actor=request.user, user_id=account.pk, active=active),
                   _("%(name)s can log in again.") if active else _("%(name)s is deactivated and can no longer log in."))


RIGHT_MESSAGES = {
    ("may_create_meetings", True): gettext_lazy("%(name)s may now create meetings."),
    ("may_create_meetings", False): gettext_lazy("%(name)s may no longer create meetings."),
    ("administrator", True): gettext_lazy("%(name)s is now a site administrator."),
    ("administrator", False): gettext_lazy("%(name)s is no longer a site administrator."),
}


@require_POST
@administrator_required
def set_right(request, pk):
    account = get_object_or_404(get_user_model(), pk=pk)
    right, granted = request.POST.get("right"), request.POST.get("granted") == "1"
    if right not in services.RIGHTS:
        return HttpResponseBadRequest("no such right")
    return _change(request, lambda: services.set_account_right(actor=request.user, user_id=account.pk, right=right,
                                                                granted=granted),
                   RIGHT_MESSAGES[right, granted])


@require_POST
@administrator_required
def resend(request, pk):
    account = get_object_or_404(get_user_model(), pk=pk)
    return _change(request, lambda: services.resend_account_invitation(actor=request.user, user_id=account.pk),
                   _("A new link to choose a password is sent to %(name)s."))
