"""The superbill lists what an insurer needs, read back from the PDF's text: the practice and
its identifiers, the patient and their insurance, every diagnosis once with a letter, each line
with code, modifiers, units, pointers and fee, and what was paid and is still owed."""

import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.billing import ledger, superbill
from sotclinic.billing.errors import BillingError
from sotclinic.billing.models import EntryKind
from sotclinic.billing.superbill import email_superbill, render_pdf, superbill_for
from sotclinic.clinic_locale import ICD10, ICD10CM
from sotclinic.messaging.models import Message
from sotclinic.scheduling.models import ClinicSettings
from tests.factories import (
    make_location,
    make_patient,
    make_practitioner,
    make_user,
    make_visit,
    sign_visit,
)

pytestmark = pytest.mark.django_db

FIRST, SECOND = dt.date(2026, 3, 2), dt.date(2026, 3, 9)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def desk():
    return make_user(Role.FRONT_DESK)


@pytest.fixture
def us_clinic():
    settings = ClinicSettings.load()
    settings.currency, settings.billing_name = "USD", "Spine & Sacrum Chiropractic LLC"
    settings.npi, settings.tax_id = "1234567893", "12-3456789"
    settings.save()
    location = make_location(
        name="Main Street", address="12 Main Street\nSpringfield, IL 62701", phone="+1 217 555 0100"
    )
    practitioner = make_practitioner(
        location, display_name="Dr. Ada Palmer", credentials="DC", npi="1245319599"
    )
    return location, practitioner


def _charge(patient, desk, visit, location, day, code, amount, pointers, modifiers=(), units=1):
    """A charge as the review-and-post page posts it from a signed visit."""
    return ledger.post_entry(
        patient,
        kind=EntryKind.CHARGE,
        amount=amount,
        by=desk,
        occurred_on=day,
        visit=visit,
        practitioner=visit.practitioner,
        location=location,
        code=code,
        code_system="cpt",
        modifiers=list(modifiers),
        units=units,
        diagnosis_pointers=list(pointers),
        description={"98941": "Spinal manipulation, 3-4 regions", "97110": "Exercises"}.get(
            code, "Service"
        ),
    )


@pytest.fixture
def billed(us_clinic, desk):
    """Two signed visits with charges, a payment, a reversed charge and one outside the period."""
    location, practitioner = us_clinic
    patient = make_patient(
        first_name="Jürgen",
        last_name="O'Brien",
        date_of_birth=dt.date(1971, 4, 5),
        address="4 Elm Road\nSpringfield, IL 62704",
        insurer_name="Acme Health",
        insurance_member_id="XJK123456789",
        insurance_group_number="GRP-0042",
    )
    first = make_visit(practitioner, patient)
    sign_visit(first, diagnosis_codes=["M54.50", "M99.03"])
    second = make_visit(practitioner, patient)
    sign_visit(second, diagnosis_codes=["M54.2", "M54.50"])
    _charge(patient, desk, first, location, FIRST, "98941", 6500, [1, 2], ["AT"])
    _charge(patient, desk, first, location, FIRST, "97110", 4000, [1], ["GP"], units=2)
    _charge(patient, desk, second, location, SECOND, "98941", 6500, [2, 1], ["AT"])
    wrong = _charge(patient, desk, second, location, SECOND, "98942", 9000, [1])
    ledger.reverse_entry(wrong, by=desk, reason="Billed the wrong code")
    _charge(patient, desk, second, location, dt.date(2026, 5, 1), "98940", 5000, [1])
    ledger.record_payment(patient, amount=10000, method="card", by=desk, occurred_on=SECOND)
    return patient


def test_superbill_letters_each_diagnosis_once_and_points_lines_at_the_letters(billed):
    bill = superbill_for(billed, dt.date(2026, 3, 1), dt.date(2026, 3, 31))

    assert [(letter, code) for letter, code, _ in bill.diagnoses] == [
        ("A", "M54.50"),
        ("B", "M99.03"),
        ("C", "M54.2"),
    ]
    assert [(line.code, line.pointers, line.units) for line in bill.lines] == [
        ("98941", ["A", "B"], 1),
        ("97110", ["A"], 2),
        ("98941", ["A", "C"], 1),  # pointers 2, 1 into the second note's M54.2, M54.50
    ]
    assert bill.charged == 6500 + 4000 + 6500  # not the reversed 98942 nor May's 98940
    assert bill.paid == 10000
    assert bill.balance == 6500 + 4000 + 6500 + 5000 - 10000


