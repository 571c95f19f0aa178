"""The shipped translation catalogues: compiled, complete where promised, well formed."""

import importlib.util
import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "src" / "sotclinic" / "locale"
_spec = importlib.util.spec_from_file_location(
    "compile_messages", ROOT / "tools" / "compile_messages.py"
)
compile_messages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compile_messages)

CATALOGUES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))
_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def test_german_and_us_english_catalogues_are_shipped():
    assert {p.parts[-3] for p in CATALOGUES} >= {"de", "en_US"}


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_committed_mo_file_is_the_compiled_po_file(po_path):
    """Run `make messages` (or tools/compile_messages.py) after editing a .po file."""
    assert po_path.with_suffix(".mo").read_bytes() == compile_messages.compiled(po_path)


def test_german_catalogue_is_complete():
    catalogue = polib.pofile(str(LOCALE_DIR / "de" / "LC_MESSAGES" / "django.po"))

    missing = [e.msgid for e in catalogue if not e.obsolete and not e.translated()]

    assert missing == []


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_translations_keep_every_placeholder(po_path):
    for entry in polib.pofile(str(po_path)).translated_entries():
        pairs = (
            [(entry.msgid, entry.msgstr)]
            if not entry.msgid_plural
            else [(entry.msgid_plural, text) for text in entry.msgstr_plural.values()]
        )
        for source, translation in pairs:
            found = set(_PLACEHOLDER.findall(translation))
            assert found == set(_PLACEHOLDER.findall(source)), (source, translation)
