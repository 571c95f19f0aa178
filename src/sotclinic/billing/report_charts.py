"""The practice reports' charts, drawn with matplotlib as SVG (as outcomes.charts does).

Amounts stay integer minor units: the axis labels are written by ``format_money``."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display on a server

from django.utils.translation import gettext as _  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, PercentFormatter  # noqa: E402

from sotclinic.money import format_money  # noqa: E402

from .reports import AgeingReport, AttendanceMonth, RevenueReport  # noqa: E402

INK, ACCENT, SOFT = "#1d2430", "#1f5f8b", "#d9dde3"


def _figure():
    figure = Figure(figsize=(7.2, 3.2), dpi=100)
    axes = figure.subplots()
    axes.grid(axis="y", color=SOFT, lw=0.6)
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=8)
    return figure, axes


def _svg(figure) -> bytes:
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def _money_axis(axes, currency: str) -> None:
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_money(int(v), currency)))


def revenue_svg(report: RevenueReport, currency: str) -> bytes:
    """Revenue per month as bars, payments received as a line."""
    figure, axes = _figure()
    labels = [m.month.strftime("%Y-%m") for m in report.months]
    positions = range(len(labels))
    axes.bar(positions, [m.revenue for m in report.months], color=ACCENT, label=_("Revenue"))
    axes.plot(
        positions,
        [m.payments for m in report.months],
        color=INK,
        marker="o",
        lw=1.4,
        label=_("Payments received"),
    )
    axes.set_xticks(list(positions), labels, rotation=45, ha="right")
    _money_axis(axes, currency)
    axes.legend(fontsize=8, frameon=False, loc="upper left")
    return _svg(figure)


def ageing_svg(report: AgeingReport, currency: str) -> bytes:
    """What is owed per age band."""
    figure, axes = _figure()
    labels = [_("0–30 days"), _("31–60 days"), _("61–90 days"), _("over 90 days")]
    axes.bar(labels, list(report.totals), color=[ACCENT, ACCENT, "#b7791f", "#9b2c2c"])
    _money_axis(axes, currency)
    return _svg(figure)


def attendance_svg(months: list[AttendanceMonth]) -> bytes:
    """No-show and late-cancellation rates per month."""
    figure, axes = _figure()
    labels = [m.month.strftime("%Y-%m") for m in months]
    positions = list(range(len(labels)))
    no_show = [m.no_shows / m.booked if m.booked else 0 for m in months]
    late = [m.late_cancellations / m.booked if m.booked else 0 for m in months]
    axes.plot(positions, no_show, color="#9b2c2c", marker="o", lw=1.4, label=_("No-shows"))
    axes.plot(positions, late, color=ACCENT, marker="s", lw=1.4, label=_("Late cancellations"))
    axes.set_xticks(positions, labels, rotation=45, ha="right")
    axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes.set_ylim(bottom=0)
    axes.legend(fontsize=8, frameon=False, loc="upper left")
    return _svg(figure)
