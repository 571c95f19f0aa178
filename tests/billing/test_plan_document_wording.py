"""How the care plan reads wherever it is shown (the document signed, its PDF, the plan page,
the booking form): plural forms in each language, money, and the time it was signed."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from sotclinic import signatures
from sotclinic.billing import care_plans
from sotclinic.billing.models import phase_phrase
from tests.billing.plan_setup import plan_clinic
from tests.billing.test_care_plans import SVG, prescribe, signed

pytestmark = pytest.mark.django_db

ONE_AND_MANY = [{"visits_per_week": 1, "weeks": 1}, {"visits_per_week": 2, "weeks": 3}]


@pytest.fixture
def clinic():
    return plan_clinic()


def pdf_text(plan) -> str:
    reader = PdfReader(io.BytesIO(bytes(plan.signature.pdf)))
    return " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


@pytest.mark.parametrize(
    ("language", "one", "many"),
    [
        ("en-gb", "1 visit a week for 1 week", "2 visits a week for 3 weeks"),
        ("de", "1 Termin pro Woche über 1 Woche", "2 Termine pro Woche über 3 Wochen"),
    ],
)
def test_a_phase_reads_in_the_plural_form_of_its_numbers(language, one, many):
    with translation.override(language):
        assert [phase_phrase(p) for p in ONE_AND_MANY] == [one, many]


def test_the_signed_plan_and_its_pdf_say_one_visit_and_one_week(clinic):
    plan = signed(clinic, prescribe(clinic, phases=ONE_AND_MANY, reexam_visits=[]))
    document = plan.signature.document_text
    assert "Phase 1: 1 visit a week for 1 week\n" in document
    assert "Phase 2: 2 visits a week for 3 weeks\n" in document
    assert "1 visits" not in document and "1 weeks" not in document
    text = pdf_text(plan)
    assert "Phase 1: 1 visit a week for 1 week" in text and "1 weeks" not in text


def test_the_german_plan_uses_german_plural_forms(clinic):
    clinic.patient.preferred_language = "de"
    clinic.patient.save()
    plan = prescribe(clinic, phases=[{"visits_per_week": 1, "weeks": 1}], reexam_visits=[])
    document = care_plans.plan_document(plan)
    assert "Phase 1: 1 Termin pro Woche über 1 Woche\n" in document
    assert "Kostenschätzung: 1 Termin zu" in document


def test_the_plan_page_and_booking_form_say_one_visit_and_one_week(client, clinic):
    plan = signed(clinic, prescribe(clinic, phases=ONE_AND_MANY, reexam_visits=[]))
    client.force_login(clinic.desk)
    page = client.get(reverse("care_plans:detail", args=[plan.pk])).content.decode()
    assert "1 visit a week for 1 week, then 2 visits a week for 3 weeks" in page
    form = client.get(reverse("care_plans:book", args=[plan.pk])).content.decode()
    assert "Phase 1 (1 visit a week for 1 week): on" in form
    assert "1 weeks" not in page + form


def test_plan_money_is_written_like_all_money_in_the_patients_language(clinic):
    plan = signed(clinic)
    assert "Fee estimate: 12 visits at £45.00 = £540.00" in plan.signature.document_text
    assert "Fee estimate: 12 visits at £45.00 = £540.00" in pdf_text(plan)
    assert "GBP" not in plan.signature.document_text
    clinic.patient.preferred_language = "de"
    clinic.patient.save()
    german = care_plans.plan_document(prescribe(clinic))
    assert "Kostenschätzung: 12 Termine zu 45,00\xa0£ = 540,00\xa0£" in german
    assert not hasattr(care_plans, "format_amount")


def test_the_plan_page_writes_its_fees_as_money(client, clinic):
    plan = prescribe(clinic)
    client.force_login(clinic.desk)
    page = client.get(reverse("care_plans:detail", args=[plan.pk])).content.decode()
    assert "£540.00" in page and "£45.00" in page and "540.00 GBP" not in page


# Signed at 02:30 UTC on 4 December: 21:30 on 3 December in New York.
SIGNED_AT = dt.datetime(2026, 12, 4, 2, 30, tzinfo=dt.UTC)


def sign_at(clinic, when: dt.datetime):
    plan = prescribe(clinic)
    care_plans.propose_plan(plan, by=clinic.practitioner.user)
    text = care_plans.plan_document(plan)
    care_plans.sign_plan(
        plan,
        full_name="Olivia Smith",
        signature_svg=SVG,
        shown_sha256=signatures.document_sha256(text),
        ip_address="192.0.2.7",
        now=when,
    )
    plan.refresh_from_db()
    return plan


def test_the_signed_pdf_shows_the_time_on_the_clinics_clock(clinic):
    clinic.location.time_zone = "America/New_York"
    clinic.location.save()
    text = pdf_text(sign_at(clinic, SIGNED_AT))
    assert "Signed at: 3 Dec 2026 21:30:00 (EST, America/New_York)" in text
    assert "02:30" not in text and "UTC" not in text


def test_the_plan_page_shows_the_signing_time_on_the_clinics_clock(client, clinic):
    clinic.location.time_zone = "America/New_York"
    clinic.location.save()
    plan = sign_at(clinic, SIGNED_AT)
    client.force_login(clinic.desk)
    page = client.get(reverse("care_plans:detail", args=[plan.pk])).content.decode()
    assert "Olivia Smith, 3 Dec 2026 21:30 (America/New_York)" in page
    assert "4 Dec 2026 02:30" not in page
