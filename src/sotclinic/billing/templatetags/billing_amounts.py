"""``{{ amount|major:currency }}``: minor units shown in major units (4550 → 45.50)."""

from django import template

from sotclinic.billing.amounts import to_major

register = template.Library()


@register.filter
def major(amount, currency):
    if amount is None or not currency:
        return ""
    return to_major(int(amount), currency)
