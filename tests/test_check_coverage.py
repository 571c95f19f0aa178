"""The coverage gate's rules: files at 100% stay there, and the list of others only shrinks."""

import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "check_coverage", Path(__file__).resolve().parent.parent / "tools" / "check_coverage.py"
)
check_coverage = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_coverage)

FULL = {"covered_lines": 10, "num_statements": 10, "covered_branches": 4, "num_branches": 4}
PARTIAL_BRANCH = {**FULL, "covered_branches": 3, "missing_branches": 1}
PARTIAL = {**PARTIAL_BRANCH, "percent_covered_display": "93", "missing_lines": 0}


def test_full_files_off_the_list_and_partial_files_on_it_pass():
    files = {"src/a.py": FULL, "src/b.py": PARTIAL}

    assert check_coverage.problems(100.0, files, {"src/b.py"}) == []


def test_a_file_off_the_list_that_misses_one_branch_fails():
    found = check_coverage.problems(100.0, {"src/b.py": PARTIAL}, set())

    assert len(found) == 1 and "src/b.py is no longer fully covered" in found[0]


def test_a_listed_file_that_reached_full_coverage_is_named_without_failing():
    files = {"src/a.py": FULL, "src/b.py": PARTIAL}

    assert check_coverage.problems(100.0, files, {"src/a.py", "src/b.py"}) == []
    assert check_coverage.now_fully_covered(files, {"src/a.py", "src/b.py"}) == ["src/a.py"]


def test_a_listed_file_that_no_longer_exists_must_leave_the_list():
    found = check_coverage.problems(100.0, {}, {"src/gone.py"})

    assert len(found) == 1 and "src/gone.py is not measured" in found[0]


def test_a_total_under_the_minimum_fails():
    found = check_coverage.problems(check_coverage.MINIMUM_PERCENT - 0.01, {}, set())

    assert len(found) == 1 and "under the minimum" in found[0]
