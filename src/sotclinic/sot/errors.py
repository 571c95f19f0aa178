"""Errors that name the field at fault, so the API can answer 422 with an actionable message."""

from __future__ import annotations

from collections.abc import Iterable


class FieldErrors(ValueError):
    """One or more problems, each tied to a field path such as ``indicators[1].side``."""

    def __init__(self, errors: Iterable[tuple[str, str]]) -> None:
        self.errors: tuple[tuple[str, str], ...] = tuple(errors)
        if not self.errors:
            raise ValueError("FieldErrors needs at least one (path, message) pair")
        super().__init__("; ".join(f"{path}: {message}" for path, message in self.errors))

    @property
    def path(self) -> str:
        """Path of the first problem."""
        return self.errors[0][0]

    @property
    def message(self) -> str:
        """Message of the first problem, without its path."""
        return self.errors[0][1]

    def as_list(self) -> list[dict[str, str]]:
        """The problems as ``[{"path": ..., "message": ...}, ...]`` for a JSON error body."""
        return [{"path": path, "message": message} for path, message in self.errors]


class FindingsError(FieldErrors):
    """The findings sent for analysis are malformed (unknown code, bad side, wrong type...)."""


class ProtocolTableError(FieldErrors):
    """A block-placement table (the default file or a clinic's override) is not well formed."""


def json_type_name(value: object) -> str:
    """Name a value's type in JSON terms, for messages read by API clients."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
