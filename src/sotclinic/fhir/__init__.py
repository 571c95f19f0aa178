"""The clinic's records as FHIR R4 resources, and the exports built from them.

``codes`` holds the code mappings and sotclinic's own code and identifier systems;
``resources`` maps the apps' rows to FHIR resources (built and validated with fhir.resources,
R4B models); ``search`` finds the resources of each type; ``compartment`` is the one place that
gathers the resources of a set of patients; ``models``, ``services`` and ``tasks`` are the bulk
exports (FHIR Bulk Data ``$export``) and a patient's own record download. The HTTP side is
``sotclinic.api.fhir`` (integrators) and ``sotclinic.portal`` (patients).
"""
