import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sotclinic import clinic_locale
from sotclinic.accounts.access import practitioner_required, staff_required
from sotclinic.accounts.events import recent_account_events
from sotclinic.accounts.models import AccountEvent
from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_access, log_aggregate_access
from sotclinic.client_address import client_ip
from sotclinic.errors import DomainError
from sotclinic.next_url import safe_next
from sotclinic.patients.forms import PatientForm
from sotclinic.patients.models import Patient
from sotclinic.patients.selectors import search_patients
from sotclinic.patients.services import DuplicatePatient
from sotclinic.query_params import date_param
from sotclinic.refusals import refused_back_to, show_on_form

from . import series, services
from .attendance import attendance_report
from .calendar_view import CalendarGrid, calendar_grid, fitting_types
from .calendars import practitioner_feed
from .errors import BookingError, OutsideOpeningHours
from .forms import (
    AppointmentForm,
    BookingRulesForm,
    CancelForm,
    ClinicPageForm,
    FaqFormSet,
    FreeTimesForm,
    LocationForm,
    MoveForm,
    PractitionerProfileFormSet,
    SeriesForm,
    SeriesMoveForm,
    SlotQueryForm,
    settled_row_start,
    settled_series_starts,
)
from .history import appointment_history
from .models import Appointment, ClinicSettings, FaqEntry, Location, Practitioner
from .selectors import BookingWindow, free_slots
from .services import save_clinic_page

# --- Calendar ------------------------------------------------------------------------------


def _location(request: HttpRequest) -> Location | None:
    locations = Location.objects.order_by("name")
    chosen = request.GET.get("location")
    return (locations.filter(pk=chosen).first() if chosen and chosen.isdigit() else None) or (
        locations.first()
    )


# The statuses the calendar shows (cancelled appointments free their time and are left out),
# in the order of the legend.
CALENDAR_STATUSES = [
    (status, Appointment.Status(status).label) for status in Appointment.ACTIVE_STATUSES
]


def _calendar_practitioner(request, practitioners, view):
    """The practitioner asked for; "" asks for everyone. The week view without a choice shows
    the practitioner who is looking, or the first."""
    asked = request.GET.get("practitioner")
    chosen = next((p for p in practitioners if str(p.pk) == asked), None)
    if chosen is None and asked is None and view == "week":
        chosen = next((p for p in practitioners if p.user_id == request.user.pk), None) or (
            practitioners[0] if practitioners else None
        )
    return chosen


@dataclass
class CalendarSection:
    location: Location
    grid: CalendarGrid | None


@staff_required
def calendar(request: HttpRequest) -> HttpResponse:
    """Day or week view: one column per practitioner (and day), or one practitioner's columns
    only; at one location, or at every location one below the other ("all")."""
    locations = list(Location.objects.order_by("name"))
    everywhere = request.GET.get("location") == "all" and len(locations) > 1
    location = _location(request)
    if location is None:
        return render(request, "scheduling/calendar.html", {"location": None})
    view = "day" if request.GET.get("view") == "day" else "week"
    now = timezone.now()
    today = now.astimezone(location.tz).date()
    day = date_param(request.GET, "date") or today
    shown_locations = locations if everywhere else [location]
    staff = {
        loc.pk: list(loc.practitioners.filter(active=True).order_by("display_name"))
        for loc in shown_locations
    }
    practitioners = sorted(
        {p for people in staff.values() for p in people}, key=lambda p: p.display_name
    )
    chosen = _calendar_practitioner(request, practitioners, view)
    if view == "week":
        first = clinic_locale.week_start(day)
        days = [first + dt.timedelta(days=i) for i in range(7)]
        page_step = dt.timedelta(days=7)
    else:
        days = [day]
        page_step = dt.timedelta(days=1)
    step = ClinicSettings.load().slot_step_minutes
    sections = []
    for loc in shown_locations:
        shown = [chosen] if chosen in staff[loc.pk] else ([] if chosen else staff[loc.pk])
        grid = (
            calendar_grid(loc, days, shown, now=now, step=step, stretches=view == "week")
            if shown
            else None
        )
        sections.append(CalendarSection(loc, grid))
    context = {
        "location": location,
        "location_param": "all" if everywhere else location.pk,
        "locations": locations,
        "sections": sections,
        "practitioners": practitioners,
        "chosen": chosen,
        "view": view,
        "day": day,
        "days": days,
        "today": today,
        "statuses": CALENDAR_STATUSES,
        "slot_step": step,
        "book_url": reverse("scheduling:appointment_new"),
        "prev": days[0] - page_step,
        "next": days[0] + page_step,
    }
    # The grid shows the names of the patients booked in it.
    log_aggregate_access(
        request,
        Action.VIEW_CALENDAR,
        f"calendar: {view} of {days[0].isoformat()}, location {context['location_param']}, "
        f"practitioner {chosen.pk if chosen else 'everyone'}",
    )
    return render(request, "scheduling/calendar.html", context)


