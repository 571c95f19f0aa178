from django import template

from sotclinic.exam.screen import build_exam_screen
from sotclinic.exam.selectors import current_protocol_table

register = template.Library()


@register.simple_tag
def exam_screen_for(state, prefix="exam"):
    """The exam screen's content, for pages that include ``exam/_exam.html`` directly."""
    return build_exam_screen(state, prefix or "exam", current_protocol_table())