def test_superbill_pdf_holds_what_an_insurer_asks_for(billed):
    content = render_pdf(superbill_for(billed, dt.date(2026, 3, 1), dt.date(2026, 3, 31)))
    text = pdf_text(content)

    for expected in (
        "Spine & Sacrum Chiropractic LLC",
        "12 Main Street",
        "Practice NPI: 1234567893",
        "Tax ID: 12-3456789",
        "Dr. Ada Palmer, DC, NPI 1245319599",
        "Jürgen O'Brien",
        "05/04/1971",  # the clinic's default date order is day/month/year
        "4 Elm Road",
        "Acme Health",
        "XJK123456789",
        "GRP-0042",
        "M54.50",
        "M99.03",
        "M54.2",
        "98941",
        "97110",
        "AT",
        "GP",
        "A, B",
        "A, C",
        "$65.00",
        "$40.00",
        "$170.00",  # total charges
        "$100.00",  # paid
        "$120.00",  # balance: 170 + 50 (May) - 100
    ):
        assert expected in text, expected
    assert "98942" not in text and "98940" not in text
    assert "Spinal manipulation, 3-4 regions" in text


def test_superbill_page_downloads_the_pdf_and_logs_the_access(billed, client, desk):
    client.force_login(desk)
    url = reverse("reports:superbill_patient", args=[billed.pk])

    form = client.get(url)
    response = client.post(url, {"start": "2026-03-01", "end": "2026-03-31", "action": "download"})

    assert form.status_code == 200 and b"Superbill for" in form.content
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "XJK123456789" in pdf_text(response.content)
    [row] = AccessLog.objects.filter(patient=billed, action=Action.DOWNLOAD_SUPERBILL)
    assert row.detail == "superbill 2026-03-01 to 2026-03-31" and row.user == desk


def test_superbill_page_refuses_a_backwards_period_with_a_message(billed, client, desk):
    client.force_login(desk)
    url = reverse("reports:superbill_patient", args=[billed.pk])

    response = client.post(url, {"start": "2026-03-31", "end": "2026-03-01", "action": "download"})

    assert response.status_code == 400
    assert b"before the start date" in response.content
    assert not AccessLog.objects.filter(action=Action.DOWNLOAD_SUPERBILL).exists()


def test_superbill_is_emailed_to_the_patient_through_the_outbox(billed, client, desk, settings):
    client.force_login(desk)
    url = reverse("reports:superbill_patient", args=[billed.pk])

    response = client.post(url, {"start": "2026-03-01", "end": "2026-03-31", "action": "email"})

    assert response.status_code == 302
    [message] = Message.objects.filter(patient=billed, kind="superbill")
    assert message.to == [billed.email]
    [attachment] = message.attachments
    assert attachment["mimetype"] == "application/pdf"
    assert AccessLog.objects.filter(patient=billed, action=Action.EMAIL_SUPERBILL).count() == 1


def test_superbill_email_needs_an_address_and_services(billed, desk):
    billed.email = ""
    billed.save()
    with pytest.raises(BillingError, match="no e-mail address"):
        email_superbill(billed, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    billed.email = "j@example.com"
    billed.save()
    with pytest.raises(BillingError, match="no services"):
        email_superbill(billed, dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    assert not Message.objects.filter(kind="superbill").exists()
    assert not mail.outbox


def test_patients_cannot_open_the_superbill_page(billed, client):
    client.force_login(make_user(Role.PATIENT))
    url = reverse("reports:superbill_patient", args=[billed.pk])
    assert client.get(url).status_code == 403


def test_superbill_search_finds_the_patient(billed, client, desk):
    client.force_login(desk)
    response = client.get(reverse("reports:superbill"), {"q": "jurgen"})
    assert response.status_code == 200
    assert reverse("reports:superbill_patient", args=[billed.pk]).encode() in response.content


def test_rendered_superbill_has_one_page_for_a_short_period(billed, tmp_path):
    content = render_pdf(superbill_for(billed, dt.date(2026, 3, 1), dt.date(2026, 3, 31)))
    assert len(PdfReader(io.BytesIO(content)).pages) == 1
    # A picture for people to look at, where poppler's pdftoppm is installed; make test on a
    # fresh machine (only Python) does without it.
    if shutil.which("pdftoppm"):
        pdf = tmp_path / "bill.pdf"
        pdf.write_bytes(content)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "bill")], check=True
        )
        assert (tmp_path / "bill-1.png").exists()


@pytest.fixture
def uk_clinic():
    """A UK practice: a registration number instead of an NPI and tax ID, no phone."""
    settings = ClinicSettings.load()
    settings.currency, settings.billing_name = "GBP", "Harbour Chiropractic"
    settings.registration_number = "GCC-04321"
    settings.save()
    location = make_location(name="Harbour", address="1 Quay Street\nBristol BS1 4DJ")
    practitioner = make_practitioner(
        location, display_name="Dr. Ruth Lane", registration_number="01234"
    )
    return location, practitioner


def test_a_uk_superbill_names_registration_numbers_and_nothing_it_lacks(uk_clinic, desk):
    location, practitioner = uk_clinic
    patient = make_patient(first_name="Tom", last_name="Hale")
    visit = make_visit(practitioner, patient)
    sign_visit(visit, diagnosis_codes=[])
    _charge(patient, desk, visit, location, FIRST, "ADJ", 4500, [])

    text = pdf_text(render_pdf(superbill_for(patient, dt.date(2026, 3, 1), dt.date(2026, 3, 31))))

    assert "Registration number: GCC-04321" in text
    assert "Provider: Dr. Ruth Lane, Reg. 01234" in text
    assert "NPI" not in text and "Tax ID" not in text
    assert "No diagnosis codes were recorded for these services." in text
    assert "£45.00" in text


