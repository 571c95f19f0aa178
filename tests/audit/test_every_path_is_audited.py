"""Every page that shows or changes a patient's personal or clinical data writes an access-log
row: the back office for each model that refers to a patient, and every staff page that is
about one patient. New pages and new admin models are found by enumeration, so one added
without a log row fails here."""

import datetime as dt

import pytest
from django.contrib.admin.sites import site
from django.urls import URLResolver, get_resolver, reverse

from sotclinic import signatures
from sotclinic.accounts.models import Role
from sotclinic.audit.admin import PatientAccessAdmin
from sotclinic.audit.models import AccessLog, Action
from sotclinic.audit.services import record_access
from sotclinic.patients.models import Patient
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_complete_intake,
    make_location,
    make_patient,
    make_practitioner,
    make_user,
    make_visit,
)

pytestmark = pytest.mark.django_db

TEN = dt.datetime(2030, 3, 4, 10, 0, tzinfo=dt.UTC)


def _refers_to_patient(model) -> bool:
    return model is Patient or any(
        field.is_relation and field.concrete and field.related_model is Patient
        for field in model._meta.get_fields()
    )


PATIENT_ADMINS = sorted(
    (model._meta.label for model in site._registry if _refers_to_patient(model)), key=str
)


def test_every_admin_of_a_model_that_refers_to_a_patient_is_audited():
    unaudited = [
        model._meta.label
        for model, model_admin in site._registry.items()
        if _refers_to_patient(model) and not isinstance(model_admin, PatientAccessAdmin)
    ]

    assert PATIENT_ADMINS  # the enumeration itself finds something
    assert unaudited == []


def _row_for(label: str, patient: Patient):
    """One stored object of the model, about ``patient``; add a line for a new admin model."""
    if label == "patients.Patient":
        return patient
    if label == "scheduling.Appointment":
        doctor = make_practitioner(make_location(time_zone="UTC"))
        return make_appointment(doctor, TEN, patient=patient)
    if label == "audit.AccessLog":
        return record_access(make_user(Role.PRACTITIONER), patient, Action.VIEW_CHART, "chart")
    if label in ("billing.PatientPackage", "billing.Membership"):
        return _billing_row(label, patient)
    raise AssertionError(f"No test row for {label}: add one here.")


def _billing_row(label: str, patient: Patient):
    from sotclinic.billing import packages
    from sotclinic.billing.models import MembershipPlan, PackageProduct

    desk = make_user(Role.FRONT_DESK)
    if label == "billing.PatientPackage":
        product = PackageProduct.objects.create(name="Six", visits=6, price=100, currency="GBP")
        return packages.sell_package(patient, product, by=desk)
    plan = MembershipPlan.objects.create(name="Care", monthly_fee=100, currency="GBP")
    return packages.start_membership(patient, plan, by=desk)


