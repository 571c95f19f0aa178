from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "sotclinic.billing"
    label = "billing"
    verbose_name = _("Billing and care plans")

    def ready(self) -> None:
        from sotclinic.charting.models import Note
        from sotclinic.charting.signals import note_signed

        from .care_plans import follows_a_care_plan
        from .charges import add_active_care_check, suggest_charges_for_signed_note

        add_active_care_check(follows_a_care_plan)

        note_signed.connect(
            suggest_charges_for_signed_note, sender=Note, dispatch_uid="billing-suggest-charges"
        )
