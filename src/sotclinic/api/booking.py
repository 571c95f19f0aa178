"""Public booking API: appointment types, practitioners, free slots, bookings."""

import datetime as dt
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, JsonResponse
from ninja import Query, Router, Schema, Status
from pydantic import AwareDatetime, Field, field_validator

from sotclinic.patients.phones import normalise_phone
from sotclinic.patients.validators import validate_date_of_birth
from sotclinic.scheduling import services
from sotclinic.scheduling.errors import NotBookableOnline
from sotclinic.scheduling.models import AppointmentType, ClinicSettings, Practitioner
from sotclinic.scheduling.notifications import manage_url
from sotclinic.scheduling.selectors import (
    first_available,
    listed_slots,
    online_appointment_types,
)
from sotclinic.scheduling.throttle import allow_booking_attempt

from .errors import error_body

router = Router(tags=["booking"])

MAX_DAYS = 31


class AppointmentTypeOut(Schema):
    id: int
    name: str
    duration_minutes: int
    new_patients_may_book_online: bool
    practitioners: list[int]


class PractitionerOut(Schema):
    id: int
    display_name: str
    credentials: str
    sot_certification: str
    bio: str
    appointment_types: list[int]


class SlotOut(Schema):
    start: dt.datetime
    end: dt.datetime
    practitioner: int
    location: int


# A row id as the database stores it (BigAutoField); larger numbers overflowed the query (500).
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]

# How far from today a listing or a booking may reach. Nobody books a decade out, and dates
# near year 1 or 9999 would overflow the time-zone arithmetic of slot computation.
HORIZON = dt.timedelta(days=3660)


def _within_horizon(day: dt.date) -> None:
    today = dt.date.today()
    if not today - HORIZON <= day <= today + HORIZON:
        raise ValueError("pick a date within ten years of today")


class SlotQuery(Schema):
    appointment_type: RowId
    practitioner: RowId | None = None
    start: dt.date
    days: int = Field(7, ge=1, le=MAX_DAYS)

    @field_validator("start")
    @classmethod
    def start_is_near_today(cls, value: dt.date) -> dt.date:
        _within_horizon(value)
        return value


# Control characters have no place in a name or a phone number, and PostgreSQL cannot store NUL.
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]*$"


def _printable(value: str) -> str:
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise ValueError("must not contain control characters")
    return value


def _text(min_length: int, max_length: int):
    return Field(
        min_length=min_length,
        max_length=max_length,
        json_schema_extra={"pattern": NO_CONTROL_CHARACTERS},
    )


class BookingIn(Schema):
    appointment_type: RowId
    practitioner: RowId | None = None
    start: AwareDatetime
    first_name: str = _text(1, 100)
    last_name: str = _text(1, 100)
    email: str = Field(max_length=254)
    phone: str = _text(5, 40)
    date_of_birth: dt.date
    consent: bool

    @field_validator("start")
    @classmethod
    def start_is_near_today(cls, value: dt.datetime) -> dt.datetime:
        try:
            value = value.astimezone(dt.UTC)
        except OverflowError as exc:  # e.g. 9999-12-31T23:30-01:00 is past the last UTC date
            raise ValueError("pick a date within ten years of today") from exc
        _within_horizon(value.date())
        return value

    @field_validator("first_name", "last_name", "phone")
    @classmethod
    def printable(cls, value: str) -> str:
        return _printable(value)

    @field_validator("email")
    @classmethod
    def email_is_valid(cls, value: str) -> str:
        try:
            validate_email(value.strip())
        except DjangoValidationError as exc:
            raise ValueError("enter a valid e-mail address") from exc
        return value.strip()

    @field_validator("phone")
    @classmethod
    def phone_is_reachable(cls, value: str) -> str:
        """Read in the clinic's phone region and returned in E.164, as on the booking page
        (the API answers in English, without the clinic's locale, so the region is read here)."""
        try:
            return normalise_phone(value, ClinicSettings.load().phone_region)
        except DjangoValidationError as exc:
            raise ValueError(exc.messages[0]) from exc

    @field_validator("date_of_birth")
    @classmethod
    def born_in_the_past(cls, value: dt.date) -> dt.date:
        try:
            return validate_date_of_birth(value)
        except DjangoValidationError as exc:
            raise ValueError(exc.messages[0]) from exc

    @field_validator("consent")
    @classmethod
    def consent_given(cls, value: bool) -> bool:
        if not value:
            raise ValueError("please agree so that we can keep your details")
        return value