@pytest.fixture
def back_office(client):
    client.force_login(make_user(Role.PRACTITIONER, is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("label", PATIENT_ADMINS)
def test_opening_an_admin_change_form_is_logged_for_the_patient(back_office, label):
    patient = make_patient()
    row = _row_for(label, patient)
    before = AccessLog.objects.filter(patient=patient, action=Action.ADMIN_VIEW).count()
    url = reverse(f"admin:{row._meta.app_label}_{row._meta.model_name}_change", args=[row.pk])

    response = back_office.get(url)

    assert response.status_code == 200
    assert AccessLog.objects.filter(patient=patient, action=Action.ADMIN_VIEW).count() == before + 1


def test_changing_a_patient_in_the_admin_logs_the_change_without_the_values(back_office):
    patient = make_patient(first_name="Ada", last_name="Lovelace", phone="01234 567890")
    url = reverse("admin:patients_patient_change", args=[patient.pk])
    form = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "date_of_birth": "1980-01-01",
        "email": patient.email,
        "phone": "09876 543210",
        "address": "",
        "contact_channel": "email",
    }

    response = back_office.post(url, form)

    assert response.status_code == 302
    change = AccessLog.objects.get(patient=patient, action=Action.ADMIN_CHANGE)
    assert "phone" in change.detail and "09876" not in change.detail
    assert AccessLog.objects.filter(patient=patient, action=Action.ADMIN_VIEW).exists()


# --- Staff pages ----------------------------------------------------------------------------


def _staff_patterns(resolver=None, prefix=""):
    """Every (url name, route) under /staff/ whose route names an object by number."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            for name, sub in _staff_patterns(entry, route):
                yield (f"{namespace}{name}" if name else None), sub
        elif entry.name and route.startswith("staff/") and "<int:" in route:
            yield entry.name, route


# Numbered staff pages that are about no one patient: the clinic's own care-plan templates and
# consent texts, and a file chosen for import (one row for the file; test below).
NOT_ABOUT_A_PATIENT = {
    "care_plans:template_edit",
    "documents:consent_text_edit",
    "imports:upload_page",
}
STAFF_PAGES = sorted({name for name, _ in _staff_patterns()} - NOT_ABOUT_A_PATIENT)


def _kwargs_for(name: str, route: str, patient: Patient) -> dict:
    """Arguments that point the page at ``patient``; add a line for a new kind of argument."""
    doctor = make_practitioner(make_location(time_zone="UTC"))
    kwargs = {}
    if "<int:patient_id>" in route:
        kwargs["patient_id"] = patient.pk
    if "<int:visit_id>" in route:
        kwargs["visit_id"] = make_visit(doctor, patient).pk
    if "<int:pk>" in route and name.startswith(("scheduling:appointment", "scheduling:series")):
        appointment = make_appointment(doctor, TEN, patient=patient)
        if name.startswith("scheduling:series"):  # pages of an appointment in a series
            from sotclinic.scheduling.models import Appointment, AppointmentSeries

            series = AppointmentSeries.objects.create()
            Appointment.objects.filter(pk=appointment.pk).update(series=series)
        kwargs["pk"] = appointment.pk
    if "<int:pk>" in route and name.startswith("scheduling:waitlist"):
        from sotclinic.scheduling import waitlist

        kwargs["pk"] = waitlist.add_to_waitlist(
            patient=patient,
            appointment_type=make_appointment_type([doctor]),
            practitioner=None,
            weekdays=[0, 1, 2, 3, 4],
            earliest=dt.time(9),
            latest=dt.time(17),
            source="staff",
        ).pk
    if "<int:plan_id>" in route:
        from sotclinic.billing import care_plans

        location = doctor.locations.first()
        plan = care_plans.prescribe_plan(
            patient,
            by=doctor.user,
            practitioner=doctor,
            location=location,
            appointment_type=make_appointment_type([doctor]),
            phases=[{"visits_per_week": 2, "weeks": 2}],
            reexam_visits=[4],
            start_date=dt.date.today() + dt.timedelta(days=7),
            name="Plan",
        )
        if name in ("care_plans:book", "care_plans:signed_pdf"):  # pages of a signed plan
            care_plans.propose_plan(plan, by=doctor.user)
            care_plans.sign_plan(
                plan,
                full_name="Pat Ient",
                signature_svg=(
                    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 200">'
                    '<path d="M10 100 L40 60 L80 140 L120 50"/></svg>'
                ),
                shown_sha256=signatures.document_sha256(care_plans.plan_document(plan)),
                ip_address="192.0.2.7",
            )
        kwargs["plan_id"] = plan.pk
        if name == "care_plans:replace_visit":  # a visit of the plan, not a charted visit
            kwargs["visit_id"] = plan.visits.order_by("sequence").first().pk
    if "<int:appointment_id>" in route:
        kwargs["appointment_id"] = make_appointment(doctor, TEN, patient=patient).pk
    if "<slug:instrument_id>" in route:
        kwargs["instrument_id"] = "rmdq"
    if "<int:precaution_id>" in route:
        from sotclinic.intake.services import record_precaution

        kwargs["precaution_id"] = record_precaution(
            patient.pk, "pregnancy", doctor.user, weeks=24
        ).pk
    if "<int:message_id>" in route:
        from sotclinic.messaging.services import queue_email

        kwargs["message_id"] = queue_email(
            to=patient.email or "patient@example.org", subject="s", body="b", patient=patient
        ).pk
    if "<int:entry_id>" in route or "<str:kind>" in route:
        from sotclinic.billing import ledger

        payment = ledger.record_payment(patient, amount=100, method="cash", by=doctor.user)
        kwargs["entry_id" if "<int:entry_id>" in route else "pk"] = payment.pk
        if "<str:kind>" in route:
            kwargs["kind"] = "receipt"
    if "<int:draft_id>" in route:
        from sotclinic.billing.models import ChargeDraft

        visit = make_visit(doctor, patient)
        kwargs["draft_id"] = ChargeDraft.objects.create(visit=visit, amount=0, currency="GBP").pk
    if "<int:membership_id>" in route:
        kwargs["membership_id"] = _billing_row("billing.Membership", patient).pk
    if name == "documents:note_pdf":  # a signed note's PDF
        from sotclinic.charting.models import Visit
        from tests.factories import sign_visit

        sign_visit(Visit.objects.get(pk=kwargs["visit_id"]))
    kwargs.update(_document_kwargs(route, patient, doctor))
    missing = route.count("<") - len(kwargs)
    assert missing == 0, f"{name} ({route}): say here which patient its numbers point to"
    return kwargs


def _document_kwargs(route: str, patient: Patient, doctor) -> dict:
    """Numbers of the documents pages: a file, a letter, a consent and its signature."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sotclinic.documents import services

    kwargs = {}
    if "<int:document_id>" in route:
        kwargs["document_id"] = services.store_document(
            patient,
            upload=SimpleUploadedFile("f.pdf", b"%PDF-1.4\n%%EOF\n"),
            kind="other",
            title="Form",
            by=doctor.user,
        ).pk
    if "<int:letter_id>" in route:
        kwargs["letter_id"] = services.start_referral(patient, by=doctor.user).pk
    if "<int:consent_id>" in route or "<int:signature_id>" in route:
        consent = services.save_consent_form(None, title="Consent", text="I agree.", active=True)
        if "<int:consent_id>" in route:
            kwargs["consent_id"] = consent.pk
        else:
            kwargs["signature_id"] = services.sign_consent(
                patient,
                consent,
                full_name="Pat Ient",
                signature_svg=(
                    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 200">'
                    '<path d="M10 100 L40 60 L80 140 L120 50"/></svg>'
                ),
                shown_sha256=signatures.document_sha256(services.consent_document(consent)),
                ip_address=None,
                channel="tablet",
            ).pk
    return kwargs


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_every_staff_page_about_a_patient_logs_the_read(client, name):
    route = dict(_staff_patterns())[name]
    patient = make_complete_intake().patient  # so every page has something to show
    kwargs = _kwargs_for(name, route, patient)
    client.force_login(make_user(Role.PRACTITIONER))
    before = AccessLog.objects.filter(patient=patient).count()

    response = client.get(reverse(name, kwargs=kwargs))

    if response.status_code == 405:  # a form's target: its GET shows nothing
        return
    assert response.status_code in (200, 302), response.status_code
    assert AccessLog.objects.filter(patient=patient).count() > before


def test_a_patient_reading_their_own_appointments_in_the_portal_is_logged(client):
    user = make_user(Role.PATIENT)
    patient = make_patient(user=user)
    client.force_login(user)

    response = client.get(reverse("portal:home"))

    assert response.status_code == 200
    rows = AccessLog.objects.filter(patient=patient)
    assert {(row.user, row.action) for row in rows} == {
        (user, Action.VIEW_OWN_APPOINTMENTS),
        (user, Action.VIEW_ACCOUNT),
    }


def test_viewing_a_file_chosen_for_import_logs_one_row_for_the_file(client):
    from tests.imports.conftest import upload

    client.force_login(make_user(Role.FRONT_DESK))
    text = "Patient ID,First Name,Last Name,Birth Date\n7,Ada,Lovelace,1970-01-31\n"
    checked = upload(client, "patient", "jane", text)
    page = checked.context["upload"].pk
    last = AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first()

    response = client.get(reverse("imports:upload_page", kwargs={"upload_id": page}))

    assert response.status_code == 200
    row = AccessLog.objects.get(pk__gt=last)
    assert (row.action, row.patient_id, row.detail) == (
        Action.VIEW_IMPORT,
        None,
        f"import upload {page}",
    )
