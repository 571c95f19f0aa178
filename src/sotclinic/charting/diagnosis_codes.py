"""The shipped ICD-10-CM subset (public domain, CDC/NCHS) and search over it."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "icd10cm_chiropractic.json"


@dataclass(frozen=True)
class DiagnosisCode:
    code: str
    title: str


@cache
def diagnosis_codes() -> dict[str, DiagnosisCode]:
    """Every shipped code, in file order, keyed by code."""
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return {entry["code"]: DiagnosisCode(entry["code"], entry["title"]) for entry in raw["codes"]}


def search_diagnosis_codes(query: str, limit: int = 20) -> list[DiagnosisCode]:
    """Codes whose code starts with the query or whose title holds every word of it."""
    words = query.lower().split()
    if not words:
        return []
    needle = query.strip().upper()
    by_code = [c for c in diagnosis_codes().values() if c.code.upper().startswith(needle)]
    by_title = [
        c
        for c in diagnosis_codes().values()
        if c not in by_code and all(word in c.title.lower() for word in words)
    ]
    return (by_code + by_title)[:limit]
