from django import template

from sotclinic.scheduling.models import Location

register = template.Library()


@register.simple_tag
def clinic_location():
    """The clinic's location, for public pages rendered outside the portal's own views."""
    return Location.objects.order_by("pk").first()
