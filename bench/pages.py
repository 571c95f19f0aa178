"""Staff pages of a busy practice, timed from outside over HTTP against `sotclinic serve`.

`make bench` runs this after `bench/run.py`. For each scale it generates a practice
(`bench/practice.py`: at 1×, 5 practitioners, 5,000 patients, 100,000 appointments, 60,000
visits, 20,000 responses, 100,000 charges with their payments) in a fresh database, starts
gunicorn on it and times, in interleaved rounds, `/healthz`, the signed-in floor
(`bench/urls.py`) and the pages: the outcome dashboard, the day list (staff home), a patient
search, the chart of a patient with 200 visits, a booking POST, and the revenue and A/R ageing
reports (their "× floor" is the ratio to a one-row page in the same run). Figures are medians,
as ratios to `/healthz` and to the floor measured in the same round, so a noisy machine shifts
both sides alike; queries per page are counted in process on the same database. The last table
gives how each figure changes from 1× to 10×.

    python bench/pages.py                  # 1× on SQLite (or on DATABASE_URL's PostgreSQL)
    python bench/pages.py --large          # 1× and 10× (PostgreSQL: DATABASE_URL=postgres://…)
    BENCH_SIZE=tiny make bench             # the smoke run: a few dozen rows, one round

With PostgreSQL, DATABASE_URL names a database this script may empty (its name must contain
"bench"): every scale drops and recreates its `public` schema. Benchmarks are never pass/fail:
no figure here is a threshold.

    python bench/pages.py --large --reuse  # PostgreSQL: keep each scale's practice for next time

With `--reuse` (PostgreSQL only), each scale has a database of its own beside DATABASE_URL's,
named after it and the scale (`…_bench_1x`, `…_bench_10x`; created when missing) and kept
after the run. A later `--reuse` run only migrates it and measures again, if the practice in it
was generated today by the same `bench/practice.py` (a fingerprint kept as the database's
comment); otherwise it is emptied and generated anew. The pages see the practice as on the day
it was written plus the few bookings and baseline rows earlier runs added.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from http.client import HTTPConnection
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent

PAGES = (
    "dashboard",
    "day list",
    "patient search",
    "chart, 200 visits",
    "booking POST",
    "revenue report",
    "A/R ageing",
)
BASELINES = ("/healthz", "floor")

# What the benchmarks' server runs with: one client address books every slot, and no worker
# runs beside it, so the confirmations its bookings queue are never sent. /healthz must count
# neither the silent worker nor those waiting messages (in a kept database, from earlier runs)
# as a failure; it still reads the queue, so its cost is the same.
SERVER_ENVIRONMENT = {
    "BOOKING_RATE_LIMIT": str(10**9),
    "HEALTH_WORKER_SILENCE_SECONDS": "0",
    "HEALTH_QUEUE_LAG_SECONDS": "0",
}


# The parent: one child process per scale, then the tables ------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--large", action="store_true", help="also 10× the practice")
    parser.add_argument("--scales", help="comma-separated factors, e.g. 0.01,0.1")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5, help="requests per page per round")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--reuse", action="store_true", help="keep a database per scale")
    parser.add_argument("--child", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        return child(args.child, args.rounds, args.repeat, args.out, args.reuse)

    if os.environ.get("BENCH_SIZE") == "tiny":
        scales, args.rounds, args.repeat = [0.002, 0.02], 1, 1
    elif args.scales:
        scales = [float(s) for s in args.scales.split(",")]
    else:
        scales = [1.0, 10.0] if args.large else [1.0]
    results = []
    for scale in scales:
        with tempfile.TemporaryDirectory(prefix="sotclinic-pages-") as tmp:
            out = Path(tmp) / "result.json"
            command = [sys.executable, __file__, "--child", str(scale), "--out", str(out)]
            command += ["--rounds", str(args.rounds), "--repeat", str(args.repeat)]
            command += ["--reuse"] if args.reuse else []
            env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
            subprocess.run(command, check=True, cwd=ROOT, env=env)
            results.append(json.loads(out.read_text()))
        print_scale(results[-1])  # each scale as soon as it is measured
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
    if len(results) > 1:
        print_change(results[0], results[-1])
    return 0


def print_scale(result: dict) -> None:
    print(
        f"\n{result['database']}, {result['scale']:g}× practice "
        f"({result['rows']}); /healthz {result['healthz_ms']:.2f} ms, "
        f"floor {result['floor_ms']:.2f} ms (medians)"
    )
    print(f"  {'page':<20} {'median ms':>10} {'× /healthz':>11} {'× floor':>8} {'queries':>8}")
    for name in ("floor", *PAGES):
        page = result["pages"][name]
        print(
            f"  {name:<20} {page['median_ms']:>10.2f} {page['ratio_healthz']:>11.2f} "
            f"{page['ratio_floor']:>8.2f} {page['queries']:>8}"
        )


def print_change(first: dict, last: dict) -> None:
    factor = last["scale"] / first["scale"]
    print(f"\nFrom {first['scale']:g}× to {last['scale']:g}× ({factor:g} times the rows):")
    print(f"  {'page':<20} {'× /healthz':>17} {'× floor':>15} {'queries':>11}")
    for name in ("floor", *PAGES):
        a, b = first["pages"][name], last["pages"][name]
        print(
            f"  {name:<20} {a['ratio_healthz']:>7.2f} → {b['ratio_healthz']:<7.2f} "
            f"{a['ratio_floor']:>6.2f} → {b['ratio_floor']:<6.2f} "
            f"{a['queries']:>4} → {b['queries']:<4}"
        )


# The child: one scale, one database, one server --------------------------------------------


def child(scale: float, rounds: int, repeat: int, out: Path, reuse: bool = False) -> int:
    tmp = tempfile.mkdtemp(prefix="sotclinic-pages-db-")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/pages.sqlite3"
    elif reuse:
        os.environ["DATABASE_URL"] = database_of_scale(os.environ["DATABASE_URL"], scale)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.update(SERVER_ENVIRONMENT)
    # The server checks the sessions this process signs: both read the same key and files.
    os.environ["SOTCLINIC_VAR_DIR"] = tmp
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.db import connection

    if connection.vendor == "postgresql" and "bench" not in connection.settings_dict["NAME"]:
        raise SystemExit(
            "The page benchmark empties its database: give DATABASE_URL a database whose "
            "name contains 'bench' (e.g. postgres://…/sotclinic_bench)."
        )
    fingerprint = practice_fingerprint(scale)
    reused = reuse and connection.vendor == "postgresql" and kept_fingerprint() == fingerprint
    if connection.vendor == "postgresql" and not reused:
        if reuse:
            keep_fingerprint("")  # until the new practice is complete
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")

    from django.core.management import call_command

    from bench.practice import Size, generate, load
    from bench.urls import make_baseline_row

    call_command("migrate", verbosity=0, interactive=False)
    size = Size().times(scale)
    started = time.perf_counter()
    if reused:
        practice = load()
        print(f"  {connection.vendor} {scale:g}×: reused {size}", flush=True)
    else:
        practice = generate(size)
        print(
            f"  {connection.vendor} {scale:g}×: generated {size} "
            f"in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        if reuse and not reused:
            keep_fingerprint(fingerprint)
    floor_patient = make_baseline_row()
    session = signed_in_session(practice.staff)
    requests = page_requests(practice, floor_patient)
    queries = {name: count_queries(request, session) for name, request in requests.items()}
    connection.close()

    with running_server(tmp) as port:
        timings = measure(port, session, requests, rounds, repeat)
    result = summarise(timings, queries)
    result.update(
        database=connection.vendor,
        scale=scale,
        rows=(
            f"{size.practitioners} practitioners, {size.patients} patients, "
            f"{size.appointments} appointments, {size.visits} visits, "
            f"{size.responses} responses, {size.charges} charges"
        ),
    )
    out.write_text(json.dumps(result))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


def database_of_scale(url: str, scale: float) -> str:
    """DATABASE_URL's server, with the database of the scale (created when missing)."""
    import psycopg

    base, _, name = url.rpartition("/")
    name, _, query = name.partition("?")
    if "bench" not in name:
        return url  # refused below, as without --reuse
    own = f"{name}_{scale:g}x".replace(".", "_")
    with psycopg.connect(url, autocommit=True) as db:
        if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [own]).fetchone():
            db.execute(f'CREATE DATABASE "{own}"')
    return f"{base}/{own}" + (f"?{query}" if query else "")


