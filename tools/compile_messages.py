#!/usr/bin/env python3
"""Compile the .po catalogues under src/sotclinic/locale into .mo files, in pure Python.

The compiled .mo files are committed, so a clinic runs translated pages with nothing but
Python; tests/test_translations.py fails when a .mo file does not match its .po file.
Extracting new strings (``make messages``) needs GNU gettext (``apt-get install gettext``).
"""

import sys
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "src" / "sotclinic" / "locale"


def compiled(po_path: Path) -> bytes:
    """The .mo bytes for a .po file; fuzzy entries are left out, as msgfmt does."""
    catalogue = polib.pofile(str(po_path))
    for entry in catalogue.fuzzy_entries():
        entry.obsolete = True  # polib's .mo writer skips obsolete entries
    return catalogue.to_binary()


def main() -> int:
    for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        mo_path.write_bytes(compiled(po_path))
        print(f"compiled {mo_path.relative_to(LOCALE_DIR.parent.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
