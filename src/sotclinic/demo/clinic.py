"""The demo clinic: one location, two practitioners, a front desk, ~30 patients, a few weeks
of appointments. Loading it twice changes nothing."""

import datetime as dt
import io
import random

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from sotclinic.accounts.models import Role, User
from sotclinic.billing import care_plans
from sotclinic.billing.catalogue import load_services
from sotclinic.billing.ledger import record_payment
from sotclinic.billing.models import (
    CodeSystem,
    Fee,
    FeeSchedule,
    MembershipPlan,
    PackageProduct,
    Service,
    SuggestFor,
)
from sotclinic.patients.models import Patient
from sotclinic.scheduling import waitlist
from sotclinic.scheduling.models import (
    Appointment,
    AppointmentType,
    AvailabilityException,
    ClinicSettings,
    FaqEntry,
    Location,
    Practitioner,
    WaitlistEntry,
    WeeklyBreak,
    WeeklyHours,
)
from sotclinic.scheduling.services import Change, Channel, record_change

DEMO_PASSWORD = "sotclinic-demo"
DEMO_LOGINS = [
    ("anna", "practitioner", "Dr. Anna Weber"),
    ("ben", "practitioner", "Dr. Ben Okafor"),
    ("frontdesk", "front desk", "Fiona Desk"),
    ("patient", "patient", "Paula Patient"),
]

FIRST_NAMES = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Amelia",
    "Oliver",
    "Sophia",
    "Elijah",
    "Mia",
    "Lucas",
    "Isla",
    "Mateo",
    "Ava",
    "Leo",
    "Grace",
    "Ethan",
    "Chloe",
    "James",
    "Zoe",
    "Henry",
    "Nora",
    "Samuel",
    "Ruby",
    "Daniel",
    "Hannah",
    "Arjun",
    "Mei",
    "Tomasz",
    "Aisha",
]
LAST_NAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Nowak",
    "Chen",
    "Khan",
    "Murphy",
    "Kelly",
    "Singh",
    "Lewis",
    "Harris",
    "Young",
]

# (weekday, start, end) in local time; a lunch break splits each day.
ANNA_HOURS = [
    (day, start, end)
    for day in range(0, 4)
    for start, end in ((dt.time(8, 0), dt.time(12, 30)), (dt.time(13, 30), dt.time(18, 0)))
]
BEN_HOURS = [
    (day, start, end)
    for day in range(1, 6)
    for start, end in ((dt.time(9, 0), dt.time(13, 0)), (dt.time(14, 0), dt.time(17, 0)))
]


def _user(username: str, role: str, first: str, last: str, **extra) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"role": role, "first_name": first, "last_name": last, **extra},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