def practice_fingerprint(scale: float) -> str:
    """The scale, today and the generator's source: a practice generated under another is not
    reused."""
    source = (BENCH_DIR / "practice.py").read_bytes()
    return f"{scale:g}× {dt.date.today()} {hashlib.sha256(source).hexdigest()[:16]}"


def kept_fingerprint() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = current_database()"
        )
        return cursor.fetchone()[0] or ""


def keep_fingerprint(fingerprint: str) -> None:
    from django.db import connection

    name = connection.ops.quote_name(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        cursor.execute(f"COMMENT ON DATABASE {name} IS %s", [fingerprint])


def signed_in_session(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


class Request:
    """One page to time: GET a path, or POST a JSON body made fresh for each call."""

    def __init__(self, path: str, body=None):
        self.path = path
        self.body = body  # None for a GET; else a callable giving the next body

    def send(self, connection: HTTPConnection, session: str) -> int:
        headers = {"Cookie": f"sessionid={session}", "Host": "127.0.0.1"}
        if self.body is None:
            connection.request("GET", self.path, headers=headers)
        else:
            headers["Content-Type"] = "application/json"
            connection.request("POST", self.path, json.dumps(self.body()), headers)
        response = connection.getresponse()
        response.read()
        return response.status


def page_requests(practice, floor_patient: int) -> dict[str, Request]:
    import itertools

    from django.utils import timezone

    from bench.practice import DAYS_AHEAD
    from sotclinic.scheduling.selectors import free_slots

    first_free_day = timezone.now().date() + dt.timedelta(days=DAYS_AHEAD + 2)
    # Slots that stay free once the ones before them are booked: 30 minutes apart at least.
    apart, busy_until = [], {}
    for slot in free_slots(practice.kind, first_free_day, 30):
        if slot.start >= busy_until.get(slot.practitioner_id, slot.start):
            apart.append(slot)
            busy_until[slot.practitioner_id] = slot.start + dt.timedelta(minutes=30)
    slots = iter(apart)
    counter = itertools.count()
    # Each booking is a new patient's, also in a database kept from an earlier run (`--reuse`),
    # where the same addresses would match the patients that run created.
    run = f"{time.time_ns():x}"

    def booking() -> dict:
        n, slot = next(counter), next(slots)
        return {
            "appointment_type": practice.kind.pk,
            "practitioner": slot.practitioner_id,
            "start": slot.start.isoformat(),
            "first_name": "Bench",
            "last_name": f"Booker{n}",
            "email": f"booker{n}.{run}@example.com",
            "phone": "+44 117 496 0123",
            "date_of_birth": "1980-01-01",
            "consent": True,
        }

    return {
        "/healthz": Request("/healthz"),
        "floor": Request(f"/bench/floor/{floor_patient}"),
        "dashboard": Request("/staff/outcomes/"),
        "day list": Request("/staff/"),
        "patient search": Request("/staff/patients/?q=smith"),
        "chart, 200 visits": Request(f"/staff/patients/{practice.chart_patient.pk}/chart/"),
        "booking POST": Request("/api/v1/bookings", booking),
        "revenue report": Request("/staff/reports/revenue/"),
        "A/R ageing": Request("/staff/reports/receivables/"),
    }


def count_queries(request: Request, session: str) -> int:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session
    with CaptureQueriesContext(connection) as captured:
        if request.body is None:
            response = client.get(request.path)
        else:
            response = client.post(request.path, request.body(), content_type="application/json")
    assert response.status_code in (200, 201), (request.path, response.status_code)
    return len(captured)


class running_server:
    """`sotclinic serve` (gunicorn, one worker, one thread unless told) on a free port, stopped
    after."""

    def __init__(self, tmp: str, workers: int = 1, threads: int = 1):
        self.tmp, self.workers, self.threads = tmp, workers, threads

    def __enter__(self) -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "WEB_CONCURRENCY": str(self.workers),
            "GUNICORN_THREADS": str(self.threads),
            "ACCESS_LOG": os.devnull,
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        }
        sotclinic = Path(sys.executable).parent / "sotclinic"
        self.log = open(Path(self.tmp) / "server.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(sotclinic), "serve"], env=env, stdout=self.log, stderr=self.log, cwd=ROOT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                connection = HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return self.port
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("the server did not answer /healthz within 60 s")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def measure(port: int, session: str, requests: dict, rounds: int, repeat: int) -> dict:
    """Per round and page, the median of `repeat` requests, pages taken in turn."""
    connection = HTTPConnection("127.0.0.1", port, timeout=120)
    for request in requests.values():  # warm the worker: imports, templates, caches
        for _ in range(2):
            assert request.send(connection, session) in (200, 201), request.path
    timings: dict[str, list[float]] = {name: [] for name in requests}
    for _ in range(rounds):
        for name, request in requests.items():
            samples = []
            for _ in range(repeat):
                start = time.perf_counter()
                status = request.send(connection, session)
                samples.append(time.perf_counter() - start)
                assert status in (200, 201), (request.path, status)
            timings[name].append(statistics.median(samples))
    connection.close()
    return timings


def summarise(timings: dict[str, list[float]], queries: dict[str, int]) -> dict:
    healthz, floor = timings["/healthz"], timings["floor"]
    pages = {}
    for name in ("floor", *PAGES):
        own = timings[name]
        pages[name] = {
            "median_ms": statistics.median(own) * 1000,
            "ratio_healthz": statistics.median(t / h for t, h in zip(own, healthz, strict=True)),
            "ratio_floor": statistics.median(t / f for t, f in zip(own, floor, strict=True)),
            "queries": queries[name],
        }
    return {
        "healthz_ms": statistics.median(healthz) * 1000,
        "floor_ms": statistics.median(floor) * 1000,
        "pages": pages,
    }


if __name__ == "__main__":
    sys.exit(main())
