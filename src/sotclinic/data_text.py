"""Texts held in data files (red-flag questions, complaint titles, precautions) in several
languages, kept next to each other in the data file so the file stays their one owner.

A text in a data file is either a plain string (English only) or an object of variants::

    "text": {"en": "Do you have diabetes?", "de": "Haben Sie Diabetes?"}

English is the source wording and must be present. A file that holds any other language
declares it with a note saying whose translation it is::

    "translations": {"de": "sotclinic's own translation of the English wording; ..."}

Loading gives a ``DataText``: it reads as the variant for Django's active language (falling
back from ``de-at`` to ``de`` to English), like Django's lazy translations. This module imports
no Django until a text is read, so the questionnaire engine stays importable without it.
What is stored (a red flag's title in a patient's record, JSON in a result) is the English
source (``source_text``); ``shown`` turns stored English back into the active language while
the data file still holds that wording.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from types import MappingProxyType
from typing import Any

SOURCE_LANGUAGE = "en"
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
# English source wording -> its DataText, for the texts of every data file loaded so far.
_BY_SOURCE: dict[str, DataText] = {}
# Stored texts composed of data texts in a fixed English frame: the frame's pattern and what
# renders a match in the active language.
_COMPOSED: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = []


class DataTextError(ValueError):
    """A malformed text or translation note in a data file; the message names where."""


class DataText:
    """One data text with its variants by language; ``str()`` gives the active language's."""

    def __init__(self, variants: Mapping[str, str]):
        self.variants = MappingProxyType(dict(variants))

    @property
    def source(self) -> str:
        return self.variants[SOURCE_LANGUAGE]

    def in_language(self, language: str | None) -> str:
        code = (language or SOURCE_LANGUAGE).lower()
        for candidate in (code, code.split("-")[0]):
            if candidate in self.variants:
                return self.variants[candidate]
        return self.source

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.in_language(get_language())

    def __reduce__(self):
        return (DataText, (dict(self.variants),))

    def __copy__(self) -> DataText:
        return self

    def __deepcopy__(self, memo: dict) -> DataText:
        return self

    def __repr__(self) -> str:
        return f"DataText({self.source!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DataText):
            return self.variants == other.variants
        return str(self) == other

    def __hash__(self) -> int:
        return hash(self.source)

    def __lt__(self, other: object) -> bool:
        return str(self) < str(other)

    def __add__(self, other: object) -> str:
        return str(self) + str(other)

    def __radd__(self, other: object) -> str:
        return str(other) + str(self)

    def __mod__(self, other: Any) -> str:
        return str(self) % other

    def __len__(self) -> int:
        return len(str(self))

    def __getitem__(self, index: int | slice) -> str:
        return str(self)[index]

    def __contains__(self, item: str) -> bool:
        return item in str(self)

    def __getattr__(self, name: str) -> Any:
        # The str methods (lower, strip, split, ...) on the active language's wording.
        if name.startswith("_") or not hasattr(str, name):
            raise AttributeError(name)
        return getattr(str(self), name)


def declared_languages(data_file: Mapping[str, Any], where: str) -> frozenset[str]:
    """The languages a data file declares translations for, each with its provenance note."""
    notes = data_file.get("translations", {})
    if not isinstance(notes, Mapping):
        raise DataTextError(f"{where}.translations: must map a language to a note")
    for language, note in notes.items():
        if not _LANGUAGE.match(language) or language == SOURCE_LANGUAGE:
            raise DataTextError(f"{where}.translations: {language!r} is not a language to add")
        if not isinstance(note, str) or not note.strip():
            raise DataTextError(
                f"{where}.translations.{language}: say whose translation it is and from what"
            )
    return frozenset(notes)


def read_text(value: Any, where: str, languages: Collection[str] = ()) -> str:
    """A data text: a plain English string, or variants by language with English among them.

    ``languages`` are the ones the file declared; a variant in any other is refused, so no
    translation enters a data file without a note on where it comes from.
    """
    if isinstance(value, str):
        if not value.strip():
            raise DataTextError(f"{where}: must be a non-empty string")
        return value
    if not isinstance(value, Mapping) or SOURCE_LANGUAGE not in value:
        raise DataTextError(f'{where}: must be a string or an object with "en" and translations')
    for language, text in value.items():
        if language != SOURCE_LANGUAGE and language not in languages:
            raise DataTextError(
                f'{where}.{language}: the file declares no "translations" note for {language!r}'
            )
        if not isinstance(text, str) or not text.strip():
            raise DataTextError(f"{where}.{language}: must be a non-empty string")
    text = DataText(value)
    _BY_SOURCE[text.source] = text
    return text  # type: ignore[return-value]  # reads as a str wherever a str is used


def register_variants(texts: Mapping[str, Mapping[str, str]]) -> None:
    """Make ``shown`` know texts whose variants a data table kept aside (English -> variants),
    such as the SOT engine's, which reads only English and imports no Django."""
    for source, variants in texts.items():
        _BY_SOURCE[source] = DataText(variants)


def register_composed(pattern: re.Pattern[str], render: Callable[[re.Match[str]], str]) -> None:
    """Make ``shown`` know a stored text built from data texts in a fixed English frame (a
    red flag's "Positive: <signs>. <explanation>"): a text the whole pattern matches is shown
    as ``render`` words the match in the active language. Registering the same pattern again
    replaces it."""
    _COMPOSED[:] = [entry for entry in _COMPOSED if entry[0].pattern != pattern.pattern]
    _COMPOSED.append((pattern, render))


def source_text(value: Any) -> str:
    """The English source wording of a data text (what records and JSON results store)."""
    return value.source if isinstance(value, DataText) else str(value)


def shown(stored: Any) -> str:
    """Stored English wording of a data text, in the active language while the data file
    still holds that wording; anything else (older wording, free text) unchanged."""
    if isinstance(stored, DataText):
        return str(stored)
    if not isinstance(stored, str):
        return stored
    text = _BY_SOURCE.get(stored)
    if text is not None:
        return str(text)
    for pattern, render in _COMPOSED:
        match = pattern.fullmatch(stored)
        if match is not None:
            return render(match)
    return stored
