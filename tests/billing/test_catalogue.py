"""The shipped code list (numbers with sotclinic's own labels, no CPT descriptor), the
loadservices command (safe to run again) and loaddescriptors for a clinic's licensed file."""

import json
from importlib import resources

import pytest
from django.core.management import CommandError, call_command

from sotclinic.billing.catalogue import shipped_services
from sotclinic.billing.models import CodeDescriptor, Service

pytestmark = pytest.mark.django_db


def test_every_shipped_label_is_marked_as_sotclinics_own_wording():
    doc = json.loads(
        resources.files("sotclinic.billing").joinpath("data/services.json").read_text("utf-8")
    )
    assert "American Medical Association" in doc["about"]
    codes = {row["code"] for row in doc["services"]}
    assert {"98940", "98941", "98942", "98943", "99202", "99215", "97140", "G0283"} <= codes
    assert not codes & {"99201", "99206", "99210"}  # deleted or never E/M office codes
    for row in doc["services"]:
        assert row["label_source"] == "sotclinic"
        assert row["code_system"] in {"cpt", "hcpcs"}
        assert 0 < len(row["label"]) <= 60


def test_loadservices_adds_the_codes_once_and_keeps_a_clinics_changes(capsys):
    call_command("loadservices")
    count = len(shipped_services())
    assert Service.objects.count() == count
    assert Service.objects.get(code="98940").name == "Spinal manipulation, 1–2 regions"
    Service.objects.filter(code="98940").update(name="Adjustment (1–2 regions)", active=False)
    call_command("loadservices")
    assert Service.objects.count() == count
    kept = Service.objects.get(code="98940")
    assert (kept.name, kept.active) == ("Adjustment (1–2 regions)", False)
    assert f"0 services added, {count} already there." in capsys.readouterr().out


def test_loaddescriptors_loads_a_licensed_file_and_replaces_earlier_text(tmp_path, capsys):
    licensed = tmp_path / "cpt-2026.csv"
    licensed.write_text(
        "code_system,code,descriptor\ncpt,98940,Official text one\nHCPCS,A4556,Electrodes text\n"
    )
    call_command("loaddescriptors", str(licensed))
    assert CodeDescriptor.objects.get(code="98940").descriptor == "Official text one"
    assert CodeDescriptor.objects.get(code="A4556").code_system == "hcpcs"
    assert CodeDescriptor.objects.get(code="98940").source == "cpt-2026.csv"
    assert str(CodeDescriptor.objects.get(code="98940")) == "cpt 98940"
    licensed.write_text("code_system,code,descriptor\ncpt,98940,Official text two\n")
    call_command("loaddescriptors", str(licensed))
    assert CodeDescriptor.objects.get(code="98940").descriptor == "Official text two"
    assert CodeDescriptor.objects.count() == 2
    assert "0 descriptors added, 1 replaced." in capsys.readouterr().out


@pytest.mark.parametrize(
    "content, message",
    [
        ("code,descriptor\n98940,x\n", "first line must be the column names"),
        (
            "code_system,code,descriptor\ncpt,98940,ok\nicd,M54,x\n",
            "Line 3: unknown code system icd",
        ),
        ("code_system,code,descriptor\ncpt,,x\n", "Line 2: a code"),
        ("code_system,code,descriptor\ncpt,98940,\n", "Line 2: a code"),
    ],
)
def test_loaddescriptors_refuses_a_bad_file_and_loads_nothing(tmp_path, content, message):
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("loaddescriptors", str(bad))
    assert not CodeDescriptor.objects.exists()


def test_loaddescriptors_says_when_the_file_cannot_be_read(tmp_path):
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("loaddescriptors", str(tmp_path / "missing.csv"))
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CommandError):
        call_command("loaddescriptors", str(binary))
