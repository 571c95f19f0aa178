from django.apps import AppConfig


class ExamConfig(AppConfig):
    name = "sotclinic.exam"
    label = "exam"
    verbose_name = "SOT exam"
