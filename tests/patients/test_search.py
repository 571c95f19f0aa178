import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sotclinic.audit.models import AccessLog
from sotclinic.patients.selectors import search_patients
from tests.factories import (
    make_appointment,
    make_location,
    make_patient,
    make_practitioner,
)
from tests.query_plans import query_plan

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    return [f"{p.first_name} {p.last_name}" for p in response.context["page"].object_list]


def _next_appointments(response) -> list[dt.datetime | None]:
    """Each row's next appointment as the page writes it (``<time datetime>``), else None."""
    rows = re.findall(r"<tr>\s*<th scope=\"row\".*?</tr>", response.content.decode(), re.S)
    found = [re.search(r'<time datetime="([^"]+)"', row) for row in rows]
    return [dt.datetime.fromisoformat(m[1]) if m else None for m in found]


def test_search_by_part_of_the_surname_ignores_case(desk):
    make_patient(first_name="Olivia", last_name="Hartley")
    make_patient(first_name="Tom", last_name="Hart")
    make_patient(first_name="Ann", last_name="Jones")

    response = desk.get("/staff/patients/", {"q": "hART"})

    assert response.status_code == 200
    assert _names(response) == ["Tom Hart", "Olivia Hartley"]


def test_search_by_first_and_last_name_together(desk):
    make_patient(first_name="Olivia", last_name="Hartley")
    make_patient(first_name="Oscar", last_name="Hartley")

    response = desk.get("/staff/patients/", {"q": "oli hart"})

    assert _names(response) == ["Olivia Hartley"]


def test_search_by_email(desk):
    make_patient(first_name="Olivia", email="Olivia.H@Example.com")
    make_patient(first_name="Tom", email="tom@example.com")

    response = desk.get("/staff/patients/", {"q": "olivia.h@example"})

    assert [p.first_name for p in response.context["page"].object_list] == ["Olivia"]


def test_search_by_phone_compares_digits_only(desk):
    make_patient(first_name="Olivia", phone="(020) 7946-0018")
    make_patient(first_name="Tom", phone="020 7946 0999")

    response = desk.get("/staff/patients/", {"q": "7946 0018"})

    assert [p.first_name for p in response.context["page"].object_list] == ["Olivia"]


@pytest.mark.parametrize("typed", ["1984-03-07", "07/03/1984", "7/3/1984"])
def test_search_by_date_of_birth_iso_or_day_first(desk, typed):
    make_patient(first_name="Olivia", date_of_birth=dt.date(1984, 3, 7))
    make_patient(first_name="Tom", date_of_birth=dt.date(1984, 7, 3))

    response = desk.get("/staff/patients/", {"q": typed})

    assert [p.first_name for p in response.context["page"].object_list] == ["Olivia"]


def test_list_pages_by_25(desk):
    for n in range(30):
        make_patient(last_name=f"Page{n:02d}")

    first = desk.get("/staff/patients/", {"q": "page"})
    second = desk.get("/staff/patients/", {"q": "page", "page": 2})

    assert len(first.context["page"].object_list) == 25
    assert _names(second)[-1] == "Pat Page29"
    assert len(second.context["page"].object_list) == 5
    assert 'href="?q=page&amp;page=2"' in first.content.decode()


def test_each_row_shows_the_next_appointment_not_a_cancelled_or_past_one(desk):
    location = make_location(name="Harbour Street", time_zone="Europe/London")
    doctor = make_practitioner(location)
    patient = make_patient(last_name="Hartley")
    now = timezone.now().replace(microsecond=0)
    make_appointment(doctor, now - dt.timedelta(days=3), patient=patient)
    make_appointment(
        doctor, now + dt.timedelta(days=1), patient=patient, status="cancelled", blocked_until=now
    )
    soon = make_appointment(doctor, now + dt.timedelta(days=2), patient=patient)

    response = desk.get("/staff/patients/", {"q": "hartley"})

    assert _next_appointments(response) == [soon.start]


def test_each_row_shows_the_soonest_of_several_upcoming_appointments(desk):
    doctor = make_practitioner(make_location(time_zone="Europe/London"))
    patient = make_patient(last_name="Hartley")
    now = timezone.now().replace(microsecond=0)
    for days in (9, 3, 5):  # booked in another order than they come
        make_appointment(doctor, now + dt.timedelta(days=days), patient=patient)

    response = desk.get("/staff/patients/", {"q": "hartley"})

    assert _next_appointments(response) == [now + dt.timedelta(days=3)]