@transaction.atomic
def load_demo_clinic(today: dt.date | None = None) -> bool:
    """Create the demo clinic where it is missing. Returns True when anything was created."""
    if Location.objects.filter(name="Harbour Street Chiropractic").exists():
        _demo_certifications()
        _demo_billing()
        _demo_charges()
        return False

    location = Location.objects.create(
        name="Harbour Street Chiropractic",
        address="12 Harbour Street\nBristol BS1 4XX\nUnited Kingdom",
        phone="+44 117 496 0000",
        email="hello@harbourstreet.example",
        time_zone="Europe/London",
    )
    anna = Practitioner.objects.create(
        user=_user("anna", Role.PRACTITIONER, "Anna", "Weber", is_staff=True, is_superuser=True),
        display_name="Dr. Anna Weber",
        credentials="DC",
        bio="Anna has worked with SOT since 2009 and teaches pelvic blocking workshops.",
    )
    ben = Practitioner.objects.create(
        user=_user("ben", Role.PRACTITIONER, "Ben", "Okafor"),
        display_name="Dr. Ben Okafor",
        credentials="DC",
        bio="Ben sees many patients with desk-related neck and back complaints.",
    )
    _user("frontdesk", Role.FRONT_DESK, "Fiona", "Desk")
    for practitioner in (anna, ben):
        practitioner.locations.add(location)
    for practitioner, hours in ((anna, ANNA_HOURS), (ben, BEN_HOURS)):
        WeeklyHours.objects.bulk_create(
            WeeklyHours(
                practitioner=practitioner, location=location, weekday=d, start_time=s, end_time=e
            )
            for d, s, e in hours
        )
    new_exam = AppointmentType.objects.create(
        name="New-patient exam", duration_minutes=45, buffer_minutes=15
    )
    follow_up = AppointmentType.objects.create(
        name="Follow-up", duration_minutes=20, buffer_minutes=10, new_patients_may_book_online=False
    )
    for kind in (new_exam, follow_up):
        kind.practitioners.add(anna, ben)

    rng = random.Random(20261126)  # fixed seed: the same clinic every time
    patients = []
    for i, (first, last) in enumerate(zip(FIRST_NAMES, LAST_NAMES, strict=False)):
        patients.append(
            Patient(
                first_name=first,
                last_name=last,
                date_of_birth=dt.date(1950 + (i * 7) % 55, 1 + i % 12, 1 + (i * 5) % 28),
                email=f"{first.lower()}.{last.lower()}@example.com",
                phone=f"+441174960{100 + i:03d}",
                consent_to_contact=True,
            )
        )
    patients = Patient.objects.bulk_create(patients)
    portal_user = _user("patient", Role.PATIENT, "Paula", "Patient")
    Patient.objects.create(
        first_name="Paula",
        last_name="Patient",
        date_of_birth=dt.date(1984, 5, 17),
        email="paula.patient@example.com",
        phone="+441174960999",
        user=portal_user,
        consent_to_contact=True,
    )

    today = today or timezone.now().astimezone(location.tz).date()
    _demo_appointments(
        rng, location, [(anna, ANNA_HOURS), (ben, BEN_HOURS)], new_exam, follow_up, patients, today
    )
    _demo_waitlist(patients, anna, new_exam, follow_up)
    _demo_outcomes(today)
    _demo_billing()
    _demo_visits()
    _demo_charges()
    _demo_clinic_page(location, anna, ben, today)
    _demo_care_plan_template(anna, follow_up)
    return True


def _demo_care_plan_template(anna, follow_up) -> None:
    """One example template, labelled as an example of a clinic's own schedule."""
    care_plans.save_template(
        by=anna.user,
        name="Example: our corrective schedule",
        description=(
            "An example of how a clinic writes down its own schedule; edit or replace it with "
            "yours. Each patient's plan is set by their practitioner."
        ),
        phases=[{"visits_per_week": 3, "weeks": 4}, {"visits_per_week": 2, "weeks": 4}],
        reexam_visits=[12, 20],
        appointment_type=follow_up,
    )


def _demo_appointments(rng, location, schedules, new_exam, follow_up, patients, today):
    appointments = []
    now = timezone.now()
    for offset in range(-21, 22):
        day = today + dt.timedelta(days=offset)
        for practitioner, hours in schedules:
            for weekday, start, end in hours:
                if weekday != day.weekday():
                    continue
                cursor = dt.datetime.combine(day, start, tzinfo=location.tz)
                block_end = dt.datetime.combine(day, end, tzinfo=location.tz)
                while True:
                    kind = new_exam if rng.random() < 0.15 else follow_up
                    finish = cursor + dt.timedelta(minutes=kind.duration_minutes)
                    if finish > block_end:
                        break
                    if rng.random() < 0.55:
                        status = Appointment.Status.BOOKED
                        if finish <= now:
                            status = (
                                Appointment.Status.NO_SHOW
                                if rng.random() < 0.05
                                else Appointment.Status.COMPLETED
                            )
                        appointments.append(
                            Appointment(
                                practitioner=practitioner,
                                patient=rng.choice(patients),
                                location=location,
                                appointment_type=kind,
                                start=cursor.astimezone(dt.UTC),
                                end=finish.astimezone(dt.UTC),
                                blocked_until=Appointment.busy_until(finish, kind).astimezone(
                                    dt.UTC
                                ),
                                status=status,
                            )
                        )
                        cursor = Appointment.busy_until(finish, kind)
                    else:
                        cursor += dt.timedelta(minutes=30)
    for appointment in Appointment.objects.bulk_create(appointments):
        record_change(appointment, Change.BOOKED, channel=Channel.SYSTEM)


