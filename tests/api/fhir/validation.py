"""Served FHIR JSON read back through fhir.resources (R4B): every body must validate."""

from fhir.resources.R4B import get_fhir_model_class


def validated(body: dict):
    """The body as a fhir.resources model; pydantic's ValidationError if it breaks FHIR."""
    return get_fhir_model_class(body["resourceType"]).model_validate(body)
