"""The registry of shipped instruments, keyed by ``(id, version)``, and what each complaint gets.

Old versions stay loadable for as long as their data file ships, because a stored response
records ``(instrument id, version)`` and must be re-scored with the definition it was answered on.
The current version of an instrument is its highest version number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from sotclinic.data_text import DataTextError, declared_languages, read_text

from .definitions import _obj, parse_instrument, parse_not_shipped, read_data_files
from .model import (
    ComplaintInstruments,
    DefinitionError,
    Instrument,
    InstrumentKey,
    NotShipped,
    UnknownInstrument,
)

_INSTRUMENT_FILE = re.compile(r"^(?P<id>[a-z][a-z0-9_]*)\.v(?P<version>[1-9][0-9]*)\.json$")
COMPLAINTS_FILE = "complaints.json"
NOT_SHIPPED_FILE = "not_shipped.json"


@dataclass(frozen=True)
class ComplaintEntry:
    """One complaint's line in complaints.json: instrument ids, and the gap if one exists."""

    id: str
    title: str
    specific: tuple[str, ...]
    generic: tuple[str, ...]
    gap: str | None


def parse_complaints(raw: Any, where: str = COMPLAINTS_FILE) -> dict[str, ComplaintEntry]:
    """Read complaints.json: for each complaint its specific and generic instruments, or a gap."""
    try:
        languages = declared_languages(_obj(raw, where), where)
    except DataTextError as error:
        raise DefinitionError(str(error)) from None

    def words(entry: Mapping[str, Any], key: str, entry_where: str) -> str:
        try:
            return read_text(entry.get(key), f"{entry_where}.{key}", languages)
        except DataTextError as error:
            raise DefinitionError(str(error)) from None

    table = _obj(_obj(raw, where).get("complaints"), f"{where}.complaints")
    if not table:
        raise DefinitionError(f"{where}.complaints: must list at least one complaint")
    entries: dict[str, ComplaintEntry] = {}
    for complaint_id, entry_raw in table.items():
        entry_where = f"{where}.complaints.{complaint_id}"
        entry = _obj(entry_raw, entry_where)
        ids: dict[str, tuple[str, ...]] = {}
        for key in ("specific", "generic"):
            value = entry.get(key)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise DefinitionError(f"{entry_where}.{key}: must be a list of instrument ids")
            ids[key] = tuple(value)
        gap = entry.get("gap")
        if not ids["specific"] and not gap:
            # Honesty rule: a complaint without a shipped specific instrument must say why.
            raise DefinitionError(f"{entry_where}.gap: required when no specific instrument ships")
        if ids["specific"] and gap is not None:
            raise DefinitionError(f"{entry_where}.gap: must be null when an instrument ships")
        if gap is not None:
            gap = words(entry, "gap", entry_where)
        entries[complaint_id] = ComplaintEntry(
            id=complaint_id,
            title=words(entry, "title", entry_where),
            specific=ids["specific"],
            generic=ids["generic"],
            gap=gap,
        )
    return entries