def test_a_pointer_to_no_diagnosis_of_the_visit_gets_no_letter(billed, us_clinic, desk):
    """The note's codes are what pointers count; a stored pointer past them is left out."""
    location, practitioner = us_clinic
    visit = make_visit(practitioner, billed)
    sign_visit(visit, diagnosis_codes=["M54.2"])
    _charge(billed, desk, visit, location, dt.date(2026, 6, 1), "98940", 5000, [1, 2])

    bill = superbill_for(billed, dt.date(2026, 6, 1), dt.date(2026, 6, 30))

    assert [line.pointers for line in bill.lines] == [["A"]]
    assert [(letter, code) for letter, code, _ in bill.diagnoses] == [("A", "M54.2")]


def test_a_superbill_of_a_period_without_services_says_so(billed):
    text = pdf_text(render_pdf(superbill_for(billed, dt.date(2025, 1, 1), dt.date(2025, 1, 31))))

    assert "No services in this period." in text
    assert "No diagnosis codes were recorded for these services." in text


def test_a_superbill_covers_at_most_three_years(billed):
    with pytest.raises(BillingError, match="at most three years"):
        superbill_for(billed, dt.date(2020, 1, 1), dt.date(2023, 12, 31))


def test_a_superbill_is_drawn_in_the_standard_pdf_fonts_where_the_system_has_no_dejavu(
    billed, monkeypatch, tmp_path
):
    """`make run` needs only Python: without the DejaVu files the PDF still renders."""
    monkeypatch.setattr(
        superbill, "FONT_FILES", (tmp_path / "DejaVuSans.ttf", tmp_path / "DejaVuSans-Bold.ttf")
    )

    content = render_pdf(superbill_for(billed, dt.date(2026, 3, 1), dt.date(2026, 3, 31)))

    fonts = {
        font["/BaseFont"]
        for page in PdfReader(io.BytesIO(content)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts == {"/Helvetica", "/Helvetica-Bold"}
    assert "XJK123456789" in pdf_text(content)


def test_superbill_page_asks_for_both_dates(billed, client, desk):
    client.force_login(desk)
    url = reverse("reports:superbill_patient", args=[billed.pk])

    response = client.post(url, {"start": "2026-03-01", "end": "", "action": "download"})

    assert response.status_code == 400
    assert b"This field is required." in response.content
    assert not AccessLog.objects.filter(action=Action.DOWNLOAD_SUPERBILL).exists()


def test_superbill_email_to_a_patient_without_an_address_is_refused_on_the_page(
    billed, client, desk
):
    billed.email = ""
    billed.save()
    client.force_login(desk)
    url = reverse("reports:superbill_patient", args=[billed.pk])

    response = client.post(url, {"start": "2026-03-01", "end": "2026-03-31", "action": "email"})

    assert response.status_code == 422
    assert b"no e-mail address" in response.content
    assert not Message.objects.filter(kind="superbill").exists()
    assert not AccessLog.objects.filter(action=Action.EMAIL_SUPERBILL).exists()


def _coded_visit_bill(clinic, desk, system: str, code: str):
    settings = ClinicSettings.load()
    settings.diagnosis_codes = system
    settings.save()
    location, practitioner = clinic
    patient = make_patient(first_name="Greta", last_name="Weiss")
    visit = make_visit(practitioner, patient)
    sign_visit(visit, diagnosis_codes=[code])
    _charge(patient, desk, visit, location, FIRST, "98940", 5000, [1])
    return superbill_for(patient, dt.date(2026, 3, 1), dt.date(2026, 3, 31))


@pytest.mark.parametrize(
    ("system", "code", "name"), [(ICD10CM, "M54.50", "ICD-10-CM"), (ICD10, "M54.5", "ICD-10")]
)
def test_superbill_names_the_code_system_its_diagnoses_are_in(us_clinic, desk, system, code, name):
    bill = _coded_visit_bill(us_clinic, desk, system, code)
    assert bill.diagnosis_systems == [name]
    text = pdf_text(render_pdf(bill))
    assert f"Diagnoses ({name})" in text and "M54.5" in text


def test_a_code_keeps_its_system_after_the_clinic_changes_its_setting(us_clinic, desk):
    bill = _coded_visit_bill(us_clinic, desk, ICD10CM, "M54.50")
    settings = ClinicSettings.load()
    settings.diagnosis_codes = ICD10
    settings.save()
    bill = superbill_for(bill.patient, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert bill.diagnosis_systems == ["ICD-10-CM"]


def test_superbill_without_diagnoses_names_the_clinics_code_system(us_clinic):
    settings = ClinicSettings.load()
    settings.diagnosis_codes = ICD10CM
    settings.save()
    bill = superbill_for(make_patient(), dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert bill.diagnosis_systems == ["ICD-10-CM"]
    assert "Diagnoses (ICD-10-CM)" in pdf_text(render_pdf(bill))
