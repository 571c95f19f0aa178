from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "sotclinic.fhir"
    label = "fhir"
    verbose_name = "FHIR records and exports"
