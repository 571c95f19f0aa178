"""The clinic's price list in the back office, beside its other settings: services, fee
schedules with their fees, packages, membership plans and licensed code descriptors.

Prices are typed in major units (45.50) and stored in minor units (4550) of the schedule's
currency (``billing.amounts``)."""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from sotclinic.accounts.admin_site import ReadOnlyAdmin
from sotclinic.audit.admin import PatientAccessAdmin

from .amounts import to_major, to_minor
from .errors import BillingError
from .models import (
    CodeDescriptor,
    Fee,
    FeeSchedule,
    Membership,
    MembershipPlan,
    PackageProduct,
    PatientPackage,
    Service,
)


def price_field(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=3,
        help_text=_("In the currency, e.g. 45.00."),
        error_messages={"min_value": _("A price cannot be negative.")},
    )


def minor_or_error(form, field: str, major, currency: str | None) -> int | None:
    """The typed price in minor units, or None with the reason shown on the field."""
    if major is None or not currency:
        return None
    try:
        return to_minor(major, currency)
    except BillingError as error:
        form.add_error(field, error.message)
        return None


class FeeForm(forms.ModelForm):
    price = price_field(_("price"))
    currency: str | None = None  # set by the formset from its schedule

    class Meta:
        model = Fee
        fields = ["service", "price"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["price"].initial = to_major(
                self.instance.amount, self.instance.schedule.currency
            )

    def clean(self):
        data = super().clean()
        amount = minor_or_error(self, "price", data.get("price"), self.currency)
        if amount is not None:
            self.instance.amount = amount
        return data


class FeeFormSet(forms.BaseInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.currency = self.instance.currency
        return form

    @property
    def empty_form(self):
        form = super().empty_form
        form.currency = self.instance.currency
        return form


class FeeInline(admin.TabularInline):
    model = Fee
    form = FeeForm
    formset = FeeFormSet
    extra = 1
    autocomplete_fields = ["service"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "code_system",
        "suggest_for",
        "default_modifiers",
        "tax_treatment",
        "active",
    )
    list_filter = ("code_system", "suggest_for", "tax_treatment", "active")
    search_fields = ("code", "name")


@admin.register(FeeSchedule)
class FeeScheduleAdmin(admin.ModelAdmin):
    list_display = ("name", "location", "currency", "active")
    list_filter = ("active", "currency")
    inlines = [FeeInline]


class PackageProductForm(forms.ModelForm):
    price_major = price_field(_("price"))

    class Meta:
        model = PackageProduct
        fields = ["name", "visits", "price_major", "currency", "validity_days", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["price_major"].initial = to_major(
                self.instance.price, self.instance.currency
            )

    def clean(self):
        data = super().clean()
        amount = minor_or_error(self, "price_major", data.get("price_major"), data.get("currency"))
        if amount is not None:
            self.instance.price = amount
        return data


@admin.register(PackageProduct)
class PackageProductAdmin(admin.ModelAdmin):
    form = PackageProductForm
    list_display = ("name", "visits", "currency", "validity_days", "active")


class MembershipPlanForm(forms.ModelForm):
    fee_major = price_field(_("monthly fee"))

    class Meta:
        model = MembershipPlan
        fields = ["name", "fee_major", "currency", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["fee_major"].initial = to_major(
                self.instance.monthly_fee, self.instance.currency
            )

    def clean(self):
        data = super().clean()
        amount = minor_or_error(self, "fee_major", data.get("fee_major"), data.get("currency"))
        if amount is not None:
            self.instance.monthly_fee = amount
        return data


@admin.register(MembershipPlan)
class MembershipPlanAdmin(admin.ModelAdmin):
    form = MembershipPlanForm
    list_display = ("name", "currency", "active")


@admin.register(CodeDescriptor)
class CodeDescriptorAdmin(admin.ModelAdmin):
    list_display = ("code_system", "code", "descriptor", "source")
    list_filter = ("code_system",)
    search_fields = ("code", "descriptor")


@admin.register(PatientPackage)
class PatientPackageAdmin(ReadOnlyAdmin, PatientAccessAdmin):
    """Sold and redeemed on the staff pages, through the services; looked at here."""

    list_display = ("patient", "name", "visits_total", "visits_used", "sold_on", "expires_on")
    raw_id_fields = ("patient",)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin, PatientAccessAdmin):
    list_display = ("patient", "plan", "started_on", "ended_on")
    raw_id_fields = ("patient",)
