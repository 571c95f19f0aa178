"""Booking writers beside chart readers on SQLite, over HTTP against `sotclinic serve`.

SQLite has one write lock: a booking that held it while computing free slots made every other
writer queue behind it. This generates the practice (`bench/practice.py`) in a fresh SQLite
file, starts the server as a clinic runs it (`sotclinic serve`'s default 2 workers × 4 threads
unless told) and measures, one after the other:

1. one writer alone: POST /api/v1/bookings, a new patient each time, one after another, each
   on a new connection as the writers below (its median is the reference);
2. the readers alone: ``--readers`` clients, each in a process of its own, reading the chart of
   200 visits as fast as the server answers, for ``--seconds`` (their throughput is the
   reference);
3. both at once: ``--writers`` writers, each booking, then pausing a random time (exponential,
   mean ``--think`` seconds, like people clicking "book"), beside the same readers.

It prints the errors (any answer other than 201 / 200), the writers' p50 and p95 against the
single writer's p50, and the readers' throughput against theirs alone. ``--think 0`` makes the
writers a closed loop (each books again as soon as answered): on a machine with few cores that
measures the CPU, not the lock. Never pass/fail: no figure here is a threshold.

    python bench/writers.py                           # 16 writers, 2 readers, 1× practice
    python bench/writers.py --scale 0.1 --seconds 10  # quicker
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from http.client import HTTPConnection
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--think", type=float, default=0.5, help="writers' mean pause (s)")
    parser.add_argument("--solo", type=int, default=60, help="bookings by the single writer")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="sotclinic-writers-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/writers.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    from bench.pages import SERVER_ENVIRONMENT

    os.environ.update(SERVER_ENVIRONMENT)  # every writer is one client address
    os.environ["SOTCLINIC_VAR_DIR"] = tmp
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.pages import running_server, signed_in_session
    from bench.practice import Size, generate

    call_command("migrate", verbosity=0, interactive=False)
    size = Size().times(args.scale)
    started = time.perf_counter()
    practice = generate(size)
    print(f"  generated {size} in {time.perf_counter() - started:.0f} s", flush=True)
    session = signed_in_session(practice.staff)
    bookings = Bookings(practice)
    chart = f"/staff/patients/{practice.chart_patient.pk}/chart/"
    connection.close()

    with running_server(tmp, args.workers, args.threads) as port:
        for _ in range(3):  # warm every worker: imports, templates, caches
            Client(port, session).get(chart)
            Client(port, session).post(bookings.next())
        # The reference books as the writers do: with a pause, each booking on a new
        # connection, so the single writer pays that too.
        solo = Writer(port, session, bookings, think=0, new_connections=args.think > 0)
        for _ in range(args.solo):
            solo.book_once()
        readers_alone = run_readers(port, session, chart, args.readers, args.seconds)
        stop = threading.Event()
        writers = [Writer(port, session, bookings, args.think, stop) for _ in range(args.writers)]
        writer_threads = [threading.Thread(target=w.run) for w in writers]
        for thread in writer_threads:
            thread.start()
        readers_mixed = run_readers(port, session, chart, args.readers, args.seconds)
        stop.set()
        for thread in writer_threads:
            thread.join()

    latencies = [t for w in writers for t in w.latencies]
    result = {
        "server": f"{args.workers} workers × {args.threads} threads",
        "rows": str(size),
        "writers": args.writers,
        "think_s": args.think,
        "readers": args.readers,
        "seconds": args.seconds,
        "single_writer_p50_ms": percentile(solo.latencies, 50) * 1000,
        "single_writer_errors": solo.errors,
        "bookings": len(latencies),
        "writers_p50_ms": percentile(latencies, 50) * 1000,
        "writers_p95_ms": percentile(latencies, 95) * 1000,
        "writer_errors": sum(w.errors for w in writers),
        "writer_error_statuses": sorted(s for w in [solo, *writers] for s in w.statuses),
        "readers_alone_per_s": readers_alone["per_s"],
        "readers_with_writers_per_s": readers_mixed["per_s"],
        "reader_errors": readers_alone["errors"] + readers_mixed["errors"],
    }
    result["writers_p95_vs_single_p50"] = result["writers_p95_ms"] / result["single_writer_p50_ms"]
    result["readers_vs_alone"] = (  # --readers 0: the writers alone, no ratio
        result["readers_with_writers_per_s"] / result["readers_alone_per_s"]
        if result["readers_alone_per_s"]
        else float("nan")
    )
    report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def report(r: dict) -> None:
    print(
        f"\nSQLite, {r['rows']}; server {r['server']}\n"
        f"  single writer:  p50 {r['single_writer_p50_ms']:.1f} ms"
        f" ({r['single_writer_errors']} errors)\n"
        f"  {r['writers']} writers (mean pause {r['think_s']:g} s) beside {r['readers']} readers,"
        f" {r['seconds']:g} s: {r['bookings']} bookings, {r['writer_errors']} errors"
        f" {r['writer_error_statuses'] or ''},\n"
        f"    p50 {r['writers_p50_ms']:.1f} ms, p95 {r['writers_p95_ms']:.1f} ms"
        f" = {r['writers_p95_vs_single_p50']:.2f}× the single writer's p50\n"
        f"  readers (chart, 200 visits): {r['readers_alone_per_s']:.1f} req/s alone,"
        f" {r['readers_with_writers_per_s']:.1f} req/s beside the writers"
        f" = {r['readers_vs_alone']:.2f}× ({r['reader_errors']} errors)"
    )


class Bookings:
    """Booking bodies for distinct free slots, handed out to any thread."""

    def __init__(self, practice):
        from django.utils import timezone

        from bench.practice import DAYS_AHEAD
        from sotclinic.scheduling.selectors import free_slots

        first_day = timezone.now().date() + dt.timedelta(days=DAYS_AHEAD + 2)
        apart, busy_until = [], {}
        for slot in free_slots(practice.kind, first_day, 30):
            if slot.start >= busy_until.get(slot.practitioner_id, slot.start):
                apart.append(slot)
                busy_until[slot.practitioner_id] = slot.start + dt.timedelta(minutes=30)
        random.Random(16).shuffle(apart)  # writers spread over practitioners and days
        self.slots, self.kind = iter(apart), practice.kind.pk
        self.counter, self.lock = itertools.count(), threading.Lock()

    def next(self) -> dict:
        with self.lock:
            n, slot = next(self.counter), next(self.slots)
        return {
            "appointment_type": self.kind,
            "practitioner": slot.practitioner_id,
            "start": slot.start.isoformat(),
            "first_name": "Bench",
            "last_name": f"Writer{n}",
            "email": f"writer{n}@example.com",
            "phone": "+44 117 496 0123",
            "date_of_birth": "1980-01-01",
            "consent": True,
        }


class Client:
    """One keep-alive connection; the status of each request, or 0 when the connection
    failed (then a new connection is opened)."""

    def __init__(self, port: int, session: str):
        self.port, self.session = port, session
        self.connection = HTTPConnection("127.0.0.1", port, timeout=120)

    def _send(self, method: str, path: str, body: str | None, headers: dict) -> int:
        headers = {"Cookie": f"sessionid={self.session}", "Host": "127.0.0.1", **headers}
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
            response.read()
            return response.status
        except OSError:
            self.reconnect()
            return 0

    def reconnect(self) -> None:
        self.connection.close()
        self.connection = HTTPConnection("127.0.0.1", self.port, timeout=120)

    def get(self, path: str) -> int:
        return self._send("GET", path, None, {})

    def post(self, body: dict) -> int:
        headers = {"Content-Type": "application/json"}
        return self._send("POST", "/api/v1/bookings", json.dumps(body), headers)


class Writer:
    def __init__(
        self, port, session, bookings: Bookings, think: float, stop=None, new_connections=None
    ):
        self.client, self.bookings, self.think = Client(port, session), bookings, think
        # A person's next booking comes on a new connection: an idle one outlives the server's
        # keep-alive (gunicorn: 2 s) and would fail as a lost connection.
        self.new_connections = bool(think) if new_connections is None else new_connections
        self.stop = stop or threading.Event()
        self.random = random.Random()
        self.latencies: list[float] = []
        self.errors = 0
        self.statuses: list[int] = []  # the other answers than 201 (0: connection lost)

    def book_once(self) -> None:
        body = self.bookings.next()
        start = time.perf_counter()
        status = self.client.post(body)
        self.latencies.append(time.perf_counter() - start)
        if self.new_connections:
            self.client.connection.close()
        if status != 201:
            self.errors += 1
            self.statuses.append(status)

    def run(self) -> None:
        # Start spread out, as people do, rather than all in the same millisecond.
        self.stop.wait(self.random.uniform(0, self.think))
        while not self.stop.is_set():
            self.book_once()
            if self.think:
                self.stop.wait(self.random.expovariate(1 / self.think))


# A reader's keep-alive connection stays with the server worker that accepted it. Kept for a
# whole run, the two readers shared one worker in some runs and had one each in others, and
# their throughput alone differed by 2× from run to run; a new connection now and then spreads
# them over the workers as the kernel hands connections out.
RECONNECT_EVERY = 20


def run_readers(port: int, session: str, path: str, count: int, seconds: float) -> dict:
    """``count`` clients reading ``path`` as fast as answered for ``seconds``, each in a process
    of its own: in this one they would take the interpreter lock from the writers' threads, and
    the time a writer's answer waits for it would count as the server's."""
    if not count:  # --readers 0: the writers alone, for as long
        time.sleep(seconds)
        return {"per_s": 0.0, "errors": 0}
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    start_at = time.time() + 2.0  # once every process has started
    processes = [
        context.Process(target=_read, args=(port, session, path, start_at, seconds, results))
        for _ in range(count)
    ]
    for process in processes:
        process.start()
    counts = [results.get(timeout=seconds + 120) for _ in processes]
    for process in processes:
        process.join()
    return {
        "per_s": sum(done for done, _ in counts) / seconds,
        "errors": sum(errors for _, errors in counts),
    }


def _read(port: int, session: str, path: str, start_at: float, seconds: float, results) -> None:
    """One reader (in its own process): from ``start_at`` for ``seconds``, then put
    (requests done, errors) on ``results``."""
    time.sleep(max(0.0, start_at - time.time()))
    client = Client(port, session)
    done = errors = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        status = client.get(path)
        done += 1
        errors += status != 200
        if done % RECONNECT_EVERY == 0:
            client.reconnect()
    results.put((done, errors))


if __name__ == "__main__":
    sys.exit(main())
