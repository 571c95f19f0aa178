"""Reads the engine's data tables shipped inside the package (``sotclinic/sot/data/*.json``)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def load_json(name: str) -> Any:
    """Parse one data file; importlib.resources keeps this working from a wheel or a zip."""
    text = resources.files("sotclinic.sot").joinpath("data", name).read_text(encoding="utf-8")
    return json.loads(text)