DEMO_ABOUT_VISIT = """\
Your first visit takes about 45 minutes; follow-up visits about 20. Wear loose clothes you can \
lie down in, such as trousers and a T-shirt; there is no need to undress.

We start by asking about your health and what brings you in, then look at posture and do a \
few simple checks while you lie on the treatment table.

The practitioner uses Sacro Occipital Technique (SOT). Depending on what we find, a visit may \
include padded wedges ("pelvic blocks") placed under the pelvis while you lie face down or face \
up, holds and contacts at the neck and head with the hands, and soft-tissue work. We explain \
each step before we do it, and you can ask us to stop at any time.

At the end we talk through what we did and agree together whether and when to come back."""

DEMO_FAQ = [
    (
        "Do I need a referral from my doctor?",
        "No. You can book directly. If you have letters or scans that relate to your visit, "
        "bring them along.",
    ),
    (
        "What are pelvic blocks?",
        "Padded wedges that the practitioner places under your pelvis while you lie on the "
        "table, face down or face up. You lie on them while the practitioner "
        "re-checks some of the tests from the start of the visit, and may move them. Tell us "
        "at any time if you want them taken away.",
    ),
    (
        "Can I bring someone with me?",
        "Yes, you are welcome to bring a friend or family member into the treatment room.",
    ),
    (
        "How do I cancel or move my appointment?",
        "Use the link in your confirmation e-mail up to 24 hours before the appointment, or "
        "call us.",
    ),
]


#: The demo clinic is in the UK, so its practitioners hold SOTO Europe's levels, by its names.
DEMO_CERTIFICATIONS = {"anna": ("soto_europe", "cranial"), "ben": ("soto_europe", "proficiency")}


def _demo_waitlist(patients, anna, new_exam, follow_up) -> None:
    """Two patients waiting for an earlier time, added as front desk would."""
    waitlist.add_to_waitlist(
        patient=patients[-1],
        appointment_type=follow_up,
        practitioner=anna,
        weekdays=[0, 2],
        earliest=dt.time(8),
        latest=dt.time(12),
        note="Mornings before work",
        source=WaitlistEntry.Source.STAFF,
    )
    waitlist.add_to_waitlist(
        patient=patients[-2],
        appointment_type=new_exam,
        practitioner=None,
        weekdays=[0, 1, 2, 3, 4],
        earliest=dt.time(14),
        latest=dt.time(18),
        source=WaitlistEntry.Source.STAFF,
    )


def _demo_billing() -> None:
    """The shipped billing codes, the clinic's own visit fees (a UK clinic: its own codes, the
    follow-up suggested from every signed visit), a package and a membership plan."""
    load_services()
    currency = ClinicSettings.load().currency
    schedule, _ = FeeSchedule.objects.get_or_create(
        name="Harbour Street prices", location=None, defaults={"currency": currency}
    )
    for code, name, suggest_for, amount in (
        ("NPE", "New-patient examination", "", 6500),
        ("FU", "Follow-up visit", SuggestFor.VISIT, 4200),
        ("XT", "Extremity adjustment (added to a visit)", "", 1500),
    ):
        service, _ = Service.objects.get_or_create(
            code_system=CodeSystem.CLINIC,
            code=code,
            defaults={"name": name, "suggest_for": suggest_for},
        )
        Fee.objects.get_or_create(schedule=schedule, service=service, defaults={"amount": amount})
    PackageProduct.objects.get_or_create(
        name="Six follow-up visits",
        defaults={"visits": 6, "price": 22500, "currency": currency, "validity_days": 120},
    )
    MembershipPlan.objects.get_or_create(
        name="Monthly care", defaults={"monthly_fee": 3900, "currency": currency}
    )


def _demo_certifications() -> None:
    """Give the demo practitioners their SOTO Europe levels where none is recorded yet; a
    level a clinic has since set stays as it is, and a second run changes nothing."""
    for username, (body, level) in DEMO_CERTIFICATIONS.items():
        Practitioner.objects.filter(user__username=username, certification_body="").update(
            certification_body=body, certification_level=level, sot_certification=""
        )