def _calendar_url(appointment: Appointment) -> str:
    day = appointment.start.astimezone(appointment.location.tz).date()
    return (
        f"{reverse('scheduling:calendar')}?view=week&location={appointment.location_id}"
        f"&practitioner={appointment.practitioner_id}&date={day.isoformat()}"
    )


def _fitting_type(query) -> int | None:
    """For a time clicked on the calendar: the type to offer first (see `fitting_types`)."""
    form = SlotQueryForm(query)
    if not form.is_valid():
        return None
    data = form.cleaned_data
    start = dt.datetime.combine(data["date"], data["time"], tzinfo=data["location"].tz)
    kinds = fitting_types(data["practitioner"], data["location"], start.astimezone(dt.UTC))
    return kinds[0].pk if kinds else None


@staff_required
def appointment_new(request: HttpRequest) -> HttpResponse:
    """Create an appointment for a patient found by search or registered here; an overlap is
    refused with the reason next to the time."""
    initial = {
        "patient": request.GET.get("patient"),
        "practitioner": request.GET.get("practitioner"),
        "location": request.GET.get("location") or getattr(_location(request), "pk", None),
        "date": request.GET.get("date"),
        "time": request.GET.get("time"),
        "appointment_type": request.GET.get("appointment_type"),
    }
    if request.method == "GET" and not initial["appointment_type"]:
        initial["appointment_type"] = _fitting_type(request.GET)
    form = AppointmentForm(request.POST or None, initial=initial)
    registering = request.method == "POST" and "register_new" in request.POST
    new_patient = PatientForm(request.POST if registering else None, prefix="new")
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid() and (not registering or new_patient.is_valid()):
            try:
                appointment = _book(request, form, new_patient if registering else None)
            except DuplicatePatient as exc:
                status = show_on_form(new_patient, exc)
            except DomainError as exc:
                status = show_on_form(form, exc, field="time")
            else:
                messages.success(request, _("Appointment booked."))
                return redirect(_calendar_url(appointment))
    chosen = _chosen_patient(form)
    context = {
        "form": form,
        "new_patient": new_patient,
        "registering": registering,
        "chosen_patient": chosen,
        "chosen_found": [chosen] if chosen else [],
        "finder": FreeTimesForm(initial=initial),
    }
    return render(request, "scheduling/appointment_new.html", context, status=status)


def _chosen_patient(form) -> Patient | None:
    value = form["patient"].value()
    return Patient.objects.filter(pk=value).first() if str(value or "").isdigit() else None


def _book(request: HttpRequest, form, new_patient) -> Appointment:
    data = form.cleaned_data
    booking = {
        "practitioner": data["practitioner"],
        "appointment_type": data["appointment_type"],
        "location": data["location"],
        "start": form.start(),
        "outside_hours_by": request.user if data["outside_hours"] else None,
        "by": request.user,
    }
    if new_patient is not None:
        return services.book_new_patient(
            patient_data=new_patient.cleaned_data, address=client_ip(request), **booking
        )
    if data["patient"] is None:
        raise BookingError(_("Choose a patient, or register a new one."), "patient")
    return services.book_appointment(patient=data["patient"], **booking)


# How many patients the search offers, and how many free times the finder lists.
PATIENT_CHOICES = 8
FREE_TIMES = 12
FREE_TIMES_DAYS = 28


