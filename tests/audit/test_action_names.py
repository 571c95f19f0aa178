"""Every access-log action is a member of ``audit.models.Action``, never a string literal."""

import ast
from pathlib import Path

import pytest

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.audit.services import record_access
from tests.factories import make_patient, make_user

ROOT = Path(__file__).resolve().parents[2]
ACTION_NAMES = {member.value for member in Action}
# Calls whose action argument is the access log's: where it sits among the positional ones.
ACTION_POSITION = {"record_access": 2, "log_access": 2, "_record": 2, "_dashboard_data": 1}
# Query keywords through which tests look rows up by action.
LOOKUPS = {"filter", "get", "exclude"}


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def literal_actions(source: str) -> list[tuple[int, str]]:
    """(line, literal) for each action given as a string where an Action member belongs."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        given = [kw.value for kw in node.keywords if kw.arg == "action"]
        position = ACTION_POSITION.get(name)
        if position is not None and len(node.args) > position:
            given.append(node.args[position])
        if position is None and name not in LOOKUPS:
            continue
        for value in given:
            strings = [n for n in ast.walk(value) if isinstance(n, ast.Constant)]
            for constant in strings:
                if isinstance(constant.value, str) and (
                    position is not None or constant.value in ACTION_NAMES
                ):
                    found.append((constant.lineno, constant.value))
    return found


def test_the_scan_finds_a_literal_action():
    source = (
        'record_access(request, patient, "view_chart", "chart")\n'
        'AccessLog.objects.filter(action="view_chart")\n'
        'self._record(request, obj, "admin_view" if x else "admin_add")\n'
        'record_access(request, patient, Action.VIEW_CHART, "chart")\n'
    )

    assert literal_actions(source) == [
        (1, "view_chart"),
        (2, "view_chart"),
        (3, "admin_view"),
        (3, "admin_add"),
    ]


@pytest.mark.parametrize("folder", ["src", "tests"])
def test_no_action_is_a_string_literal(folder):
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {value!r}"
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "migrations" not in path.parts and path.name != Path(__file__).name
        for line, value in literal_actions(path.read_text())
    ]

    assert offenders == []


@pytest.mark.django_db
def test_record_access_refuses_a_string_and_writes_nothing():
    user, patient = make_user(Role.PRACTITIONER), make_patient()

    with pytest.raises(TypeError, match="Action member"):
        record_access(user, patient, "view_chart", "chart")

    assert not AccessLog.objects.exists()


def test_every_action_has_a_label():
    assert all(member.label and member.label != member.value for member in Action)
