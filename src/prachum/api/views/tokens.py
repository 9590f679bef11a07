"""The organizer pages of API tokens: /<lang>/manage/api-tokens/ (a person's own tokens, across meetings).

Login (and the second factor, TwoFactorMiddleware) required, and a role that may make tokens. The secret
is shown once, in the response to the POST that made it: never in an address, the session or a later page."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import selectors, services
from ..forms import TokenForm
from ..models import ApiToken


def token_maker_required(view):
    @functools.wraps(view)
    @login_required
    @never_cache
    def wrapped(request, *args, **kwargs):
        if not selectors.may_make_tokens(request.user):
            raise PermissionDenied("api_tokens")
        return view(request, *args, **kwargs)

    return wrapped


@token_maker_required
@require_http_methods(["GET", "HEAD"])
def token_list(request):
    return render(request, "api/tokens.html", {"tokens": selectors.tokens_of(request.user)})


@token_maker_required
@require_http_methods(["GET", "HEAD", "POST"])
def new_token(request):
    form = TokenForm(request.POST or None, meetings=selectors.token_meetings(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.create_token(
                owner=request.user, name=form.cleaned_data["name"], scope=form.cleaned_data["scope"],
                meeting=form.cleaned_data["meeting"], form_key=form.cleaned_data["form_key"])
        except services.MadeAlready as again:
            messages.info(request, _("The token “%(name)s” was made when this form was first sent, and its secret "
                                     "shown then, once. If you did not copy it, revoke it and make a new one.")
                          % {"name": again.made.name})
            return redirect("api_tokens:list")
        # Rendered here, not after a redirect: the secret goes nowhere else.
        response = render(request, "api/token_made.html", {"token": token, "secret": secret})
        response["Cache-Control"] = "private, no-store"
        return response
    return render(request, "api/token_new.html", {"form": form}, status=400 if form.errors else 200)


@token_maker_required
@require_http_methods(["GET", "HEAD", "POST"])
def revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.select_related("meeting"), pk=pk, owner=request.user)
    if request.method == "POST":
        if token.revoked_at is None:
            services.revoke_token(token_id=token.pk, actor=request.user)
            messages.success(request, _("The token “%(name)s” is revoked: programs that use it are refused from now on.")
                             % {"name": token.name})
        return redirect("api_tokens:list")
    return render(request, "api/token_revoke.html", {"token": token})
