from django import template

from ..selectors import open_red_flags as _open_red_flags

register = template.Library()


@register.simple_tag
def open_red_flags(patient):
    """``{% open_red_flags patient as flags %}``: the patient's unhandled red flags."""
    if patient is None:
        return []
    return list(_open_red_flags(patient))
