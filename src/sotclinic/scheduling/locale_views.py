"""The staff page for the clinic's language, date and time formats and regional defaults."""

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from sotclinic.accounts.access import staff_required

from .forms import ClinicLocaleForm
from .models import ClinicSettings
from .services import save_clinic_locale


@staff_required
def clinic_locale(request: HttpRequest) -> HttpResponse:
    form = ClinicLocaleForm(request.POST or None, instance=ClinicSettings.load(), prefix="locale")
    if request.method == "POST":
        if form.is_valid():
            save_clinic_locale(form.save(commit=False))
            messages.success(request, _("Language and formats saved."))
            return redirect("scheduling:clinic_locale")
        messages.error(request, _("Some fields need attention; see below."))
    return render(
        request,
        "scheduling/clinic_locale.html",
        # A preview: the current time and 3 April 1985 as the saved settings write them.
        {"form": form, "now": timezone.now(), "example_birth": dt.date(1985, 4, 3)},
        status=422 if request.method == "POST" else 200,
    )
