"""The practice reports: revenue, accounts-receivable ageing, attendance rates and retention.

Every figure is aggregated by the database (GROUP BY, window functions), so a report costs the
same few queries whether the practice has a hundred entries or a hundred thousand; Python only
shapes the handful of aggregated rows for the page, the CSV and the chart. Revenue and ageing
read the ledger's running totals (``billing.summaries``: a row per day and practitioner, and
the owed part of each owing account's debits per day), kept by ``ledger.post_entry`` in each
entry's transaction, so their cost follows the period and the owing accounts, not the ledger.

Revenue is what was charged, as posted: charges, less credit notes and reversals of charges or
credits, dated by the entry's date (the date of service for a charge). Payments are reported
beside it, never mixed in: payments received less refunds, and reversals of either.

Ageing follows one rule: an account's balance is owed for its newest debits (charges, refunds,
opening balances, reversed payments), newest first, and a debit that was itself reversed drops
out with its reversal. That is the same as applying every payment and credit to the oldest
charge first. Each owed amount is aged by its debit's date: 0–30, 31–60, 61–90, over 90 days.
"""

# The ageing and retention SQL is built from table names only; every value is a parameter.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from sotclinic.charting.models import Visit
from sotclinic.patients.models import Patient
from sotclinic.scheduling.models import Appointment, Practitioner
from sotclinic.scheduling.selectors import clinic_today

from .models import Account, OwedDebit, RevenueDay

AGEING_BUCKETS = ((0, 30), (31, 60), (61, 90), (91, None))
RETENTION_DAYS = 90
AGEING_PAGE_ROWS = 100


@dataclass(frozen=True)
class Period:
    """A report's filters: the first and last day (inclusive) and optionally one practitioner."""

    start: dt.date
    end: dt.date
    practitioner_id: int | None = None

    def describe(self) -> str:
        who = (
            f"practitioner {self.practitioner_id}" if self.practitioner_id else "all practitioners"
        )
        return f"{self.start.isoformat()} to {self.end.isoformat()}, {who}"


def default_period(today: dt.date | None = None) -> Period:
    """The last twelve whole months and the current one."""
    today = today or clinic_today()
    start = dt.date(today.year - 1, today.month, 1)
    return Period(start=start, end=today)


def _month(value) -> dt.date:
    # TruncMonth of a DateField gives a date; some backends hand back a datetime.
    return value.date() if isinstance(value, dt.datetime) else value


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, month = [], dt.date(start.year, start.month, 1)
    while month <= end:
        months.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


# --- Revenue -----------------------------------------------------------------------------------


@dataclass
class RevenueRow:
    month: dt.date
    practitioner_id: int | None
    practitioner: str
    charged: int = 0
    reduced: int = 0  # credits and reversals (zero or negative)

    @property
    def revenue(self) -> int:
        return self.charged + self.reduced


@dataclass
class MonthTotal:
    month: dt.date
    revenue: int = 0
    payments: int = 0


@dataclass
class RevenueReport:
    period: Period
    rows: list[RevenueRow]  # per month and practitioner, months in order
    months: list[MonthTotal]  # every month of the period, also those without entries
    by_practitioner: list[tuple[str, int]] = field(default_factory=list)

    @property
    def revenue(self) -> int:
        return sum(m.revenue for m in self.months)

    @property
    def payments(self) -> int:
        return sum(m.payments for m in self.months)


def _revenue_months(period: Period):
    """The period's daily totals summed per month and practitioner."""
    days = RevenueDay.objects.filter(day__gte=period.start, day__lte=period.end)
    if period.practitioner_id:
        days = days.filter(practitioner_id=period.practitioner_id)
    return (
        days.annotate(month=TruncMonth("day"))
        .values("month", "practitioner_id")
        .annotate(charged=Sum("charged"), reduced=Sum("reduced"), received=Sum("received"))
        .order_by()
    )


