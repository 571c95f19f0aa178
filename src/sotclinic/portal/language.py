"""The language selector on public and portal pages."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from sotclinic.client_address import client_ip
from sotclinic.patients.services import set_preferred_language


@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (the choice kept in a cookie, then back to the page); a
    signed-in patient's choice is also kept on their record, for the messages they get."""
    response = set_language(request)
    patient = getattr(request.user, "patient", None) if request.user.is_authenticated else None
    if patient is not None and response.cookies.get(settings.LANGUAGE_COOKIE_NAME):
        set_preferred_language(
            request.user, patient.pk, request.POST["language"], address=client_ip(request)
        )
    return response
