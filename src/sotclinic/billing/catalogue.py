"""The billing codes sotclinic ships (``data/services.json``: code numbers with sotclinic's own
labels) and a clinic's licensed descriptors loaded from a CSV file."""

import csv
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from .errors import BillingError
from .models import CodeDescriptor, CodeSystem, Service

DESCRIPTOR_COLUMNS = ("code_system", "code", "descriptor")


def shipped_services() -> list[dict]:
    text = resources.files("sotclinic.billing").joinpath("data/services.json").read_text("utf-8")
    return json.loads(text)["services"]


@dataclass
class Loaded:
    created: int = 0
    kept: int = 0


@transaction.atomic
def load_services() -> Loaded:
    """Add each shipped code the clinic does not have yet; a service the clinic already has
    (renamed, repriced, deactivated) is kept as it is. Running it again adds nothing."""
    loaded = Loaded()
    for row in shipped_services():
        _service, created = Service.objects.get_or_create(
            code_system=row["code_system"],
            code=row["code"],
            defaults={"name": row["label"], "default_units": row.get("default_units", 1)},
        )
        if created:
            loaded.created += 1
        else:
            loaded.kept += 1
    return loaded


@transaction.atomic
def load_descriptors(path: Path) -> Loaded:
    """Load official descriptors (CSV with the columns code_system, code, descriptor) into
    ``CodeDescriptor``, replacing a code's earlier descriptor. All rows or none."""
    loaded = Loaded()
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if tuple(reader.fieldnames or ()) != DESCRIPTOR_COLUMNS:
                raise BillingError(
                    _("The first line must be the column names: %(columns)s.")
                    % {"columns": ",".join(DESCRIPTOR_COLUMNS)}
                )
            for line, row in enumerate(reader, start=2):
                system, code = (
                    (row["code_system"] or "").strip().lower(),
                    (row["code"] or "").strip(),
                )
                descriptor = (row["descriptor"] or "").strip()
                if system not in CodeSystem.values:
                    raise BillingError(
                        _("Line %(line)s: unknown code system %(system)s (use %(known)s).")
                        % {"line": line, "system": system, "known": ", ".join(CodeSystem.values)}
                    )
                if not code or len(code) > 20 or not descriptor:
                    raise BillingError(
                        _("Line %(line)s: a code (at most 20 characters) and a descriptor.")
                        % {"line": line}
                    )
                _row, created = CodeDescriptor.objects.update_or_create(
                    code_system=system,
                    code=code,
                    defaults={"descriptor": descriptor, "source": Path(path).name[:300]},
                )
                loaded.created += created
                loaded.kept += not created
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise BillingError(_("The file cannot be read: %(error)s") % {"error": error}) from error
    return loaded
