"""One patient's scores over time with the MCID band, drawn with matplotlib as SVG."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display on a server

from django.utils.translation import gettext as _  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .selectors import Trend  # noqa: E402


def trend_svg(trend: Trend) -> bytes:
    """An SVG line chart of the trend. The shaded band spans the baseline ± the instrument's
    MCID in points: a score outside it has changed by at least the minimal important amount."""
    instrument = trend.instrument
    figure = Figure(figsize=(7.2, 3.4), dpi=100)
    axes = figure.subplots()
    dates = [p.response.administered_at for p in trend.points]
    scores = [p.response.score for p in trend.points]
    baseline = trend.baseline
    mcid = instrument.mcid
    if baseline is not None and mcid.applicable and mcid.points:
        low = max(instrument.score_min, baseline.score - mcid.points)
        high = min(instrument.score_max, baseline.score + mcid.points)
        axes.axhspan(
            low,
            high,
            color="#1f5f8b",
            alpha=0.12,
            lw=0,
            label=_("Baseline ± MCID (%(points)s points)") % {"points": f"{mcid.points:g}"},
        )
        axes.axhline(baseline.score, color="#1f5f8b", lw=0.8, ls="--", label=_("Baseline"))
    axes.plot(dates, scores, marker="o", color="#1d2430", lw=1.6, label=instrument.short_title)
    for date, value in zip(dates, scores, strict=True):
        axes.annotate(
            f"{value:g}",
            (date, value),
            textcoords="offset points",
            xytext=(0, 7),
            ha="center",
            fontsize=8,
        )
    margin = (instrument.score_max - instrument.score_min) * 0.06
    axes.set_ylim(instrument.score_min - margin, instrument.score_max + margin)
    worse = "higher is worse" if instrument.direction == "higher_is_worse" else "higher is better"
    axes.set_ylabel(f"score ({worse})", fontsize=9)
    axes.grid(axis="y", color="#d9dde3", lw=0.6)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=8)
    figure.autofmt_xdate()
    axes.legend(fontsize=8, loc="best", frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
