"""Reads the engine's data tables shipped inside the package (``sotclinic/sot/data/*.json``).

A person-readable text in a table is a plain English string or its variants by language,
``{"en": "Dollar sign", "de": "Dollar-Zeichen"}``; a file holding any language besides
English declares it with a note saying whose translation it is (``"translations"``). The
engine works on the English source wording only, so its results (and the JSON API) stay the
same whatever the language; the other variants are collected for the pages to show
(``text_variants``) and need no Django here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType
from typing import Any

SOURCE_LANGUAGE = "en"
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
# English source wording -> its variants by language, for every table loaded so far.
_VARIANTS: dict[str, Mapping[str, str]] = {}


class DataFileError(ValueError):
    """A malformed text or translation note in a data file; the message names where."""


def _languages(data: Any, where: str) -> frozenset[str]:
    notes = data.pop("translations", {}) if isinstance(data, dict) else {}
    if not isinstance(notes, Mapping):
        raise DataFileError(f"{where}.translations: must map a language to a note")
    for language, note in notes.items():
        if not _LANGUAGE.match(language) or language == SOURCE_LANGUAGE:
            raise DataFileError(f"{where}.translations: {language!r} is not a language to add")
        if not isinstance(note, str) or not note.strip():
            raise DataFileError(
                f"{where}.translations.{language}: say whose translation it is and from what"
            )
    return frozenset(notes)


def _is_text(value: Mapping[str, Any]) -> bool:
    return SOURCE_LANGUAGE in value and all(
        isinstance(key, str) and _LANGUAGE.match(key) and isinstance(text, str)
        for key, text in value.items()
    )


def english_texts(value: Any, where: str, languages: frozenset[str]) -> Any:
    """``value`` with every text's variants replaced by its English, the variants kept aside."""
    if isinstance(value, list):
        return [english_texts(item, f"{where}[{i}]", languages) for i, item in enumerate(value)]
    if not isinstance(value, dict):
        return value
    if not _is_text(value):
        return {
            key: english_texts(item, f"{where}.{key}", languages) for key, item in value.items()
        }
    for language, text in value.items():
        if language != SOURCE_LANGUAGE and language not in languages:
            raise DataFileError(
                f'{where}.{language}: the file declares no "translations" note for {language!r}'
            )
        if not text.strip():
            raise DataFileError(f"{where}.{language}: must be a non-empty string")
    _VARIANTS[value[SOURCE_LANGUAGE]] = MappingProxyType(dict(value))
    return value[SOURCE_LANGUAGE]


def parse_data_file(data: Any, name: str) -> Any:
    """A parsed data file as the engine reads it: English texts, no translation note."""
    return english_texts(data, name, _languages(data, name))


def load_json(name: str) -> Any:
    """Parse one data file; importlib.resources keeps this working from a wheel or a zip."""
    text = resources.files("sotclinic.sot").joinpath("data", name).read_text(encoding="utf-8")
    return parse_data_file(json.loads(text), name)


def text_variants() -> Mapping[str, Mapping[str, str]]:
    """English source wording -> its variants by language, for every table's translated texts
    (each table read here, since some are read only when first asked for)."""
    data = resources.files("sotclinic.sot").joinpath("data")
    for name in sorted(e.name for e in data.iterdir() if e.name.endswith(".json")):
        load_json(name)
    return MappingProxyType(_VARIANTS)
