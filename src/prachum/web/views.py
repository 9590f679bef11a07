from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def home(request):
    return render(request, "web/home.html", {})


@login_required
def manage(request):
    return render(request, "web/manage.html", {})


def page_not_found(request, exception):
    return render(request, "404.html", status=404)
