"""The chart's visit timeline rows, rendered in Python.

A page holds up to 25 rows of seven cells; through the template engine their variable lookups
and filters were most of the chart page's time, so the row markup lives here, once.
"""

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from ..selectors import TimelineRow

register = template.Library()

ROW = (
    '<tr><td><a href="{}{}/">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
    "<td>{}</td><td>{}</td></tr>"
)
SIGNED = mark_safe('<span class="badge signed">Signed</span>')  # noqa: S308 (constant)
DRAFT = mark_safe('<span class="badge draft">Draft</span>')  # noqa: S308 (constant)


def _category(row: TimelineRow) -> SafeString | str:
    if not row.category:
        return "—"
    return format_html(
        '<span class="cat cat-{}">{}</span> {}{}',
        row.category,
        row.category,
        row.side,
        mark_safe(" <small>(suggested)</small>") if row.category_is_suggestion else "",  # noqa: S308
    )


def _note(row: TimelineRow) -> SafeString:
    if not row.addenda:
        return SIGNED if row.signed else DRAFT
    word = "addendum" if row.addenda == 1 else "addenda"
    return format_html(
        "{} <small>+{} {}</small>", SIGNED if row.signed else DRAFT, row.addenda, word
    )


@register.simple_tag
def timeline_rows(rows: list[TimelineRow], visit_url: str) -> SafeString:
    """The ``<tr>`` of each row: date (in the current time zone, as ``|date:"j M Y"``),
    practitioner, category, indicators cleared, pain, regions, note state."""
    months: dict[int, str] = {}

    def day(row: TimelineRow) -> str:
        local = timezone.localtime(row.started_at)
        if local.month not in months:
            months[local.month] = MONTHS_3[local.month].title()
        return f"{local.day} {months[local.month]} {local.year}"

    return format_html_join(
        "\n",
        ROW,
        (
            (
                visit_url,
                row.visit_id,
                day(row),
                row.practitioner,
                _category(row),
                ", ".join(row.cleared) or "—",
                "—" if row.pain is None else row.pain,
                row.region_count,
                _note(row),
            )
            for row in rows
        ),
    )
