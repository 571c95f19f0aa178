"""The public booking flow (no login) and the signed page to manage a booking.

One URL, one step at a time, driven by query parameters, so it works without JavaScript,
by keyboard, and the browser's back button does what a person expects:
type → practitioner (or first available) → day → time → details → confirmation.
"""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render as django_render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sotclinic.errors import DomainError
from sotclinic.query_params import date_param, datetime_param
from sotclinic.scheduling import services
from sotclinic.scheduling.errors import BookingError
from sotclinic.scheduling.links import (
    appointment_for_token,
    booking_request_for_token,
    manage_token,
)
from sotclinic.scheduling.locale_middleware import chosen_language
from sotclinic.scheduling.models import AppointmentType, ClinicSettings, Location, Practitioner
from sotclinic.scheduling.selectors import (
    first_available,
    listed_slots,
    online_appointment_types,
)
from sotclinic.scheduling.throttle import allow_booking_attempt

from .forms import BookingDetailsForm

DAYS_SHOWN = 14


def render(request: HttpRequest, template: str, context: dict | None = None, status: int = 200):
    """Render a public page; every public page shows the clinic's name and contact."""
    context = {"location": Location.objects.order_by("pk").first(), **(context or {})}
    return django_render(request, template, context, status=status)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _days(slots, tz, first_day: dt.date) -> list[dict]:
    counts: dict[dt.date, int] = {}
    for slot in slots:
        counts[slot.start.astimezone(tz).date()] = (
            counts.get(slot.start.astimezone(tz).date(), 0) + 1
        )
    return [
        {
            "date": first_day + dt.timedelta(days=i),
            "count": counts.get(first_day + dt.timedelta(days=i), 0),
        }
        for i in range(DAYS_SHOWN)
    ]


def slot_choice(request: HttpRequest, kind, practitioner_id, *, exclude_appointment_id=None):
    """Days with their number of free times, and the times of the chosen day."""
    location = Location.objects.order_by("pk").first()
    tz = location.tz if location else dt.UTC
    today = timezone.now().astimezone(tz).date()
    first_day = max(date_param(request.GET, "from") or today, today)
    ids = None if practitioner_id is None else [practitioner_id]
    slots = listed_slots(
        kind,
        first_day,
        DAYS_SHOWN,
        practitioner_ids=ids,
        exclude_appointment_id=exclude_appointment_id,
    )
    if practitioner_id is None:
        slots = first_available(slots)
    days = _days(slots, tz, first_day)
    day = date_param(request.GET, "day")
    if day is None:
        day = next((d["date"] for d in days if d["count"]), None)
    times = [
        {"slot": s, "local": s.start.astimezone(tz), "value": s.start.isoformat()}
        for s in slots
        if s.start.astimezone(tz).date() == day
    ]
    return {
        "days": days,
        "day": day,
        "times": times,
        "tz": tz,
        "next_from": first_day + dt.timedelta(days=DAYS_SHOWN),
        "prev_from": first_day - dt.timedelta(days=DAYS_SHOWN) if first_day > today else None,
    }


def _known_details(request: HttpRequest) -> dict:
    """A signed-in patient's own details, to fill the form in for them."""
    patient = getattr(request.user, "patient", None) if request.user.is_authenticated else None
    if patient is None:
        return {}
    return {
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "email": patient.email,
        "phone": patient.phone,
        "date_of_birth": patient.date_of_birth,
    }


def book(request: HttpRequest) -> HttpResponse:
    """Each step of the public booking page; the last step posts the details."""
    kinds = online_appointment_types()
    kind = next((k for k in kinds if k.pk == _int(request.GET.get("type"))), None)
    context: dict = {"kinds": kinds, "kind": kind, "step": "type"}
    if kind is None:
        status = 404 if request.GET.get("type") else 200
        if status == 404:
            context["error"] = "There is no such appointment type; pick one from the list."
        return render(request, "portal/book.html", context, status=status)

    practitioners = list(kind.practitioners.filter(active=True))
    context["practitioners"] = practitioners
    choice = request.GET.get("practitioner")
    if not choice:
        context["step"] = "practitioner"
        return render(request, "portal/book.html", context)
    practitioner = next((p for p in practitioners if str(p.pk) == choice), None)
    if choice != "any" and practitioner is None:
        context.update(step="practitioner", error="Pick a practitioner from the list.")
        return render(request, "portal/book.html", context, status=404)
    context["practitioner"] = practitioner
    context["practitioner_param"] = choice

    start = datetime_param(request.GET, "start")
    if start is None:
        context.update(step="time", **slot_choice(request, kind, practitioner and practitioner.pk))
        return render(request, "portal/book.html", context)

    location = Location.objects.order_by("pk").first()
    context.update(step="details", start=start, local_start=start.astimezone(location.tz))
    form = BookingDetailsForm(request.POST or None, initial=_known_details(request))
    if request.method != "POST" or not form.is_valid():
        return render(
            request,
            "portal/book.html",
            {**context, "form": form},
            status=422 if request.method == "POST" else 200,
        )
    if not allow_booking_attempt(request):
        context["error"] = "Too many booking attempts from your network; please try later."
        return render(request, "portal/book.html", {**context, "form": form}, status=429)
    data = form.cleaned_data
    try:
        outcome = services.book_online(
            appointment_type_id=kind.pk,
            practitioner_id=practitioner and practitioner.pk,
            start=start,
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            phone=data["phone"],
            date_of_birth=data["date_of_birth"],
            consent=data["consent"],
            base_url=request.build_absolute_uri("/"),
            language=chosen_language(request) or "",
        )
    except DomainError as exc:
        context.update(
            step="time",
            error=exc.message,
            **slot_choice(request, kind, practitioner and practitioner.pk),
        )
        return render(request, "portal/book.html", context, status=exc.status_code)
    if not outcome.booked:
        # A returning-patient type: the same page whether or not the details matched.
        return redirect("portal:booking_received")
    return redirect("portal:booking_confirmed", token=manage_token(outcome.appointment))


