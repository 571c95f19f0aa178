from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "sotclinic.patients"
    label = "patients"
