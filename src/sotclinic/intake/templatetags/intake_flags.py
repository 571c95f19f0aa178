from django import template

from ..selectors import open_red_flags as _open_red_flags

register = template.Library()


@register.simple_tag
def open_red_flags(patient):
    """``{% open_red_flags patient as flags %}``: the patient's unhandled red flags (none read
    when the page loaded the patient ``with_red_flag_state`` and there are none)."""
    if patient is None or getattr(patient, "has_open_red_flags", True) is False:
        return []
    return list(_open_red_flags(patient))
