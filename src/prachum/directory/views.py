"""The list of honorifics: /<lang>/manage/honorifics/ (for those who may create meetings)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from prachum.accounts.roles import CREATE_MEETINGS_ACTION, may_create_meetings

from . import services
from .forms import HonorificForm
from .models import Honorific


@login_required
def honorifics(request):
    if not may_create_meetings(request.user):
        raise PermissionDenied(CREATE_MEETINGS_ACTION)
    form = HonorificForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        honorific = services.add_honorific(**form.cleaned_data, actor=request.user)
        messages.success(request, _("“%(label)s” is now in the list of honorifics.") % {"label": honorific.label})
        return redirect("honorifics:list")
    return render(request, "directory/manage/honorifics.html", {"honorifics": Honorific.objects.all(), "form": form})
