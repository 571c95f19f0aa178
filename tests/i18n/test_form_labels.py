"""Every label of every form sotclinic defines reads in German on a German page: none falls
back to a field's English name."""

import importlib
import pkgutil
from pathlib import Path

import polib
from django import forms
from django.utils import translation
from django.utils.functional import Promise

import sotclinic
from sotclinic.data_text import DataText

CATALOGUE = Path(sotclinic.__file__).parent / "locale" / "de" / "LC_MESSAGES" / "django.po"
# Labels Django itself sets when the form is made (the user model's translated "username").
SET_BY_DJANGO = {("ThrottledAuthenticationForm", "username")}


def _form_classes():
    for module in pkgutil.walk_packages(sotclinic.__path__, "sotclinic."):
        if module.name.rsplit(".", 1)[-1] in ("forms", "admin") or module.name.endswith("_form"):
            importlib.import_module(module.name)
    pending, found = [forms.BaseForm], set()
    while pending:
        for cls in pending.pop().__subclasses__():
            pending.append(cls)
            if cls.__module__.startswith("sotclinic."):
                found.add(cls)
    return sorted(found, key=lambda cls: (cls.__module__, cls.__name__))


def _labels():
    for cls in _form_classes():
        for name, field in cls.base_fields.items():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            if (cls.__name__, name) not in SET_BY_DJANGO:
                yield f"{cls.__module__}.{cls.__name__}.{name}", field.label


def test_the_walk_finds_the_staff_forms():
    names = {cls.__name__ for cls in _form_classes()}

    assert {"PatientForm", "AppointmentForm", "MoveForm", "NoteForm", "ClinicLocaleForm"} <= names


def test_every_form_label_is_translatable_and_translated_into_german():
    translated = {e.msgid for e in polib.pofile(str(CATALOGUE)) if e.translated()}
    untranslated = []
    for where, label in _labels():
        if isinstance(label, DataText):
            ok = "de" in label.variants
        else:  # no label (the field's name) or a plain string is never translated
            ok = _translated(label, translated)
        if not ok:
            untranslated.append(f"{where}: {label!r}")

    assert untranslated == []


def _translated(label, catalogue: set[str]) -> bool:
    if not isinstance(label, Promise):
        return False
    with translation.override("en-gb"):
        english = str(label)
    with translation.override("de"):
        german = str(label)
    return german != english or english in catalogue


def test_every_field_the_admin_shows_has_a_german_name():
    """The admin builds its forms from the models: their fields name themselves."""
    from django.contrib import admin

    translated = {e.msgid for e in polib.pofile(str(CATALOGUE)) if e.translated()}
    unnamed = [
        f"{model._meta.label}.{field.name}"
        for model in admin.site._registry
        if model.__module__.startswith("sotclinic.")
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False) and field.editable and not field.auto_created
        if not _translated(field.verbose_name, translated)
    ]

    assert unnamed == []