class Registry:
    """Instruments by ``(id, version)``, the complaint table and the not-shipped catalogue."""

    def __init__(
        self,
        instruments: Iterable[Instrument],
        complaints: Mapping[str, ComplaintEntry],
        not_shipped: Iterable[NotShipped],
    ) -> None:
        by_key: dict[InstrumentKey, Instrument] = {}
        for instrument in instruments:
            if instrument.key in by_key:
                raise DefinitionError(f"{instrument.id} v{instrument.version}: defined twice")
            by_key[instrument.key] = instrument
        self._by_key = MappingProxyType(by_key)
        self._complaints = MappingProxyType(dict(complaints))
        self._not_shipped = tuple(not_shipped)
        self._check_complaints()

    @classmethod
    def from_data(cls, files: Mapping[str, Any]) -> Registry:
        """Build a registry from parsed data files keyed by file name (see read_data_files)."""
        if COMPLAINTS_FILE not in files or NOT_SHIPPED_FILE not in files:
            raise DefinitionError(f"data: {COMPLAINTS_FILE} and {NOT_SHIPPED_FILE} are required")
        complaints = parse_complaints(files[COMPLAINTS_FILE])
        known = frozenset(complaints)
        instruments: list[Instrument] = []
        for name, raw in files.items():
            if name in (COMPLAINTS_FILE, NOT_SHIPPED_FILE):
                continue
            match = _INSTRUMENT_FILE.match(name)
            if match is None:
                raise DefinitionError(f"{name}: instrument files are named '<id>.v<version>.json'")
            instrument = parse_instrument(raw, name, known)
            if instrument.key != (match["id"], int(match["version"])):
                raise DefinitionError(f"{name}: file name does not match id and version inside")
            instruments.append(instrument)
        not_shipped = parse_not_shipped(files[NOT_SHIPPED_FILE], NOT_SHIPPED_FILE, known)
        return cls(instruments, complaints, not_shipped)

    def _check_complaints(self) -> None:
        current_ids = {key[0] for key in self._by_key}
        for entry in self._complaints.values():
            for instrument_id in entry.specific + entry.generic:
                if instrument_id not in current_ids:
                    raise DefinitionError(
                        f"{COMPLAINTS_FILE}.{entry.id}: unknown instrument {instrument_id!r}"
                    )
                if entry.id not in self.get(instrument_id).complaints:
                    raise DefinitionError(
                        f"{COMPLAINTS_FILE}.{entry.id}: {instrument_id} does not list this "
                        "complaint among its own complaints"
                    )
        for not_shipped in self._not_shipped:
            if not_shipped.id in current_ids:
                raise DefinitionError(f"{NOT_SHIPPED_FILE}: {not_shipped.id} also ships")

    @property
    def complaints(self) -> tuple[str, ...]:
        """The complaint ids the intake knows, in table order."""
        return tuple(self._complaints)

    @property
    def not_shipped(self) -> tuple[NotShipped, ...]:
        """Instruments that exist but whose item text is not shipped, with the reason."""
        return self._not_shipped

    def keys(self) -> tuple[InstrumentKey, ...]:
        """Every registered ``(id, version)``, sorted."""
        return tuple(sorted(self._by_key))

    def versions(self, instrument_id: str) -> tuple[int, ...]:
        """The registered versions of one instrument, oldest first."""
        versions = tuple(sorted(v for (i, v) in self._by_key if i == instrument_id))
        if not versions:
            raise UnknownInstrument(self._unknown_message(instrument_id))
        return versions

    def get(self, instrument_id: str, version: int | None = None) -> Instrument:
        """The instrument at ``version``, or its current (highest) version when None."""
        if version is None:
            version = self.versions(instrument_id)[-1]
        try:
            return self._by_key[(instrument_id, version)]
        except KeyError:
            raise UnknownInstrument(
                f"{instrument_id} has no version {version}; "
                f"registered: {', '.join(map(str, self.versions(instrument_id)))}"
            ) from None

    def current(self) -> tuple[Instrument, ...]:
        """The current version of every instrument, by id."""
        ids = sorted({key[0] for key in self._by_key})
        return tuple(self.get(instrument_id) for instrument_id in ids)

    def for_complaint(self, complaint: str) -> ComplaintInstruments:
        """What the intake offers for a complaint, what it cannot offer and why."""
        entry = self._complaints.get(complaint)
        if entry is None:
            raise UnknownInstrument(
                f"Unknown complaint {complaint!r}; known: {', '.join(self._complaints)}"
            )
        return ComplaintInstruments(
            complaint=entry.id,
            title=entry.title,
            specific=tuple(self.get(i) for i in entry.specific),
            generic=tuple(self.get(i) for i in entry.generic),
            gap=entry.gap,
            not_shipped=tuple(ns for ns in self._not_shipped if complaint in ns.complaints),
        )

    def with_instrument(self, instrument: Instrument) -> Registry:
        """A new registry that also holds ``instrument`` (for example one a clinic licensed)."""
        return Registry([*self._by_key.values(), instrument], self._complaints, self._not_shipped)

    def _unknown_message(self, instrument_id: str) -> str:
        shipped = sorted({key[0] for key in self._by_key})
        for entry in self._not_shipped:
            if entry.id == instrument_id:
                return f"{entry.title} is not shipped: {entry.why_not_shipped}"
        return f"Unknown instrument {instrument_id!r}; shipped: {', '.join(shipped)}"


@cache
def default_registry() -> Registry:
    """The registry built from the data files shipped in this package (loaded once)."""
    return Registry.from_data(read_data_files())