def revenue_report(period: Period) -> RevenueReport:
    """Revenue per month and practitioner, and payments per month: two queries.

    The figures are sums of the ledger's daily totals (``summaries``), which ``post_entry``
    keeps: a period reads its days, however many entries they hold."""
    grouped = _revenue_months(period)
    found = sorted(
        ((_month(r["month"]), r) for r in grouped),
        key=lambda i: (i[0], i[1]["practitioner_id"] or 0),
    )
    names = dict(Practitioner.objects.values_list("pk", "display_name"))
    totals = {m: MonthTotal(m) for m in _months(period.start, period.end)}
    rows = []
    for month, r in found:
        # Payments lower the balance (negative entries); received money is shown positive.
        totals[month].payments -= r["received"]
        if r["charged"] or r["reduced"]:
            rows.append(
                RevenueRow(
                    month=month,
                    practitioner_id=r["practitioner_id"],
                    practitioner=names.get(r["practitioner_id"], ""),
                    charged=r["charged"],
                    reduced=r["reduced"],
                )
            )
    for row in rows:
        totals[row.month].revenue += row.revenue
    per_practitioner: dict[str, int] = {}
    for row in rows:
        per_practitioner[row.practitioner] = per_practitioner.get(row.practitioner, 0) + row.revenue
    return RevenueReport(
        period=period,
        rows=rows,
        months=list(totals.values()),
        by_practitioner=sorted(per_practitioner.items(), key=lambda item: -item[1]),
    )


# --- Accounts receivable ageing ----------------------------------------------------------------


@dataclass
class AgeingRow:
    patient_id: int
    last_name: str
    first_name: str
    oldest: dt.date | None
    buckets: tuple[int, int, int, int]

    @property
    def total(self) -> int:
        return sum(self.buckets)


@dataclass
class AgeingReport:
    as_of: dt.date
    rows: list[AgeingRow]  # the patients owing most, AGEING_PAGE_ROWS at most
    totals: tuple[int, int, int, int]
    patients: int  # every patient owing something
    in_credit: int  # what the clinic owes patients in credit (positive)

    @property
    def total(self) -> int:
        return sum(self.totals)


def _ageing_sql() -> str:
    owed = OwedDebit._meta.db_table
    accounts = Account._meta.db_table
    patients = Patient._meta.db_table
    # Per owing account its owed debits by age band (a few rows each: ``summaries``); the
    # totals over every account are windows over the grouped rows, computed before the LIMIT
    # keeps the page's rows.
    return f"""
        WITH per_account AS (
            SELECT account_id, MIN(day) AS oldest, SUM(amount) AS total,
                SUM(CASE WHEN day >= %(d30)s THEN amount ELSE 0 END) AS b0,
                SUM(CASE WHEN day < %(d30)s AND day >= %(d60)s THEN amount ELSE 0 END) AS b1,
                SUM(CASE WHEN day < %(d60)s AND day >= %(d90)s THEN amount ELSE 0 END) AS b2,
                SUM(CASE WHEN day < %(d90)s THEN amount ELSE 0 END) AS b3
            FROM {owed} GROUP BY account_id
        )
        SELECT p.id, p.last_name, p.first_name, pa.oldest, pa.b0, pa.b1, pa.b2, pa.b3,
               SUM(pa.b0) OVER (), SUM(pa.b1) OVER (), SUM(pa.b2) OVER (), SUM(pa.b3) OVER (),
               COUNT(*) OVER ()
        FROM per_account pa
        JOIN {accounts} a ON a.id = pa.account_id
        JOIN {patients} p ON p.id = a.patient_id
        ORDER BY pa.total DESC, p.id
        LIMIT %(limit)s"""


def _to_date(value) -> dt.date:
    """A debit's date as the database gives it: a date (PostgreSQL) or the stored text (SQLite);
    never NULL, as every row counts at least one debit."""
    return dt.date.fromisoformat(str(value)[:10])


def ageing_report(as_of: dt.date | None = None, limit: int = AGEING_PAGE_ROWS) -> AgeingReport:
    """What patients owe today, by how long it has been owed (the ``limit`` patients owing
    most, and the totals over all): two queries."""
    as_of = as_of or clinic_today()
    params = {
        "d30": as_of - dt.timedelta(days=30),
        "d60": as_of - dt.timedelta(days=60),
        "d90": as_of - dt.timedelta(days=90),
        "limit": max(limit, 1),  # one row carries the totals
    }
    with connection.cursor() as cursor:
        cursor.execute(_ageing_sql(), params)
        found = cursor.fetchall()
    rows = [
        AgeingRow(
            patient_id=r[0],
            last_name=r[1],
            first_name=r[2],
            oldest=_to_date(r[3]),
            buckets=tuple(int(v) for v in r[4:8]),
        )
        for r in found[:limit]
    ]
    totals = tuple(int(v) for v in found[0][8:12]) if found else (0, 0, 0, 0)
    in_credit = Account.objects.filter(balance__lt=0).aggregate(total=Sum("balance", default=0))
    return AgeingReport(
        as_of=as_of,
        rows=rows,
        totals=totals,
        patients=found[0][12] if found else 0,
        in_credit=-in_credit["total"],
    )