@staff_required
@require_GET
def patient_choices(request: HttpRequest) -> HttpResponse:
    """Patients matching what is typed so far, as choices for the booking form (htmx)."""
    raw = request.GET.get("q", "").strip()[:100]
    found = list(search_patients(raw)[:PATIENT_CHOICES]) if len(raw) >= 2 else []
    return render(request, "scheduling/_patient_choices.html", {"found": found, "q": raw})


@staff_required
@require_GET
def free_times(request: HttpRequest) -> HttpResponse:
    """The next free times for a type with a practitioner or anyone, from a day on (htmx).
    Staff are not held to the online booking window: any time from now on is offered."""
    form = FreeTimesForm(request.GET)
    if not form.is_valid():
        return render(request, "scheduling/_free_times.html", {"form": form}, status=422)
    data = form.cleaned_data
    location = data["location"] or _location(request)
    now = timezone.now()
    start_day = max(data["date"] or now.date(), now.astimezone(location.tz).date())
    practitioner = data["practitioner"]
    slots = free_slots(
        data["appointment_type"],
        start_day,
        FREE_TIMES_DAYS,
        practitioner_ids=None if practitioner is None else [practitioner.pk],
        location_id=location.pk,
        window=BookingWindow(earliest=now, latest=None),
    )[:FREE_TIMES]
    names = dict(Practitioner.objects.values_list("pk", "display_name"))
    times = [
        {
            "start": s.start.astimezone(location.tz),
            "practitioner": s.practitioner_id,
            "name": names.get(s.practitioner_id, ""),
        }
        for s in slots
    ]
    return render(request, "scheduling/_free_times.html", {"form": form, "times": times})


def _appointment(pk: int) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related(
            "patient", "practitioner", "appointment_type", "location"
        ),
        pk=pk,
    )


@staff_required
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment(pk)
    # The page shows the patient's name, phone and e-mail.
    log_access(request, appointment.patient, Action.VIEW_APPOINTMENT, f"appointment {pk}")
    local = appointment.start.astimezone(appointment.location.tz)
    move_form = MoveForm(
        request.POST or None,
        initial={
            "practitioner": appointment.practitioner_id,
            "date": local.date(),
            "time": local.time(),
            "length": services.length_minutes(appointment),
        },
    )
    status = 200
    if request.method == "POST":
        status = 422
        if move_form.is_valid():
            try:
                _move(appointment, move_form.cleaned_data, request.user)
            except DomainError as exc:
                status = show_on_form(move_form, exc, field="time")
            else:
                messages.success(request, _("Appointment moved."))
                return redirect(_calendar_url(_appointment(pk)))
    context = {
        "appointment": appointment,
        "local_start": local,
        "local_end": appointment.end.astimezone(appointment.location.tz),
        "move_form": move_form,
        "calendar_url": _calendar_url(appointment),
        "history": appointment_history(appointment),
        "following": len(series.following(appointment)) if appointment.series_id else 0,
    }
    return render(request, "scheduling/appointment_detail.html", context, status=status)


def _move(appointment: Appointment, data: dict, user) -> Appointment:
    """Move as the move form asks (date and time in the location's zone): the one path for
    the appointment page, the calendar's drag and drop and its move dialog."""
    start = dt.datetime.combine(
        data["date"], data["time"], tzinfo=appointment.location.tz
    ).astimezone(dt.UTC)
    return services.move_appointment(
        appointment,
        start,
        practitioner=data["practitioner"],
        minutes=data.get("length"),
        outside_hours_by=user if data["outside_hours"] else None,
        by=user,
    )


