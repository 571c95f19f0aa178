"""Billing rows for tests: services, schedules and fees in a clinic of a given currency."""

import itertools

from sotclinic.billing.models import Fee, FeeSchedule, Service
from sotclinic.scheduling.models import ClinicSettings

_seq = itertools.count(1)


def set_clinic_currency(currency: str) -> None:
    settings = ClinicSettings.load()
    settings.currency = currency
    # The tests' US clinic keeps its books in dollars and bills with US codes; the others not.
    settings.us_billing_codes = currency == "USD"
    settings.save()


def make_service(code: str = "", code_system: str = "clinic", **extra) -> Service:
    name = extra.pop("name", f"Service {next(_seq)}")
    return Service.objects.create(name=name, code=code, code_system=code_system, **extra)


def make_schedule(currency: str = "GBP", location=None, **extra) -> FeeSchedule:
    name = extra.pop("name", f"Schedule {next(_seq)}")
    return FeeSchedule.objects.create(name=name, currency=currency, location=location, **extra)


def price(service: Service, amount: int, schedule: FeeSchedule) -> Fee:
    return Fee.objects.create(service=service, schedule=schedule, amount=amount)