class BookingOut(Schema):
    id: int
    appointment_type: int
    practitioner: int
    practitioner_name: str
    location: int
    start: dt.datetime
    end: dt.datetime
    manage_url: str


class RequestReceivedOut(Schema):
    status: str
    detail: str


class ErrorOut(Schema):
    detail: str
    errors: list[dict] = []


def _online_types():
    return AppointmentType.objects.filter(active=True, bookable_online=True)


@router.get("/appointment-types", response=list[AppointmentTypeOut])
def appointment_types(request: HttpRequest):
    """Appointment types that can be booked online, with who offers each."""
    kinds = _online_types().prefetch_related("practitioners")
    return [
        {
            "id": k.pk,
            "name": k.name,
            "duration_minutes": k.duration_minutes,
            "new_patients_may_book_online": k.new_patients_may_book_online,
            "practitioners": [p.pk for p in k.practitioners.all() if p.active],
        }
        for k in kinds
    ]


@router.get("/practitioners", response=list[PractitionerOut])
def practitioners(request: HttpRequest):
    """Active practitioners with their public profile."""
    people = Practitioner.objects.filter(active=True).prefetch_related("appointment_types")
    return [
        {
            "id": p.pk,
            "display_name": p.display_name,
            "credentials": p.credentials,
            "sot_certification": p.certification_display,
            "bio": p.bio,
            "appointment_types": [
                k.pk for k in p.appointment_types.all() if k.active and k.bookable_online
            ],
        }
        for p in people
    ]


@router.get("/slots", response={200: list[SlotOut], 422: ErrorOut})
def slots(request: HttpRequest, query: Query[SlotQuery]):
    """Free start times; without `practitioner`, one per time across practitioners."""
    kind = next((k for k in online_appointment_types() if k.pk == query.appointment_type), None)
    if kind is None:
        raise NotBookableOnline("There is no such appointment type to book online.")
    practitioner_ids = None if query.practitioner is None else [query.practitioner]
    found = listed_slots(kind, query.start, query.days, practitioner_ids=practitioner_ids)
    if query.practitioner is None:
        found = first_available(found)
    # Serialised here rather than through the response schema: a fortnight can hold
    # hundreds of slots and this listing is the hot path of booking.
    return JsonResponse(
        [
            {
                "start": s.start.isoformat(),
                "end": s.end.isoformat(),
                "practitioner": s.practitioner_id,
                "location": s.location_id,
            }
            for s in found
        ],
        safe=False,
    )


@router.post(
    "/bookings",
    response={
        201: BookingOut,
        202: RequestReceivedOut,
        409: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
)
def create_booking(request: HttpRequest, payload: BookingIn):
    """Book a free slot. 409 when it was just taken; 202 for returning-patient types."""
    if not allow_booking_attempt(request):
        return Status(
            429, error_body(None, "Too many booking attempts from your network; try again later.")
        )
    outcome = services.book_online(
        appointment_type_id=payload.appointment_type,
        practitioner_id=payload.practitioner,
        start=payload.start,
        first_name=payload.first_name,
        last_name=payload.last_name,
        email=payload.email,
        phone=payload.phone,
        date_of_birth=payload.date_of_birth,
        consent=payload.consent,
        base_url=request.build_absolute_uri("/"),
        channel=services.Channel.API,
    )
    if not outcome.booked:
        # A returning-patient type: the same answer whether or not the details matched.
        return Status(202, RECEIVED)
    appointment = outcome.appointment
    return Status(
        201,
        {
            "id": appointment.pk,
            "appointment_type": appointment.appointment_type_id,
            "practitioner": appointment.practitioner_id,
            "practitioner_name": appointment.practitioner.display_name,
            "location": appointment.location_id,
            "start": appointment.start,
            "end": appointment.end,
            "manage_url": manage_url(appointment, request.build_absolute_uri("/")),
        },
    )


RECEIVED = {
    "status": "received",
    "detail": (
        "Thank you. We have e-mailed you about your request; if we can book it, the e-mail "
        "has a link to confirm the appointment."
    ),
}
