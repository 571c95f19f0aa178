"""What a service costs: the fee lookup every charge uses."""

from django.db.models import Q
from django.utils.translation import gettext as _

from sotclinic.scheduling.models import Location

from .errors import BillingError
from .models import Fee, Service


class NoFee(BillingError):
    """No active schedule in the currency holds a price for the service."""


def fee_for(service: Service, *, location: Location | None, currency: str) -> Fee:
    """The service's fee in the active schedule of ``location`` in ``currency``, else in the
    clinic-wide active schedule in that currency.

    Raises NoFee with a message naming the service when neither holds a price."""
    fees = Fee.objects.select_related("schedule").filter(
        service=service, schedule__active=True, schedule__currency=currency
    )
    if location is not None:
        fees = fees.filter(Q(schedule__location=location) | Q(schedule__location__isnull=True))
    else:
        fees = fees.filter(schedule__location__isnull=True)
    # The location's own schedule first (a NULL location sorts after a set one here).
    found = sorted(fees, key=lambda fee: fee.schedule.location_id is None)
    if not found:
        raise NoFee(
            _("%(service)s has no price in %(currency)s%(where)s. Add it to the fee schedule.")
            % {
                "service": service,
                "currency": currency,
                "where": _(" for %(location)s") % {"location": location} if location else "",
            }
        )
    return found[0]