@staff_required
@require_POST
def appointment_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move from the calendar (drag and drop, or the move dialog), with the move form's rules.

    From the calendar's script (htmx header) the answer is a message: 200 when moved, the
    refusal with its status otherwise, offering the outside-hours override when that is what
    stands in the way. A plain form post goes back to the calendar with the message.
    """
    appointment = _appointment(pk)
    form = MoveForm(request.POST)
    error, status, offer_override = None, 200, False
    resized = form.is_valid() and form.cleaned_data.get("length") not in (
        None,
        services.length_minutes(appointment),
    )
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        status = 422
    else:
        try:
            appointment = _move(appointment, form.cleaned_data, request.user)
        except DomainError as exc:
            error, status = str(exc.message), exc.status_code
            offer_override = isinstance(exc, OutsideOpeningHours)
    done = _("Appointment changed.") if resized else _("Appointment moved.")
    if error is None:
        messages.success(request, done)
    elif not request.htmx:
        messages.error(request, error)
    if not request.htmx:
        return redirect(safe_next(request, _calendar_url(appointment)))
    context = {"error": error, "offer_override": offer_override, "done": done}
    return render(request, "scheduling/_move_result.html", context, status=status)


STATUS_ACTIONS = {
    "arrived": Appointment.Status.ARRIVED,
    "no_show": Appointment.Status.NO_SHOW,
    "completed": Appointment.Status.COMPLETED,
    "booked": Appointment.Status.BOOKED,
}


@staff_required
@require_POST
@refused_back_to(lambda request, pk: reverse("scheduling:appointment", args=[pk]))
def appointment_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark arrived / no-show / completed (cancelling has its own page, which asks why)."""
    appointment = _appointment(pk)
    action = request.POST.get("action", "")
    if action in STATUS_ACTIONS:
        services.mark_appointment(appointment, STATUS_ACTIONS[action], by=request.user)
    else:
        return HttpResponseBadRequest("Unknown action.")
    messages.success(request, _("Appointment updated."))
    return redirect(safe_next(request, _calendar_url(appointment)))


