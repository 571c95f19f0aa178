"""The app's own pages run under the strict Content-Security-Policy without a console error.

Every page visited below is watched for console errors and page errors; a blocked inline
script, handler attribute or style attribute shows up as one ("Refused to execute inline
script ...", "Refused to apply inline style ...").
"""

import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from sotclinic.accounts.models import User
from sotclinic.charting.models import Visit
from sotclinic.demo.clinic import load_demo_clinic
from sotclinic.intake.services import intake_token
from sotclinic.patients.models import Patient
from sotclinic.scheduling.models import Appointment, ClinicSettings
from tests.e2e.exam_screen import tick
from tests.factories import PASSWORD, make_intake

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    cache.clear()
    load_demo_clinic()
    for user in User.objects.all():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return {
        "patient": Patient.objects.filter(visits__isnull=False).distinct().first(),
        "visit": Visit.objects.filter(note__signed_at__isnull=True).first()
        or Visit.objects.first(),
        "intake": make_intake(Patient.objects.order_by("pk").last()),
    }


@pytest.fixture
def console_errors(page):
    """Console errors and uncaught exceptions of the page, with the URL they came from."""
    errors = []
    page.on(
        "console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    return errors


def _settle(page) -> None:
    """Wait until no htmx request is in flight. Leaving a page, or ticking again (the exam
    screen replaces its running analysis), aborts a request in flight, and htmx reports the
    abort as a console error that has nothing to do with the policy."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def _visit(page, live_server, path: str) -> None:
    if page.url.startswith(live_server.url):
        _settle(page)
    response = page.goto(f"{live_server.url}{path}")
    assert response.status < 400, f"{path} answered {response.status}"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")


def test_public_pages_booking_log_in_and_intake(
    page, live_server, demo, console_errors, screenshot
):
    for path in ["/", "/portal/book/", "/accounts/login/"]:
        _visit(page, live_server, path)
    page.goto(f"{live_server.url}/portal/book/")
    page.get_by_role("link", name=re.compile("New-patient exam")).click()
    page.get_by_role("link", name=re.compile("First available")).click()
    page.locator(".time-grid a.time").first.click()
    expect(page.get_by_label("First name")).to_be_visible()
    _visit(page, live_server, f"/intake/{intake_token(demo['intake'])}/")
    expect(page.locator(".intake-progress .bar span")).to_have_css("width", re.compile(r"[1-9]"))

    assert console_errors == []


def test_front_desk_pages(page, live_server, log_in, demo, console_errors):
    log_in(page, "frontdesk")
    appointment = Appointment.objects.filter(start__gte=timezone.now()).first()
    for path in [
        "/staff/",
        "/staff/calendar/",
        "/staff/calendar/?view=day",
        "/staff/patients/",
        f"/staff/patients/{demo['patient'].pk}/",
        f"/staff/appointments/{appointment.pk}/",
    ]:
        _visit(page, live_server, path)
    # The view switch submits on change, through the static script.
    page.goto(f"{live_server.url}/staff/calendar/")
    page.locator("select[name=view]").select_option("day")
    page.wait_for_url(re.compile(r"view=day"))

    assert console_errors == []


def test_practitioner_pages_exam_and_back_office(
    page, live_server, log_in, demo, console_errors, screenshot
):
    patient, visit = demo["patient"], demo["visit"]
    # Codes from the shipped ICD-10-CM list, which a clinic coding in ICD-10-CM searches.
    clinic = ClinicSettings.load()
    clinic.diagnosis_codes = "icd10cm"
    clinic.save()
    log_in(page, "anna")
    for path in [
        "/staff/",
        f"/staff/patients/{patient.pk}/chart/",
        f"/staff/patients/{patient.pk}/",
        f"/staff/patients/{patient.pk}/intakes/",
        f"/staff/patients/{patient.pk}/outcomes/",
        f"/staff/patients/{patient.pk}/access-log/",
        "/staff/outcomes/",
        "/staff/unsigned-notes/",
        "/exam/settings",
        "/accounts/two-factor/",
        "/admin/",
        f"/admin/patients/patient/{patient.pk}/change/",
        "/admin/accounts/user/",
    ]:
        _visit(page, live_server, path)

    _visit(page, live_server, "/staff/calendar/")
    block = page.locator(".cal-block").first
    expect(block).to_have_css("position", "absolute")
    assert block.evaluate("e => e.style.top") != ""  # placed by the static script
    screenshot(page, "csp-calendar-week")

    _visit(page, live_server, "/exam/new")
    tick(page, "Arm fossa test", "Left")
    _settle(page)
    tick(page, "Inguinal ligament sensitivity", "Left")
    _settle(page)
    expect(page.locator("#exam-analysis")).to_contain_text("Category II")

    unsigned = Visit.objects.filter(note__signed_at__isnull=True).first()
    if unsigned is not None:
        _visit(page, live_server, f"/staff/visits/{unsigned.pk}/")
        tick(page, "Arm fossa test", "Left")
        _settle(page)
        expect(page.locator("#exam-analysis")).to_contain_text("Category")
        page.get_by_label("Search codes").fill("low back")
        page.get_by_text("M54.50", exact=True).click()
        expect(page.locator("#dx-selected")).to_contain_text("M54.50")
        page.get_by_label("Lumbar").check()
        expect(page.get_by_text("1 region", exact=True)).to_be_visible()
        screenshot(page, "csp-visit")
    else:
        _visit(page, live_server, f"/staff/visits/{visit.pk}/")

    assert console_errors == []


def test_patient_portal_and_code_step(page, live_server, log_in, demo, console_errors):
    log_in(page, "patient", lands_on=None, then="/portal/")
    page.wait_for_url(re.compile("/portal/"))
    _visit(page, live_server, "/portal/")
    page.context.clear_cookies()
    ben = User.objects.get(username="ben")
    TOTPDevice.objects.create(user=ben, name="Authenticator app", confirmed=True)
    log_in(page, "ben", lands_on=None)
    page.wait_for_url(re.compile("/accounts/two-factor/code/"))
    expect(page.get_by_label("Code")).to_be_visible()

    assert console_errors == []
