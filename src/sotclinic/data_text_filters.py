"""Template filters for texts from data files (built-ins, see settings).

``{{ finding.title|shown }}`` shows a stored data text in the page's language;
``instrument.language|other_language`` tells a questionnaire kept in its source's language.
"""

from django import template
from django.utils.translation import get_language

from sotclinic.data_text import shown

register = template.Library()
register.filter("shown", shown)


@register.filter
def other_language(language: str) -> bool:
    """True when ``language`` (e.g. an instrument's "en-GB") is not the page's language."""
    page = (get_language() or "").lower().split("-")[0]
    return language.lower().split("-")[0] != page