@staff_required
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask why, say whether it is a late cancellation, and cancel once confirmed."""
    appointment = _appointment(pk)
    log_access(request, appointment.patient, Action.VIEW_APPOINTMENT, f"cancel appointment {pk}")
    back = safe_next(request, reverse("scheduling:appointment", args=[pk]))
    form = CancelForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.cancel_appointment(
                    appointment,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
            except DomainError as exc:
                status = show_on_form(form, exc)
            else:
                messages.success(request, _("Appointment cancelled."))
                return redirect(safe_next(request, _calendar_url(appointment)))
    local = appointment.start.astimezone(appointment.location.tz)
    context = {
        "appointment": appointment,
        "local_start": local,
        "form": form,
        "back": back,
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "late": services.cancels_late(appointment, timezone.now()),
        "window_hours": ClinicSettings.load().cancellation_window_hours,
    }
    return render(request, "scheduling/appointment_cancel.html", context, status=status)


REPORT_PERIODS = (30, 90, 365)


@staff_required
@require_GET
def attendance(request: HttpRequest) -> HttpResponse:
    """No-shows and late cancellations per patient over the last 30, 90 or 365 days."""
    asked = request.GET.get("days", "")
    days = int(asked) if asked.isdigit() and int(asked) in REPORT_PERIODS else 90
    now = timezone.now()
    rows = attendance_report(now - dt.timedelta(days=days), now)
    log_aggregate_access(request, Action.VIEW_ATTENDANCE, f"attendance report: {days} days")
    context = {"rows": rows, "days": days, "periods": REPORT_PERIODS}
    return render(request, "scheduling/attendance.html", context)


@staff_required
def series_new(request: HttpRequest) -> HttpResponse:
    """Book a series: check every occurrence first, let the front desk skip or move each one
    that cannot be booked, then book them all in one transaction."""
    initial = {
        "patient": request.GET.get("patient"),
        "location": getattr(_location(request), "pk", None),
    }
    form = SeriesForm(request.POST or None, initial=initial)
    plan, status = None, 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            booking = {
                "practitioner": data["practitioner"],
                "appointment_type": data["appointment_type"],
                "location": data["location"],
            }
            try:
                if request.POST.get("action") == "book":
                    starts = settled_series_starts(request.POST, data["location"].tz)
                else:
                    starts = series.series_starts(
                        data["first_day"],
                        data["time"],
                        data["weekdays"],
                        data["weeks"],
                        data["location"].tz,
                    )
                plan = series.plan_series(starts=starts, **booking)
                if request.POST.get("action") == "book" and not any(o.conflict for o in plan):
                    booked = series.book_series(
                        patient=data["patient"], starts=starts, by=request.user, **booking
                    )
                    messages.success(
                        request, _("%(count)s appointments booked.") % {"count": len(booked)}
                    )
                    return redirect("patients:detail", data["patient"].pk)
                status = 409 if any(o.conflict for o in plan) else 200
            except DomainError as exc:
                status = show_on_form(form, exc)
    tz = form.cleaned_data["location"].tz if plan is not None else None
    rows = [
        {"n": i, "occurrence": o, "local": o.start.astimezone(tz)} for i, o in enumerate(plan or [])
    ]
    chosen = _chosen_patient(form)
    if chosen is not None:  # the page shows the patient's name and date of birth
        log_access(request, chosen, Action.VIEW_SERIES, "book a series")
    context = {
        "form": form,
        "rows": rows,
        "conflicts": sum(1 for o in plan or [] if o.conflict),
        "chosen_patient": chosen,
    }
    return render(request, "scheduling/series.html", context, status=status)


def _settled_moves(post, following: list[Appointment], tz) -> dict[Appointment, dt.datetime]:
    """The new starts the front desk settled on, by appointment: each planned row (``appt-N``,
    an appointment among ``following``, and ``start-N``) kept, skipped or re-timed as in
    `forms.settled_row_start`."""
    by_pk = {str(a.pk): a for a in following}
    moves = {}
    for key in sorted(k for k in post if k.startswith("appt-")):
        n = key.removeprefix("appt-")
        appointment = by_pk.get(post[key])
        start = settled_row_start(post, n, tz)
        if appointment is not None and start is not None:
            moves[appointment] = start
    return moves


def _series_page(request, pk: int) -> tuple[Appointment, list[Appointment]]:
    appointment = _appointment(pk)
    if appointment.series_id is None:
        raise Http404
    log_access(request, appointment.patient, Action.VIEW_SERIES, f"series of appointment {pk}")
    return appointment, series.following(appointment)


@staff_required
def series_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move this appointment and all that follow it in its series by as much: every new time
    is checked first, the front desk skips or re-times each conflict, then all move at once."""
    appointment, following = _series_page(request, pk)
    tz = appointment.location.tz
    local = appointment.start.astimezone(tz)
    form = SeriesMoveForm(
        request.POST or None, initial={"date": local.date(), "time": local.time()}
    )
    plan, status, action = None, 200, request.POST.get("action")
    if request.method == "POST":
        status = 422
        try:
            if action == "move":
                moves = _settled_moves(request.POST, following, tz)
            elif form.is_valid():
                new_start = dt.datetime.combine(
                    form.cleaned_data["date"], form.cleaned_data["time"], tzinfo=tz
                )
                shift = series.local_shift(appointment, new_start)
                moves = {a: series.shifted(a, shift) for a in following}
            else:
                moves = None
            if moves is not None:
                plan = series.plan_move(moves)
                conflicts = any(p.conflict for p in plan)
                if action == "move" and not conflicts:
                    moved = series.move_following(moves, by=request.user)
                    messages.success(
                        request, _("%(count)s appointments moved.") % {"count": len(moved)}
                    )
                    return redirect(_calendar_url(moved[0]))
                status = 409 if conflicts else 200
        except DomainError as exc:
            status = show_on_form(form, exc)
    rows = [
        {
            "n": i,
            "planned": p,
            "old": p.appointment.start.astimezone(tz),
            "local": p.start.astimezone(tz),
        }
        for i, p in enumerate(plan or [])
    ]
    context = {
        "appointment": appointment,
        "following": following,
        "form": form,
        "rows": rows,
        "conflicts": sum(1 for p in plan or [] if p.conflict),
    }
    return render(request, "scheduling/series_move.html", context, status=status)


