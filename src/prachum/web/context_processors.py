from django.conf import settings


def site(request):
    return {"PRACHUM_BASE_URL": settings.PRACHUM_BASE_URL}
