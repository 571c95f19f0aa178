"""Diagnosis codes of a note: which code system, the format each system allows, titles to show.

A clinic codes diagnoses in one system (``ClinicSettings.diagnosis_codes``): ICD-10-CM in the
US, the WHO's ICD-10 elsewhere. A note stores each code with its system's FHIR URI
(``{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M54.50"}``), so the record keeps
saying which system it was coded in after the clinic changes its setting; a bare string, as
notes stored before systems were recorded hold, is an ICD-10-CM code (the only system then).

A code is checked for its system's format only: sotclinic ships no full code list. What a
search offers is the shipped ICD-10-CM subset (``data/icd10cm_chiropractic.json``, public
domain, CDC/NCHS) in an ICD-10-CM clinic, and the clinic's own list (``ClinicDiagnosisCode``)
in either system.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sotclinic.clinic_locale import CODE_SYSTEM_URIS, ICD10, ICD10CM

DATA_FILE = Path(__file__).resolve().parent / "data" / "icd10cm_chiropractic.json"

SYSTEM_NAMES = {ICD10CM: "ICD-10-CM", ICD10: "ICD-10"}
SYSTEM_BY_URI = {uri: system for system, uri in CODE_SYSTEM_URIS.items()}
# ICD-10-CM: a letter, two characters, then up to four after the dot (M54.50, S13.4XXA).
# ICD-10 (WHO): a letter, two digits, then at most two after the dot; one is the WHO's own,
# two allow national modifications such as ICD-10-GM (M54.16) and ICD-10-AM.
_FORMATS = {
    ICD10CM: re.compile(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?"),
    ICD10: re.compile(r"[A-Z][0-9]{2}(\.[0-9A-Z]{1,2})?"),
}
EXAMPLES = {ICD10CM: "M54.50", ICD10: "M54.5"}


@dataclass(frozen=True)
class DiagnosisCode:
    code: str
    title: str
    system: str = ICD10CM

    @property
    def system_uri(self) -> str:
        return CODE_SYSTEM_URIS[self.system]

    @property
    def system_name(self) -> str:
        return SYSTEM_NAMES[self.system]


@cache
def diagnosis_codes() -> dict[str, DiagnosisCode]:
    """Every shipped ICD-10-CM code, in file order, keyed by code."""
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return {entry["code"]: DiagnosisCode(entry["code"], entry["title"]) for entry in raw["codes"]}


def normalised(code: str) -> str:
    """A typed code as stored: no spaces, upper case (``m54.50 `` -> ``M54.50``)."""
    return "".join(str(code).split()).upper()


def is_well_formed(system: str, code: str) -> bool:
    return _FORMATS[system].fullmatch(code) is not None


def stored(system: str, code: str) -> dict[str, str]:
    """A code as a note stores it, with its system's URI."""
    return {"system": CODE_SYSTEM_URIS[system], "code": code}


def read_stored(entry: str | dict) -> tuple[str, str]:
    """(system, code) of a stored entry; a bare string is an ICD-10-CM code."""
    if isinstance(entry, str):
        return ICD10CM, entry
    return SYSTEM_BY_URI[entry["system"]], entry["code"]


def stored_codes(entries: list) -> list[str]:
    """The codes of a note's stored entries, for a form."""
    return [read_stored(entry)[1] for entry in entries or []]


def _clinic_titles(system: str) -> dict[str, str]:
    from .models import ClinicDiagnosisCode

    return dict(
        ClinicDiagnosisCode.objects.filter(system=system)
        .order_by("code")
        .values_list("code", "title")
    )


def titles(system: str) -> dict[str, str]:
    """Code -> title of what the clinic offers in ``system``: its own list wins over the
    shipped ICD-10-CM subset."""
    shipped = {c.code: c.title for c in diagnosis_codes().values()} if system == ICD10CM else {}
    return {**shipped, **_clinic_titles(system)}


def describe(entries: list) -> list[DiagnosisCode]:
    """A note's stored entries with their titles (empty for a code no list holds)."""
    known: dict[str, dict[str, str]] = {}
    described = []
    for entry in entries or []:
        system, code = read_stored(entry)
        if system not in known:
            known[system] = titles(system)
        described.append(DiagnosisCode(code, known[system].get(code, ""), system))
    return described


def resolve(typed: list[str], before: list, system: str) -> tuple[list[dict], list[str]]:
    """The entries a note stores for the codes ``typed`` on its form, and the malformed ones.

    A code the note already held keeps the system it was stored with; a new one is coded in
    ``system`` (the clinic's) and must have that system's format. Duplicates are dropped.
    """
    held = {}
    for entry in before or []:
        entry_system, code = read_stored(entry)
        held.setdefault(code, entry_system)
    entries, malformed, seen = [], [], set()
    for raw in typed:
        code = normalised(raw)
        if not code or code in seen:
            continue
        seen.add(code)
        code_system = held.get(code, system)
        if code not in held and not is_well_formed(system, code):
            malformed.append(code)
            continue
        entries.append(stored(code_system, code))
    return entries, malformed


def search_diagnosis_codes(query: str, system: str = ICD10CM, limit: int = 20) -> list:
    """Codes of ``system`` whose code starts with the query or whose title holds every word of
    it; a well-formed code typed in full that no list holds comes first, to use as typed."""
    words = query.lower().split()
    if not words:
        return []
    offered = [DiagnosisCode(code, title, system) for code, title in titles(system).items()]
    needle = normalised(query)
    by_code = [c for c in offered if c.code.upper().startswith(needle)]
    by_title = [
        c for c in offered if c not in by_code and all(word in c.title.lower() for word in words)
    ]
    typed = []
    if is_well_formed(system, needle) and all(c.code != needle for c in offered):
        typed = [DiagnosisCode(needle, "", system)]
    return (typed + by_code + by_title)[:limit]