@staff_required
def series_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel this appointment and all that follow it in its series, for one reason; each is
    flagged late or not by its own start."""
    appointment, following = _series_page(request, pk)
    form = CancelForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                cancelled = series.cancel_following(
                    following,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
            except DomainError as exc:
                status = show_on_form(form, exc)
            else:
                messages.success(
                    request, _("%(count)s appointments cancelled.") % {"count": len(cancelled)}
                )
                return redirect(_calendar_url(appointment))
    now = timezone.now()
    tz = appointment.location.tz
    rows = [
        {"appointment": a, "local": a.start.astimezone(tz), "late": services.cancels_late(a, now)}
        for a in following
    ]
    context = {
        "appointment": appointment,
        "rows": rows,
        "form": form,
        "window_hours": ClinicSettings.load().cancellation_window_hours,
    }
    return render(request, "scheduling/series_cancel.html", context, status=status)


# --- Clinic page settings ------------------------------------------------------------------


@staff_required
def clinic_page(request: HttpRequest) -> HttpResponse:
    """Staff edit everything the public home page shows, and the online booking rules."""
    location = Location.objects.order_by("pk").first() or Location(time_zone="Europe/London")
    settings = ClinicSettings.load()
    data = request.POST or None
    files = request.FILES or None
    forms_ = {
        "location_form": LocationForm(data, instance=location, prefix="loc"),
        "page_form": ClinicPageForm(data, instance=settings, prefix="page"),
        "rules_form": BookingRulesForm(data, instance=settings, prefix="rules"),
        "people": PractitionerProfileFormSet(
            data, files, queryset=Practitioner.objects.filter(active=True), prefix="people"
        ),
        "faq": FaqFormSet(data, queryset=FaqEntry.objects.all(), prefix="faq"),
    }
    if request.method == "POST":
        if all(f.is_valid() for f in forms_.values()):
            faq = forms_["faq"].save(commit=False)
            save_clinic_page(
                location=forms_["location_form"].save(commit=False),
                settings=forms_["rules_form"].save(commit=False),  # page_form's instance too
                practitioners=forms_["people"].save(commit=False),
                faq=faq,
                faq_removed=forms_["faq"].deleted_objects,
            )
            messages.success(request, _("Clinic page saved."))
            return redirect("scheduling:clinic_page")
        messages.error(request, _("Some fields need attention; see below."))
    return render(
        request,
        "scheduling/clinic_page.html",
        forms_,
        status=422 if request.method == "POST" else 200,
    )


# --- Calendar feed -------------------------------------------------------------------------


FEED_EVENTS = (AccountEvent.Kind.CALENDAR_FEED_REPLACED, AccountEvent.Kind.CALENDAR_FEED_REVOKED)
FEED_PAST = dt.timedelta(days=7)
FEED_AHEAD = dt.timedelta(days=90)


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A practitioner's appointments as iCalendar, for a calendar app; the URL is the secret."""
    if len(token) < 20:
        raise Http404
    practitioner = get_object_or_404(Practitioner, calendar_feed_token=token, active=True)
    now = timezone.now()
    appointments = Appointment.objects.filter(
        practitioner=practitioner, start__gte=now - FEED_PAST, start__lt=now + FEED_AHEAD
    ).select_related("patient", "location")
    response = HttpResponse(
        practitioner_feed(practitioner, appointments), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, max-age=300"
    return response


@practitioner_required
def feed_settings(request: HttpRequest) -> HttpResponse:
    """The practitioner's own feed: create a new secret URL (revoking the old one) or revoke."""
    practitioner = get_object_or_404(Practitioner, user=request.user)
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.revoke_calendar_feed(practitioner, by=request.user)
            messages.success(request, _("Calendar feed revoked; the old address no longer works."))
        else:
            services.replace_calendar_feed(practitioner, by=request.user)
            messages.success(
                request, _("New calendar address created; the old one no longer works.")
            )
        return redirect("scheduling:feed_settings")
    feed_url = (
        request.build_absolute_uri(
            reverse("scheduling:calendar_feed", args=[practitioner.calendar_feed_token])
        )
        if practitioner.calendar_feed_token
        else None
    )
    events = recent_account_events(request.user, FEED_EVENTS)
    context = {"feed_url": feed_url, "events": events}
    return render(request, "scheduling/feed_settings.html", context)
