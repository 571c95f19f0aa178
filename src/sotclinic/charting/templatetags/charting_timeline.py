"""The chart's visit timeline rows, rendered in Python.

A page holds up to 25 rows of seven cells; through the template engine their variable lookups
and filters were most of the chart page's time, so the row markup lives here, once. Every value
from the database passes through ``escape``.
"""

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from sotclinic.data_text import shown
from sotclinic.exam.words import side_words

from ..selectors import TimelineRow

register = template.Library()


class _Words:
    """The page's words, each translated and escaped once, not once per row."""

    def __init__(self):
        suggested, signed, draft = gettext("(suggested)"), gettext("Signed"), gettext("Draft")
        self.suggested = f" <small>{escape(suggested)}</small>"
        self.signed = f'<span class="badge signed">{escape(signed)}</span>'
        self.draft = f'<span class="badge draft">{escape(draft)}</span>'
        self.categories: dict[tuple, str] = {}
        self.cleared: dict[tuple, str] = {}

    def category(self, row: TimelineRow) -> str:
        key = (row.category, row.side, row.category_is_suggestion)
        if key not in self.categories:
            self.categories[key] = self._category(row)
        return self.categories[key]

    def _category(self, row: TimelineRow) -> str:
        if not row.category:
            return "—"
        category = escape(row.category)
        side = escape(side_words(row.side))
        return f'<span class="cat cat-{category}">{category}</span> {side}' + (
            self.suggested if row.category_is_suggestion else ""
        )

    def indicators(self, cleared: list) -> str:
        key = tuple(cleared)
        if key not in self.cleared:
            self.cleared[key] = escape(", ".join(shown(c) for c in cleared)) if cleared else "—"
        return self.cleared[key]

    def note(self, row: TimelineRow) -> str:
        badge = self.signed if row.signed else self.draft
        if not row.addenda:
            return badge
        word = ngettext("addendum", "addenda", row.addenda)
        return f"{badge} <small>+{int(row.addenda)} {escape(word)}</small>"


@register.simple_tag
def timeline_rows(rows: list[TimelineRow], visit_url: str) -> SafeString:
    """The ``<tr>`` of each row: date (in the current time zone, as ``|date:"j M Y"``),
    practitioner, category, indicators cleared, pain, regions, note state."""
    months: dict[int, str] = {}
    words = _Words()
    url = escape(visit_url)
    html = []
    for row in rows:
        local = timezone.localtime(row.started_at)
        if local.month not in months:
            months[local.month] = MONTHS_3[local.month].title()
        day = f"{local.day} {months[local.month]} {local.year}"
        cleared = words.indicators(row.cleared)
        pain = "—" if row.pain is None else int(row.pain)
        html.append(
            f'<tr><td><a href="{url}{int(row.visit_id)}/">{escape(day)}</a></td>'
            f"<td>{escape(row.practitioner)}</td><td>{words.category(row)}</td><td>{cleared}</td>"
            f"<td>{pain}</td><td>{int(row.region_count)}</td><td>{words.note(row)}</td></tr>"
        )
    return mark_safe("\n".join(html))  # noqa: S308 (every value above is escaped)
