from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamConfig(AppConfig):
    name = "sotclinic.exam"
    label = "exam"
    verbose_name = _("SOT exam")

    def ready(self):
        from sotclinic import sot
        from sotclinic.data_text import register_variants

        from .screening import register_shown_flag_explanation

        register_variants(sot.text_variants())
        register_shown_flag_explanation()
