"""The one place that gathers patients' resources: the Patient compartment of each type, read
in batches of patients so that an export of any size keeps memory flat and runs a fixed number
of queries per batch (never per row). Used by the Bulk Data ``$export`` and by a patient's own
record download."""

from __future__ import annotations

from collections.abc import Iterator

from sotclinic.patients.selectors import patient_records

from .search import KINDS, Hit, Search

# Every type served, in the CapabilityStatement's order.
ALL_TYPES = tuple(KINDS)
# The types that hold one patient's data: the patient and what refers to them.
PATIENT_TYPES = tuple(t for t in ALL_TYPES if t == "Patient" or KINDS[t].patient_param)


def patient_id_batches(size: int, patient_ids: list[int] | None = None) -> Iterator[list[int]]:
    """The ids of ``patient_ids`` (every patient when None), ``size`` at a time, in id order;
    one query per batch (keyset paging, so no offset scan)."""
    rows = patient_records()
    if patient_ids is not None:
        rows = rows.filter(pk__in=patient_ids)
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).values_list("pk", flat=True)[:size])
        if not batch:
            return
        yield batch
        last = batch[-1]


def resource_batches(
    resource_type: str, size: int, patient_ids: list[int] | None = None
) -> Iterator[list[Hit]]:
    """The resources of ``resource_type`` for ``patient_ids`` (every patient when None), one
    list per batch of ``size`` patients; the clinic's own types (practitioners, locations,
    questionnaires) in one list, as they hold no patient's data."""
    kind = KINDS[resource_type]
    if resource_type not in PATIENT_TYPES:
        yield kind.find(Search())
        return
    for batch in patient_id_batches(size, patient_ids):
        yield kind.find(Search(patients=batch))


def patient_resources(patient_id: int) -> Iterator[object]:
    """Every resource of one patient's record, type by type."""
    for resource_type in PATIENT_TYPES:
        for hits in resource_batches(resource_type, 1, [patient_id]):
            for hit in hits:
                yield hit.resource
