"""The waitlist for patients: joining it from the booking page (or the portal when signed in),
and the page an offer's link opens, to book the freed time."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from sotclinic.errors import DomainError
from sotclinic.refusals import show_on_form
from sotclinic.scheduling import services, waitlist
from sotclinic.scheduling.errors import SlotNotOffered, SlotTaken
from sotclinic.scheduling.forms import WaitlistForm
from sotclinic.scheduling.links import manage_token
from sotclinic.scheduling.locale_middleware import chosen_language
from sotclinic.scheduling.models import AppointmentType, Practitioner, WaitlistEntry
from sotclinic.scheduling.throttle import allow_booking_attempt

from .booking import render
from .forms import BookingDetailsForm


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _signed_in_patient(request: HttpRequest):
    user = request.user
    if user.is_authenticated and user.is_patient:
        return getattr(user, "patient", None)
    return None


def join(request: HttpRequest) -> HttpResponse:
    """The waitlist form: the wish, and the person's details unless a patient is signed in."""
    kinds = AppointmentType.objects.filter(
        active=True, bookable_online=True, new_patients_may_book_online=True
    )
    practitioners = Practitioner.objects.filter(active=True)
    initial = {
        "appointment_type": _int(request.GET.get("type")),
        "practitioner": _int(request.GET.get("practitioner")),
    }
    posted = request.POST if request.method == "POST" else None
    form = WaitlistForm(posted, kinds=kinds, practitioners=practitioners, initial=initial)
    patient = _signed_in_patient(request)
    details = None if patient else BookingDetailsForm(posted, prefix="you")
    context = {"form": form, "details": details, "patient": patient}
    if posted is None:
        return render(request, "portal/waitlist_join.html", context)
    valid = form.is_valid() & (details is None or details.is_valid())
    if not valid:
        return render(request, "portal/waitlist_join.html", context, status=422)
    if not allow_booking_attempt(request):
        context["error"] = "Too many attempts from your network; please try later."
        return render(request, "portal/waitlist_join.html", context, status=429)
    try:
        if patient is not None:
            waitlist.add_to_waitlist(
                patient=patient, source=WaitlistEntry.Source.PORTAL, by=request.user, **form.wish()
            )
        else:
            services.join_waitlist_online(
                **details.cleaned_data, language=chosen_language(request) or "", **form.wish()
            )
    except DomainError as exc:  # about the wish: the details were checked by their form
        status = show_on_form(form, exc)
        return render(request, "portal/waitlist_join.html", context, status=status)
    return redirect("portal:waitlist_joined")


@require_GET
def joined(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/waitlist_joined.html")


def offer(request: HttpRequest, token: str) -> HttpResponse:
    """An offer's link: GET shows the freed time (mail scanners follow links, so GET never
    books), POST books it; when someone was quicker, the page says so and shows other times
    that fit the wish."""
    found = waitlist.offer_for_token(token)
    context = {
        "offer": found,
        "entry": found.entry,
        "local_start": found.start.astimezone(found.location.tz),
    }
    if request.method != "POST":
        return render(request, "portal/waitlist_offer.html", context)
    try:
        appointment = services.claim_waitlist_offer(token, base_url=request.build_absolute_uri("/"))
    except (SlotTaken, SlotNotOffered) as exc:
        context.update(
            taken=True, error=exc.message, other_times=waitlist.fitting_times(found.entry)
        )
        return render(request, "portal/waitlist_taken.html", context, status=409)
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "portal/waitlist_offer.html", context, status=exc.status_code)
    return redirect("portal:booking_confirmed", token=manage_token(appointment))