def booking_received(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/booking_received.html")


def confirm_booking_request(request: HttpRequest, token: str) -> HttpResponse:
    """The link e-mailed for a returning-patient booking: GET shows it (mail scanners follow
    links, so GET never books), POST books it."""
    asked = booking_request_for_token(token)
    location = Location.objects.order_by("pk").first()
    context = {
        "appointment_type": AppointmentType.objects.filter(pk=asked["appointment_type_id"]).first(),
        "practitioner": Practitioner.objects.filter(pk=asked["practitioner_id"]).first(),
        "local_start": asked["start"].astimezone(location.tz),
    }
    if request.method != "POST":
        return render(request, "portal/confirm_booking_request.html", context)
    try:
        appointment = services.confirm_booking_request(
            token, base_url=request.build_absolute_uri("/")
        )
    except BookingError as exc:  # the page shows the request again, with why it failed
        context["error"] = exc.message
        return render(
            request, "portal/confirm_booking_request.html", context, status=exc.status_code
        )
    return redirect("portal:booking_confirmed", token=manage_token(appointment))


def booking_confirmed(request: HttpRequest, token: str) -> HttpResponse:
    appointment = appointment_for_token(token)
    return render(request, "portal/booking_confirmed.html", _manage_context(appointment, token))


def manage_context(appointment) -> dict:
    """What the page about one appointment shows, however the patient reached it."""
    tz = appointment.location.tz
    return {
        "appointment": appointment,
        "local_start": appointment.start.astimezone(tz),
        "local_end": appointment.end.astimezone(tz),
        "changeable": services.patient_may_change(appointment, timezone.now()),
        "settings": ClinicSettings.load(),
    }


def _manage_context(appointment, token: str) -> dict:
    return {
        **manage_context(appointment),
        "manage_path": reverse("portal:manage_booking", args=[token]),
        "cancel_url": reverse("portal:cancel_booking", args=[token]),
        "move_url": reverse("portal:move_booking", args=[token]),
    }


def manage_booking(request: HttpRequest, token: str) -> HttpResponse:
    """The page behind the e-mailed link: see, cancel, or move to another free time."""
    appointment = appointment_for_token(token)
    context = _manage_context(appointment, token)
    if context["changeable"] and request.GET.get("move"):
        context.update(
            moving=True,
            **slot_choice(
                request,
                appointment.appointment_type,
                appointment.practitioner_id,
                exclude_appointment_id=appointment.pk,
            ),
        )
    return render(request, "portal/manage_booking.html", context)


def _manage_refused(request: HttpRequest, appointment, token: str, error: DomainError):
    """The manage page again, with why the change was refused."""
    context = {**_manage_context(appointment, token), "error": error.message}
    return render(request, "portal/manage_booking.html", context, status=error.status_code)


@require_POST
def cancel_booking(request: HttpRequest, token: str) -> HttpResponse:
    appointment = appointment_for_token(token)
    try:
        services.cancel_appointment(
            appointment, by_patient=True, base_url=request.build_absolute_uri("/")
        )
    except DomainError as exc:
        return _manage_refused(request, appointment, token, exc)
    return redirect("portal:manage_booking", token=token)


@require_POST
def move_booking(request: HttpRequest, token: str) -> HttpResponse:
    appointment = appointment_for_token(token)
    start = datetime_param(request.POST, "start")
    try:
        if start is None:
            raise BookingError(_("Pick a new time from the list."), "start")
        services.move_appointment(
            appointment, start, by_patient=True, base_url=request.build_absolute_uri("/")
        )
    except DomainError as exc:
        return _manage_refused(request, appointment, token, exc)
    return redirect("portal:manage_booking", token=token)
