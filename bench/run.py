"""Benchmarks: `make bench` (SQLite) or `DATABASE_URL=postgres://… make bench`.

Each benchmark module `bench/bench_*.py` defines `setup() -> dict` (creates its data in a fresh
database) and `cases(ctx) -> list[tuple[str, Callable[[], object]]]`. Every case is timed in
rounds interleaved with a baseline — a trivial Django view that reads one row, served through
the same middleware stack — and reported as median latency and as the median of the per-round
ratios case/baseline, so a noisy shared machine shifts both alike.

Options: `--only NAME` (module name), `--rounds N`, `--json PATH`.
"""

import argparse
import importlib
import json
import os
import pkgutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

if not os.environ.get("DATABASE_URL"):
    _tmp = tempfile.mkdtemp(prefix="sotclinic-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{_tmp}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402


def time_call(fn, repeat: int) -> float:
    """Median seconds of `repeat` calls."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def baseline_client() -> Client:
    return Client()


def run_case(name: str, fn, baseline, rounds: int, repeat: int) -> dict:
    for _ in range(3):  # warm caches and connections
        fn()
        baseline()
    case_times, base_times, ratios = [], [], []
    for _ in range(rounds):
        b = time_call(baseline, repeat)
        c = time_call(fn, repeat)
        base_times.append(b)
        case_times.append(c)
        ratios.append(c / b)
    return {
        "case": name,
        "median_ms": round(statistics.median(case_times) * 1000, 3),
        "baseline_median_ms": round(statistics.median(base_times) * 1000, 3),
        "ratio_median": round(statistics.median(ratios), 2),
        "ratio_min": round(min(ratios), 2),
        "ratio_max": round(max(ratios), 2),
        "rounds": rounds,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    call_command("migrate", verbosity=0, interactive=False)
    from bench.urls import make_baseline_row

    row_id = make_baseline_row()
    client = baseline_client()

    def baseline():
        response = client.get(f"/bench/trivial/{row_id}")
        assert response.status_code == 200

    modules = sorted(
        m.name for m in pkgutil.iter_modules([str(BENCH_DIR)]) if m.name.startswith("bench_")
    )
    if args.only:
        modules = [m for m in modules if m in args.only or m.removeprefix("bench_") in args.only]
    print(f"database: {connection.vendor}; rounds {args.rounds} x {args.repeat} calls")
    results = []
    for module_name in modules:
        module = importlib.import_module(f"bench.{module_name}")
        ctx = module.setup()
        for name, fn in module.cases(ctx):
            result = run_case(f"{module_name}:{name}", fn, baseline, args.rounds, args.repeat)
            result["database"] = connection.vendor
            results.append(result)
            print(
                f"{result['case']:<50} median {result['median_ms']:>8.2f} ms  "
                f"baseline {result['baseline_median_ms']:>6.2f} ms  "
                f"ratio {result['ratio_median']:>5.2f} "
                f"(min {result['ratio_min']}, max {result['ratio_max']})"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
