"""Pure statistics for the outcomes dashboard (no Django)."""

from __future__ import annotations

import math
from collections.abc import Sequence

Z_95 = 1.959963984540054  # two-sided 95 % normal quantile


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """Wilson score interval for a proportion ``successes / n`` (95 % by default).

    Wilson EB, J Am Stat Assoc 1927;22:209-212; recommended over the Wald interval for small
    samples and proportions near 0 or 1 (Brown, Cai, DasGupta, Stat Sci 2001;16:101-133).
    Returns None when ``n`` is 0 (no proportion to estimate).
    """
    if isinstance(successes, bool) or isinstance(n, bool):
        raise TypeError("successes and n must be whole numbers")
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return None
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def median(values: Sequence[float]) -> float | None:
    """The median, or None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2
