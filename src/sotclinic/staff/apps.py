from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "sotclinic.staff"
    label = "staff"