def _fill(count: int) -> None:
    location = make_location()
    doctor = make_practitioner(location)
    start = timezone.now() + dt.timedelta(days=1)
    for n in range(count):
        patient = make_patient(last_name=f"Many{n:02d}", phone=f"0207 946 {n:04d}")
        make_appointment(doctor, start + dt.timedelta(hours=n), patient=patient)


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/staff/patients/", {"q": "many"})
    assert response.status_code == 200
    return len(queries)


def test_search_runs_the_same_number_of_queries_for_3_or_60_patients(desk):
    _fill(3)
    few = _queries(desk)
    _fill(57)

    # The signed-in floor, then the page of patients with their count, their next appointments.
    assert _queries(desk) == few == 5


def test_a_search_writes_no_access_log_row(desk):
    make_patient(last_name="Hartley")

    desk.get("/staff/patients/", {"q": "hartley"})

    assert not AccessLog.objects.exists()


def test_a_later_page_reads_next_appointments_for_its_own_rows_only(desk):
    doctor = make_practitioner(make_location())
    patients = [make_patient(last_name=f"Page{n:02d}") for n in range(30)]
    make_appointment(doctor, timezone.now() + dt.timedelta(days=2), patient=patients[27])

    with CaptureQueriesContext(connection) as queries:
        response = desk.get("/staff/patients/", {"q": "page", "page": 2})

    assert [start is not None for start in _next_appointments(response)] == [
        n == 27 for n in range(25, 30)
    ]
    listing = [q["sql"] for q in queries if "patients_patient" in q["sql"] and "LIMIT" in q["sql"]]
    assert listing and not any("scheduling_appointment" in sql for sql in listing)


def test_each_rows_next_appointment_is_read_through_the_patient_and_start_index(desk):
    location = make_location(time_zone="Europe/London")
    doctor = make_practitioner(location)
    patient = make_patient(last_name="Hartley")
    now = timezone.now()
    for days in range(1, 41):
        # A patient of long standing (the past is most of their rows) at a busy clinic (the
        # future is mostly other patients'): neither the patient nor the time alone narrows.
        make_appointment(doctor, now - dt.timedelta(days=days), patient=patient)
        make_appointment(doctor, now + dt.timedelta(days=days, hours=1))
    make_appointment(doctor, now + dt.timedelta(days=2), patient=patient)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the planner weighs the indexes on these rows
            cursor.execute("ANALYZE scheduling_appointment")

    with CaptureQueriesContext(connection) as queries:
        desk.get("/staff/patients/", {"q": "hartley"})
    [upcoming] = [q["sql"] for q in queries if 'FROM "scheduling_appointment"' in q["sql"]]
    assert "appointment_patient_start" in query_plan(upcoming)


def test_the_pages_search_reads_the_index(desk):
    make_patient(first_name="Ann", last_name="Smith", email="ann.smith@example.com")

    with CaptureQueriesContext(connection) as queries:
        desk.get("/staff/patients/", {"q": "smith"})
    [listing] = [q["sql"] for q in queries if "patients_patient" in q["sql"]]

    plan = query_plan(listing.replace("%", "%%"))  # the query as run, its LIKE patterns written in
    if connection.vendor == "postgresql":
        assert "patient_search_name_trgm" in plan and "patient_search_email_trgm" in plan
    else:
        assert "SCAN patients_patient_search VIRTUAL TABLE INDEX 0:M" in plan


@pytest.mark.parametrize(
    "typed",
    [
        "smith",
        "an smi",
        "sm",
        "a",
        "Smith, Ann",
        "ann.smith",
        "smith@exam",
        "0117 496",
        "1980-05-17",
        "a b c d e",
        ",,",
    ],
)
def test_the_page_lists_what_the_search_finds_in_its_order(desk, typed):
    for n, (first, last) in enumerate(
        [
            ("Ann", "Smith"),
            ("Anna", "Blacksmith"),
            ("Ben", "Smithson"),
            ("Dan", "Jones"),
            ("Ann", "Smith"),
        ]
    ):
        make_patient(
            first_name=first,
            last_name=last,
            email=f"{first}.{last}{n}@example.com",
            phone=f"0117 496 000{n}",
            date_of_birth=dt.date(1980, 5, 17 - n % 2),
        )

    response = desk.get("/staff/patients/", {"q": typed})

    expected = [p.pk for p in search_patients(typed)]
    assert [p.id for p in response.context["page"].object_list] == expected
    assert response.context["page"].paginator.count == len(expected)


def test_a_page_past_the_last_is_the_last_page(desk):
    for n in range(30):
        make_patient(last_name=f"Page{n:02d}")

    response = desk.get("/staff/patients/", {"q": "page", "page": 9})

    page = response.context["page"]
    assert (page.number, page.paginator.count) == (2, 30)
    assert _names(response) == [f"Pat Page{n:02d}" for n in range(25, 30)]