# --- Attendance: no-shows and late cancellations -----------------------------------------------


@dataclass
class AttendanceMonth:
    month: dt.date
    booked: int  # appointments that were due: attended, no-show or cancelled late
    no_shows: int
    late_cancellations: int

    @property
    def no_show_rate(self) -> float | None:
        return self.no_shows / self.booked if self.booked else None

    @property
    def late_cancel_rate(self) -> float | None:
        return self.late_cancellations / self.booked if self.booked else None


def attendance_rates(period: Period) -> list[AttendanceMonth]:
    """Per month of the appointments' start: of the visits that were due (kept, missed or
    cancelled late), the share missed and the share cancelled late. Cancellations in good
    time are not due visits. One query."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    status = Appointment.Status
    due = Q(status__in=[status.ARRIVED, status.COMPLETED, status.NO_SHOW]) | Q(
        status=status.CANCELLED, cancelled_late=True
    )
    appointments = Appointment.objects.filter(due, start__gte=start, start__lt=end)
    if period.practitioner_id:
        appointments = appointments.filter(practitioner_id=period.practitioner_id)
    grouped = (
        appointments.annotate(month=TruncMonth("start"))
        .values("month")
        .annotate(
            booked=Count("id"),
            no_shows=Count("id", filter=Q(status=status.NO_SHOW)),
            late=Count("id", filter=Q(status=status.CANCELLED)),
        )
        .order_by("month")
    )
    found = {_month(r["month"]): r for r in grouped}
    return [
        AttendanceMonth(
            month=month,
            booked=found.get(month, {}).get("booked", 0),
            no_shows=found.get(month, {}).get("no_shows", 0),
            late_cancellations=found.get(month, {}).get("late", 0),
        )
        for month in _months(period.start, period.end)
    ]


# --- Visits per patient and retention ----------------------------------------------------------


@dataclass
class Retention:
    period: Period
    patients: int  # patients with at least one visit in the period
    visits: int
    recent: int  # patients with a visit in the last 90 days (to the period's end)
    prior: int  # patients with a visit in the 90 days before those
    returning: int  # patients with a visit in both

    @property
    def visits_per_patient(self) -> float | None:
        return self.visits / self.patients if self.patients else None

    @property
    def retention(self) -> float | None:
        return self.returning / self.recent if self.recent else None


def retention_report(period: Period) -> Retention:
    """Visits per patient over the period, and retention at its end: of the patients seen in
    the last 90 days, the share also seen in the 90 days before. Two queries."""
    tz = timezone.get_current_timezone()

    def moment(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=tz)

    visits = Visit.objects.all()
    if period.practitioner_id:
        visits = visits.filter(practitioner_id=period.practitioner_id)
    end = moment(period.end + dt.timedelta(days=1))
    in_period = visits.filter(started_at__gte=moment(period.start), started_at__lt=end).aggregate(
        visits=Count("id"), patients=Count("patient_id", distinct=True)
    )
    recent_from = end - dt.timedelta(days=RETENTION_DAYS)
    prior_from = recent_from - dt.timedelta(days=RETENTION_DAYS)
    per_patient = (
        visits.filter(started_at__gte=prior_from, started_at__lt=end)
        .values("patient_id")
        .annotate(
            recent=Count("id", filter=Q(started_at__gte=recent_from)),
            prior=Count("id", filter=Q(started_at__lt=recent_from)),
        )
    )
    # Count patients over the per-patient groups in the database, not in a loop here.
    sql, params = per_patient.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT "
            "COALESCE(SUM(CASE WHEN recent > 0 THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN prior > 0 THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN recent > 0 AND prior > 0 THEN 1 ELSE 0 END), 0) "
            f"FROM ({sql}) per_patient",
            params,
        )
        recent, prior, returning = cursor.fetchone()
    return Retention(
        period=period,
        patients=in_period["patients"],
        visits=in_period["visits"],
        recent=int(recent),
        returning=int(returning),
        prior=int(prior),
    )
