"""Services and selectors take plain values and the acting user, never a request or a form:
the adapters (pages, the API, the admin) read those and pass on what the rule needs."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "sotclinic"
MODULES = sorted([*SRC.glob("*/services.py"), *SRC.glob("*/selectors.py")])


def adapter_types(source: str) -> list[str]:
    """Imports of django.http, and parameters annotated as a request or a form."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.http"):
            found.append(f"line {node.lineno}: imports {node.module}")
        elif isinstance(node, ast.Import):
            found += [
                f"line {node.lineno}: imports {alias.name}"
                for alias in node.names
                if alias.name.startswith("django.http")
            ]
        elif isinstance(node, ast.arg) and node.annotation is not None:
            annotation = ast.unparse(node.annotation).strip("'\"")
            if "HttpRequest" in annotation or annotation.endswith("Form"):
                found.append(f"line {node.lineno}: {node.arg}: {annotation}")
    return found


def test_the_scan_finds_a_request_and_a_form():
    source = (
        "from django.http import HttpRequest\n"
        "def book(request: HttpRequest, form: 'BookingForm', user, start: dt.datetime): ...\n"
    )

    assert adapter_types(source) == [
        "line 1: imports django.http",
        "line 2: request: HttpRequest",
        "line 2: form: BookingForm",
    ]


@pytest.mark.parametrize("module", MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_services_and_selectors_take_no_request_or_form(module):
    assert adapter_types(module.read_text()) == []