def _initials_photo(initials: str, colour: tuple[int, int, int]) -> ContentFile:
    """A plain placeholder portrait (coloured circle with initials) for the demo clinic."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (192, 192), (246, 247, 249))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, 191, 191), fill=colour)
    try:
        font = ImageFont.load_default(size=72)
    except TypeError:  # Pillow < 10.1
        font = ImageFont.load_default()
    draw.text((96, 96), initials, fill=(255, 255, 255), font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return ContentFile(buffer.getvalue())


def _demo_clinic_page(location, anna, ben, today: dt.date) -> None:
    """Public page text, FAQ, practitioner photos, a recurring break and the clinic holidays."""
    settings = ClinicSettings.load()
    settings.tagline = "Chiropractic with Sacro Occipital Technique in central Bristol."
    settings.opening_hours = (
        "Monday to Thursday 8:00–18:00\nFriday 9:00–17:00\nClosed for lunch 12:30–13:30"
    )
    settings.about_visit = DEMO_ABOUT_VISIT
    settings.emergency_number = "999"  # the demo clinic is in Bristol
    settings.save()
    FaqEntry.objects.bulk_create(
        FaqEntry(question=q, answer=a, position=i) for i, (q, a) in enumerate(DEMO_FAQ)
    )
    anna.credentials = "DC, MChiro"
    anna.photo.save("anna-weber.png", _initials_photo("AW", (31, 95, 139)), save=False)
    anna.save()
    ben.credentials = "DC"
    ben.photo.save("ben-okafor.png", _initials_photo("BO", (27, 110, 58)), save=False)
    ben.save()
    _demo_certifications()
    # Team meeting every Monday afternoon for Anna.
    WeeklyBreak.objects.create(
        practitioner=anna,
        location=location,
        weekday=0,
        start_time=dt.time(17, 0),
        end_time=dt.time(18, 0),
    )
    for month, day, note in ((12, 25, "Christmas Day"), (12, 26, "Boxing Day")):
        year = today.year if (today.month, today.day) <= (month, day) else today.year + 1
        holiday = dt.date(year, month, day)
        AvailabilityException.objects.create(
            kind=AvailabilityException.Kind.HOLIDAY,
            location=location,
            first_day=holiday,
            last_day=holiday,
            note=note,
        )


# Intake and outcomes: (first name, complaints, RMDQ ticked at baseline and follow-up,
# NPRS at baseline and follow-up, red-flag answers of "yes").
DEMO_OUTCOMES = [
    ("Olivia", ("low_back",), (14, 6), (7, 3), ()),
    ("Liam", ("low_back",), (10, 8), (6, 5), ()),
    ("Emma", ("low_back", "neck"), (8, 2), (5, 2), ()),
    ("Noah", ("neck",), None, (6, 4), ()),
    ("Amelia", ("low_back",), (12, None), (8, None), ("any_weight_loss",)),
]


def _demo_outcomes(today: dt.date) -> None:
    """Completed intakes with baseline scores, follow-ups for most, and one open red flag."""
    from sotclinic.intake.forms import clinic_recall_period
    from sotclinic.intake.instruments import get_instrument
    from sotclinic.intake.models import FollowUpRequest, Intake, QuestionnaireResponse
    from sotclinic.intake.redflags import questions_for
    from sotclinic.intake.services import Channel, save_step, scored_response
    from sotclinic.intake.steps import instruments_for

    if Intake.objects.exists():
        return
    noon = dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC)
    baseline_at, follow_up_at = noon - dt.timedelta(weeks=8), noon - dt.timedelta(weeks=2)

    def answers_for(instrument_id: str, value: int) -> dict:
        instrument = get_instrument(instrument_id)
        if instrument_id == "rmdq":
            return {item.id: i < value for i, item in enumerate(instrument.items)}
        return {instrument.items[0].id: value}

    for first_name, complaints, rmdq, nprs, flags in DEMO_OUTCOMES:
        patient = Patient.objects.filter(first_name=first_name).order_by("pk").first()
        if patient is None:
            continue
        values = {"rmdq": rmdq, "nprs": nprs}
        intake = Intake.objects.create(patient=patient, started_at=baseline_at)
        steps = {
            "about": {
                "first_name": patient.first_name,
                "last_name": patient.last_name,
                "date_of_birth": patient.date_of_birth.isoformat(),
                "email": patient.email,
                "phone": patient.phone,
                "address": "",
            },
            "history": {
                "conditions": "none",
                "surgeries": "none",
                "medications": "none",
                "allergies": "",
                "pregnant": "not_applicable",
            },
            "complaints": {
                "complaints": list(complaints),
                "details": {
                    c: {"onset": "6_to_12_weeks", "severity": nprs[0], "notes": ""}
                    for c in complaints
                },
            },
            "red_flags": {
                q.id: "yes" if q.id in flags else "no" for q in questions_for(complaints)
            },
            "questionnaires": {
                i.id: {
                    "version": i.version,
                    "answers": answers_for(i.id, values[i.id][0]),
                    "recall_period": clinic_recall_period(i),
                }
                for i in instruments_for(complaints)
            },
            "consent": {"consent": True},
        }
        for step, section in steps.items():
            save_step(intake, step, section, actor=None, channel=Channel.STAFF, now=baseline_at)
        if values["nprs"][1] is None:
            continue
        request = FollowUpRequest.objects.create(
            patient=patient,
            baseline_intake=intake,
            sequence=1,
            sent_at=follow_up_at,
            completed_at=follow_up_at,
        )
        for instrument in instruments_for(complaints):
            answers = answers_for(instrument.id, values[instrument.id][1])
            # Through the service, so the follow-up keeps the recall period its baseline had.
            scored_response(
                instrument,
                answers,
                recall_period=clinic_recall_period(instrument),
                patient=patient,
                administered_at=follow_up_at,
                context=QuestionnaireResponse.Context.FOLLOW_UP,
                follow_up=request,
            ).save()


# Charted visits: (first name, exam findings at the first visit, prone short-leg side or None,
# indicators still present at later visits, spinal regions adjusted, pain over the visits). The
# blocking placements charted are the engine's suggested protocol, so they follow the method:
# Category II supine with blocks under the pelvis from behind, Categories I and III prone with the
# short-leg side at the greater trochanter.
DEMO_VISITS = [
    (
        "Olivia",
        [("arm_fossa_test", "left"), ("medial_knee_sensitivity", "left")],
        None,
        ["arm_fossa_test"],
        ["lumbar", "pelvic"],
        [7, 6, 4, 3],
    ),
    (
        "Liam",
        [("achilles_tension", "right"), ("gluteal_tension_asymmetry", "right")],
        "right",
        ["achilles_tension"],
        ["lumbar", "sacral"],
        [6, 6, 5, 5],
    ),
    (
        "Emma",
        [("arm_fossa_test", "right"), ("anterior_scalene_sensitivity", "right")],
        None,
        ["anterior_scalene_sensitivity"],
        ["cervical", "thoracic", "pelvic"],
        [5, 4, 2],
    ),
    (
        "Noah",
        [("sciatic_pain_points", "left"), ("gluteal_pain_point", "left")],
        "left",
        ["sciatic_pain_points"],
        ["lumbar", "sacral", "pelvic"],
        [6, 5, 4, 4],
    ),
]
DEMO_DRAFT_PATIENT = "Grace"  # one unsigned note older than a day: the signing to-do


# How many of the demo's charged patients have paid for their visits (the rest owe).
DEMO_PAYING_PATIENTS = 3


def _demo_charges() -> None:
    """Front desk posts the charges its signed visits suggested, and a few patients pay for
    their visits, through the billing services (as the review-and-post and account pages
    would). Posted charges leave no open draft, so loading the demo again posts nothing."""
    from sotclinic.billing.charges import post_visit_charges
    from sotclinic.billing.models import ChargeDraft, EntryKind, LedgerEntry
    from sotclinic.charting.models import Visit

    desk = User.objects.filter(username="frontdesk").first()
    if desk is None:
        return
    visits = (
        Visit.objects.filter(charge_drafts__status=ChargeDraft.Status.OPEN)
        .distinct()
        .select_related("patient")
        .order_by("started_at", "pk")
    )
    paying: dict[int, tuple] = {}
    for visit in visits:
        entries = post_visit_charges(visit, by=desk)
        patient = visit.patient
        if patient.pk in paying or len(paying) < DEMO_PAYING_PATIENTS:
            total = paying.get(patient.pk, (0, None))[0] + sum(e.amount for e in entries)
            paying[patient.pk] = (total, entries[0].occurred_on)
    for patient_pk, (total, day) in paying.items():
        already = LedgerEntry.objects.filter(
            account__patient_id=patient_pk, kind=EntryKind.PAYMENT
        ).exists()
        if total > 0 and not already:
            record_payment(
                Patient.objects.get(pk=patient_pk),
                amount=total,
                method="card",
                by=desk,
                occurred_on=day,
            )


def _demo_visits() -> None:
    """Signed visits for the past completed appointments of a few patients, and one old draft.

    Written through the charting services, so the suggestion, the version and the signing rules
    are what the pages would have produced. Future appointments get no visit.
    """
    from sotclinic.charting.models import Visit
    from sotclinic.charting.services import DraftContent, save_draft, sign_note, start_visit

    if Visit.objects.exists():
        return
    day_ago = timezone.now() - dt.timedelta(days=1)

    def past_appointments(first_name: str, limit: int) -> list:
        latest = Appointment.objects.filter(
            patient__first_name=first_name,
            status=Appointment.Status.COMPLETED,
            end__lt=day_ago,
        ).select_related("patient", "practitioner__user", "location")
        return list(reversed(latest.order_by("-start")[:limit]))

    def chart(appointment, content: DraftContent, *, sign: bool) -> None:
        user = appointment.practitioner.user
        visit = start_visit(user, appointment=appointment)
        note = save_draft(visit.note.pk, user, visit.note.version, content)
        if sign:
            sign_note(note.pk, user, note.version)

    for first_name, findings, short_leg, persisting, regions, pains in DEMO_VISITS:
        appointments = past_appointments(first_name, len(pains))
        for number, (appointment, pain) in enumerate(zip(appointments, pains, strict=False)):
            codes = [code for code, _ in findings]
            # After blocking, the indicators that cleared at the re-check; fewer persist later.
            still = persisting if number < len(pains) - 1 else []
            exam_findings: dict = {"indicators": [{"code": c, "side": s} for c, s in findings]}
            if short_leg:
                exam_findings["leg_length"] = {"prone_short_side": short_leg, "difference_mm": 6}
            state = {
                "findings": exam_findings,
                "recheck": {c: "present" if c in still else "cleared" for c in codes},
                "cmrt": [],
                "cranial": [],
            }
            suggestion = _engine_choice(state)
            placements = _placements(state)
            chart(
                appointment,
                DraftContent(
                    complaints="Low back pain" if "lumbar" in regions else "Neck pain",
                    pain_score=pain,
                    objective="Posture and gait observed; SOT indicators as recorded.",
                    exam_state=state,
                    confirmed_category=suggestion[0],
                    confirmed_side=suggestion[1],
                    assessment=f"Category {suggestion[0]} ({suggestion[1]}) pattern.",
                    visit_frequency="Weekly for four weeks",
                    home_advice="Walk daily; avoid sitting longer than 40 minutes.",
                    blocking_category=suggestion[0],
                    blocking_side=suggestion[1],
                    blocking_placements=placements,
                    adjustment_regions=regions,
                ),
                sign=True,
            )

    draft = past_appointments(DEMO_DRAFT_PATIENT, 1)
    if draft:
        chart(
            draft[0],
            DraftContent(complaints="Mid-back stiffness after gardening", pain_score=4),
            sign=False,
        )


def _engine_choice(state: dict) -> tuple[str, str]:
    """The engine's category and side for a demo exam state, as the practitioner confirms it."""
    from sotclinic.charting.services import exam_summary

    _, category, side, _ = exam_summary(state)
    return category, side


def _placements(state: dict) -> str:
    """The blocking the engine suggests for a demo exam state, in the words a note records."""
    from sotclinic.charting.services import exam_summary

    suggestion, _, _, _ = exam_summary(state)
    protocol = suggestion["protocol"]
    blocks = "; ".join(f"{b['side']} block {b['landmark']}" for b in protocol["blocks"])
    return f"{protocol['position'].capitalize()}: {blocks}"
