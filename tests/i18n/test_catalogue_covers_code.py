"""Every string the code marks for translation has its German translation in the catalogue.

`test_catalogues` checks the catalogue as committed; a string added to a template or to Python
and never extracted is not in it, so the German page shows it in English and no other test
notices. Here `make messages`' extraction runs on a copy of the package, and the merged German
catalogue must have no entry left untranslated or fuzzy (msgmerge's guess from a similar
string, which a person has not checked).

It needs GNU gettext's xgettext, as `make messages` does; `.ci/run` installs it when absent."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "sotclinic"
SOTCLINIC = Path(sys.executable).parent / "sotclinic"

pytestmark = pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="needs GNU gettext (apt-get install gettext)"
)


def extracted_catalogue(package: Path, scratch: Path) -> polib.POFile:
    """The German catalogue of a copy of ``package`` after `make messages`' extraction."""
    copy = scratch / "src" / "sotclinic"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    subprocess.run(
        [
            str(SOTCLINIC),
            "manage",
            "makemessages",
            "-l",
            "de",
            "-e",
            "html,txt,py",
            "--no-wrap",
            "--no-location",
            "--ignore",
            "migrations/*",
        ],
        cwd=copy,
        env={
            **os.environ,
            "PYTHONPATH": str(scratch / "src"),  # the copy's settings: its own locale folder
            "DJANGO_SETTINGS_MODULE": "sotclinic.settings",
            "SOTCLINIC_VAR_DIR": str(scratch / "var"),
        },
        check=True,
        capture_output=True,
    )
    return polib.pofile(str(copy / "locale" / "de" / "LC_MESSAGES" / "django.po"))


def not_translated(catalogue: polib.POFile) -> list[str]:
    return sorted(
        entry.msgid
        for entry in catalogue
        if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags)
    )


def test_every_string_the_code_translates_is_in_german(tmp_path):
    assert not_translated(extracted_catalogue(PACKAGE, tmp_path)) == []


def test_a_new_string_without_its_german_is_found(tmp_path):
    package = tmp_path / "package"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__", "static"))
    template = package / "templates" / "base.html"
    template.write_text(
        template.read_text(encoding="utf-8")
        + '{% load i18n %}{% translate "A sentence nobody translated yet" %}\n',
        encoding="utf-8",
    )
    (package / "scheduling" / "untranslated_example.py").write_text(
        'from django.utils.translation import gettext as _\n\nWORD = _("Another new word")\n',
        encoding="utf-8",
    )

    found = not_translated(extracted_catalogue(package, tmp_path / "scratch"))

    assert "A sentence nobody translated yet" in found
    assert "Another new word" in found
