from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from sotclinic.accounts.access import staff_required
from sotclinic.charting.selectors import attach_visits

from .models import Location
from .selectors import day_schedule


@staff_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """Today's appointments per practitioner, for each location, in the location's time."""
    locations = []
    for location in Location.objects.order_by("name"):
        today = timezone.now().astimezone(location.tz).date()
        locations.append(
            {"location": location, "day": today, "columns": day_schedule(today, location)}
        )
    if request.user.is_practitioner:  # the "open / start visit" links on each appointment
        attach_visits(a for b in locations for c in b["columns"] for a in c.appointments)
    return render(request, "scheduling/staff_home.html", {"locations": locations})
