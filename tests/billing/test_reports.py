"""The practice reports: figures from the database's aggregates, checked against small ledgers
worked out by hand; each page, CSV and chart logs one aggregate access row with its filters;
the number of queries does not grow with the data; the filters are served by indexes."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.billing import ledger, reports
from sotclinic.billing.models import EntryKind
from sotclinic.scheduling.models import Appointment
from tests.factories import (
    make_appointment,
    make_location,
    make_patient,
    make_practitioner,
    make_user,
    make_visit,
)
from tests.query_plans import query_plan

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def desk():
    return make_user(Role.FRONT_DESK)


@pytest.fixture
def location():
    return make_location()


def charge(patient, desk, day, amount, practitioner=None, location=None, code="98940"):
    """A charge with the fields a posted visit charge has (no visit: the figures need none)."""
    return ledger.post_entry(
        patient,
        kind=EntryKind.CHARGE,
        amount=amount,
        by=desk,
        occurred_on=day,
        practitioner=practitioner,
        location=location,
        code=code,
        code_system="cpt",
        modifiers=["AT"],
        units=1,
        diagnosis_pointers=[1],
    )


def pay(patient, desk, day, amount, method="card"):
    return ledger.record_payment(patient, amount=amount, method=method, by=desk, occurred_on=day)


# --- Revenue -----------------------------------------------------------------------------------


def test_revenue_is_charges_less_credits_and_reversals_per_month_and_practitioner(desk, location):
    ada, ben = (
        make_practitioner(location, display_name="Ada"),
        make_practitioner(location, display_name="Ben"),
    )
    patient = make_patient()
    charge(patient, desk, dt.date(2026, 1, 5), 5000, ada, location)
    charge(patient, desk, dt.date(2026, 1, 20), 3000, ben, location)
    wrong = charge(patient, desk, dt.date(2026, 2, 3), 9000, ada, location)
    ledger.reverse_entry(wrong, by=desk, reason="Wrong code")  # dated today, counts today
    ledger.issue_credit(patient, amount=1000, by=desk, reason="Goodwill", practitioner=ada)
    charge(patient, desk, dt.date(2026, 2, 10), 4000, ben, location)
    charge(patient, desk, dt.date(2025, 12, 31), 7777, ada, location)  # before the period
    payment = pay(patient, desk, dt.date(2026, 1, 6), 5000)
    pay(patient, desk, dt.date(2026, 2, 11), 2000)
    ledger.record_refund(patient, amount=500, method="cash", by=desk, occurred_on=TODAY)
    ledger.reverse_entry(payment, by=desk, reason="Card declined")  # today, lowers payments

    period = reports.Period(dt.date(2026, 1, 1), max(TODAY, dt.date(2026, 2, 28)))
    report = reports.revenue_report(period)

    by_month = {m.month: (m.revenue, m.payments) for m in report.months}
    assert by_month[dt.date(2026, 1, 1)] == (8000, 5000)
    this_month = TODAY.replace(day=1)
    february = dt.date(2026, 2, 1)
    if this_month == february:  # pragma: no cover - only in February 2026
        assert by_month[february] == (9000 + 4000 - 9000 - 1000, 2000 - 500 - 5000)
    else:
        assert by_month[february] == (13000, 2000)
        assert by_month[this_month] == (-9000 - 1000, -500 - 5000)
    assert report.revenue == 8000 + 13000 - 10000
    assert dict(report.by_practitioner) == {"Ada": 5000 + 9000 - 9000 - 1000, "Ben": 7000}

    only_ben = reports.revenue_report(
        reports.Period(period.start, period.end, practitioner_id=ben.pk)
    )
    assert only_ben.revenue == 7000


# --- Ageing ------------------------------------------------------------------------------------


def test_ageing_applies_payments_to_the_oldest_charges_first(desk):
    days_ago = lambda n: TODAY - dt.timedelta(days=n)  # noqa: E731
    fifo = make_patient(last_name="Fifo")
    charge(fifo, desk, days_ago(100), 5000)
    charge(fifo, desk, days_ago(45), 3000)
    charge(fifo, desk, days_ago(10), 2000)
    pay(fifo, desk, days_ago(5), 6000)  # pays the 5000 and 1000 of the 3000
    old = make_patient(last_name="Old")
    charge(old, desk, days_ago(95), 1000)
    charge(old, desk, days_ago(70), 1500)
    reversed_only = make_patient(last_name="Reversed")
    wrong = charge(reversed_only, desk, days_ago(20), 4000)
    ledger.reverse_entry(wrong, by=desk, reason="Wrong patient")
    in_credit = make_patient(last_name="Credit")
    charge(in_credit, desk, days_ago(3), 1000)
    pay(in_credit, desk, days_ago(3), 2500)
    bounced = make_patient(last_name="Bounced")
    charge(bounced, desk, days_ago(200), 3000)
    cheque = pay(bounced, desk, days_ago(199), 3000)
    ledger.reverse_entry(cheque, by=desk, reason="Cheque bounced")  # owed again, dated today

    report = reports.ageing_report()

    rows = {r.last_name: r for r in report.rows}
    assert set(rows) == {"Fifo", "Old", "Bounced"}
    assert rows["Fifo"].buckets == (2000, 2000, 0, 0)
    assert rows["Fifo"].oldest == days_ago(45)
    assert rows["Old"].buckets == (0, 0, 1500, 1000)
    assert rows["Bounced"].buckets == (3000, 0, 0, 0)  # the reversal is the newest debit
    assert report.totals == (5000, 2000, 1500, 1000)
    assert report.patients == 3 and report.total == 9500
    assert report.in_credit == 1500
    assert [r.last_name for r in report.rows] == ["Fifo", "Bounced", "Old"]  # most owed first


# --- Attendance and retention ------------------------------------------------------------------


def test_no_show_and_late_cancel_rates_are_shares_of_the_visits_due(location):
    practitioner = make_practitioner(location)
    start = timezone.make_aware(dt.datetime(2026, 3, 2, 9))
    statuses = [
        {"status": Appointment.Status.COMPLETED},
        {"status": Appointment.Status.COMPLETED},
        {"status": Appointment.Status.NO_SHOW},
        {"status": Appointment.Status.CANCELLED, "cancelled_late": True},
        {"status": Appointment.Status.CANCELLED},  # in good time: not a visit that was due
    ]
    for n, fields in enumerate(statuses):
        make_appointment(practitioner, start + dt.timedelta(hours=n), **fields)

    months = reports.attendance_rates(reports.Period(dt.date(2026, 2, 1), dt.date(2026, 3, 31)))

    assert [(m.month, m.booked, m.no_shows, m.late_cancellations) for m in months] == [
        (dt.date(2026, 2, 1), 0, 0, 0),
        (dt.date(2026, 3, 1), 4, 1, 1),
    ]
    assert months[1].no_show_rate == 0.25 and months[0].no_show_rate is None


def test_visits_per_patient_and_retention_over_the_last_two_90_day_windows(location):
    practitioner = make_practitioner(location)
    now = timezone.now()
    both, recent_only, earlier_only = make_patient(), make_patient(), make_patient()
    for patient, days in ((both, [10, 120]), (recent_only, [5, 6, 7]), (earlier_only, [150])):
        for n in days:
            make_visit(practitioner, patient, started_at=now - dt.timedelta(days=n))

    report = reports.retention_report(reports.Period(TODAY - dt.timedelta(days=364), TODAY))

    assert (report.patients, report.visits) == (3, 6)
    assert report.visits_per_patient == 2
    assert (report.recent, report.prior, report.returning) == (2, 2, 1)
    assert report.retention == 0.5


# --- Pages -------------------------------------------------------------------------------------


def _ledger_of(size: int, desk, practitioner, location, hour: int = 2) -> None:
    for n in range(size):
        patient = make_patient()
        charge(patient, desk, TODAY - dt.timedelta(days=7 * n), 4500, practitioner, location)
        if n % 2:
            pay(patient, desk, TODAY - dt.timedelta(days=7 * n), 4500)
        make_appointment(
            practitioner,
            timezone.now() - dt.timedelta(days=n, hours=hour),
            patient=patient,
            status=Appointment.Status.NO_SHOW if n % 3 else Appointment.Status.COMPLETED,
        )


PAGES = ("revenue", "receivables", "attendance_rates", "retention")
EXPORTS = ("revenue_csv", "receivables_csv", "attendance_rates_csv", "retention_csv")
CHARTS = ("revenue_chart", "receivables_chart", "attendance_rates_chart")


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.PRACTITIONER])
def test_each_report_page_csv_and_chart_answers_and_logs_one_aggregate_row(
    client, desk, location, role
):
    practitioner = make_practitioner(location)
    _ledger_of(4, desk, practitioner, location)
    user = make_user(role)
    client.force_login(user)
    query = {"start": "2026-01-01", "end": TODAY.isoformat(), "practitioner": practitioner.pk}

    for name in PAGES + EXPORTS + CHARTS:
        before = AccessLog.objects.count()
        response = client.get(reverse(f"reports:{name}"), query)
        assert response.status_code == 200, name
        [row] = AccessLog.objects.order_by("-id")[: AccessLog.objects.count() - before]
        assert row.action == Action.VIEW_PRACTICE_REPORT and row.patient_id is None
        assert row.user == user
        if "receivables" not in name:
            assert (
                f"2026-01-01 to {TODAY.isoformat()}, practitioner {practitioner.pk}" in row.detail
            )
        if name in CHARTS:
            assert response["Content-Type"] == "image/svg+xml" and b"<svg" in response.content
        if name in EXPORTS:
            assert response["Content-Type"].startswith("text/csv")


def test_csv_exports_hold_the_figures(client, desk, location):
    practitioner = make_practitioner(location, display_name="Dr. Csv")
    patient = make_patient(last_name="Owing")
    charge(patient, desk, TODAY, 4500, practitioner, location)
    client.force_login(desk)

    revenue = list(csv.reader(io.StringIO(client.get(reverse("reports:revenue_csv")).text)))
    ageing = list(csv.reader(io.StringIO(client.get(reverse("reports:receivables_csv")).text)))

    assert revenue[0][:6] == [
        "month",
        "practitioner_id",
        "practitioner",
        "charged",
        "credits_and_reversals",
        "revenue",
    ]
    assert [TODAY.strftime("%Y-%m"), str(practitioner.pk), "Dr. Csv", "4500", "0", "4500"] == (
        revenue[1][:6]
    )
    assert ageing[1][1:3] == ["Owing", "Pat"] and ageing[1][4:9] == ["4500", "0", "0", "0", "4500"]
    assert ageing[-1][1] == "total"


def test_a_backwards_period_is_refused_with_a_message(client, desk):
    client.force_login(desk)
    response = client.get(reverse("reports:revenue"), {"start": "2026-03-01", "end": "2026-01-01"})
    assert response.status_code == 400
    assert "The end date is before the start date." in response.text


def test_patients_may_not_open_the_reports(client):
    client.force_login(make_user(Role.PATIENT))
    for name in PAGES:
        assert client.get(reverse(f"reports:{name}")).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_report_pages_make_the_same_queries_for_ten_times_the_data(client, desk, location, name):
    practitioner = make_practitioner(location)
    client.force_login(desk)
    url = reverse(f"reports:{name}")
    _ledger_of(2, desk, practitioner, location)
    client.get(url)  # warm: session and settings caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _ledger_of(18, desk, practitioner, location, hour=5)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


def test_revenue_and_ageing_take_two_queries_each_whatever_the_ledger(desk, location):
    practitioner = make_practitioner(location)
    period = reports.Period(TODAY - dt.timedelta(days=400), TODAY)
    for size in (1, 30):
        _ledger_of(size, desk, practitioner, location, hour=2 + size)
        with CaptureQueriesContext(connection) as revenue:
            assert reports.revenue_report(period).revenue > 0
        with CaptureQueriesContext(connection) as ageing:
            assert reports.ageing_report(as_of=TODAY).patients > 0
        assert (len(revenue), len(ageing)) == (2, 2)


@pytest.mark.parametrize("practitioner", [False, True])
def test_the_revenue_reads_the_daily_totals_from_an_index(desk, location, practitioner):
    someone = make_practitioner(location)
    charge(make_patient(), desk, TODAY, 4500, someone, location)
    period = reports.Period(TODAY.replace(day=1), TODAY, someone.pk if practitioner else None)
    sql, params = reports._revenue_months(period).query.sql_with_params()

    plan = query_plan(sql, params)

    assert "revenueday" in plan and "index" in plan.lower(), plan
    assert "billing_ledgerentry" not in sql


def test_the_ageing_reads_the_owed_debits_not_the_ledger():
    assert "billing_owed" in reports._ageing_sql()
    assert "billing_ledgerentry" not in reports._ageing_sql()


@pytest.mark.parametrize(
    "period, message",
    [
        ({"start": "1899-12-31", "end": "2026-01-01"}, "Choose a date between 1900 and 2199."),
        ({"start": "2010-01-01", "end": "2026-01-01"}, "Choose a period of at most ten years."),
    ],
)
def test_a_period_outside_the_calendar_or_over_ten_years_is_refused(client, desk, period, message):
    client.force_login(desk)

    response = client.get(reverse("reports:revenue"), period)

    assert response.status_code == 400
    assert message in response.text
