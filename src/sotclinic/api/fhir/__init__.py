"""FHIR R4 under /fhir/R4/: resources built and validated with fhir.resources (R4B models).

``scopes`` (no Django import: the settings read it) names what a token may read;
``codes`` holds the code mappings and sotclinic's own code and identifier systems;
``resources`` maps the apps' rows to FHIR resources; ``search`` reads the search parameters;
``views`` answers HTTP; ``access`` checks the bearer token and writes the access log.
"""
