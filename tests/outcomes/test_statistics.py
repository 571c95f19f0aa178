import pytest

from sotclinic.outcomes.statistics import median, wilson_interval


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Newcombe RG, Stat Med 1998;17:857-872, Table I (method 3, Wilson score).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (29, 29, 0.8830, 1.0),
    ],
)
def test_wilson_interval_matches_published_values(successes, n, low, high):
    result = wilson_interval(successes, n)

    assert result == pytest.approx((low, high), abs=1e-4)


def test_wilson_interval_of_no_patients_is_none():
    assert wilson_interval(0, 0) is None


@pytest.mark.parametrize(("successes", "n"), [(3, 2), (-1, 5), (1, -1)])
def test_wilson_interval_refuses_impossible_counts(successes, n):
    with pytest.raises(ValueError):
        wilson_interval(successes, n)


def test_median_of_odd_even_and_empty():
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 2, 3]) == 2.5
    assert median([]) is None
