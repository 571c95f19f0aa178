"""Which billing lines a signed visit suggests: the rule as data and one function.

US clinics (CPT): chiropractic manipulative treatment is billed by the number of spinal regions
adjusted (98940 for 1–2, 98941 for 3–4, 98942 for 5) and once for any extraspinal region
(98943: head, extremities, rib cage). AT marks spinal manipulation in active care; 25 marks an
evaluation and management (E/M) code billed the same day as a manipulation. Each line points to
the visit's first diagnosis codes (at most four, CMS-1500 box 24E).

A clinic with its own codes names, on each service, what in a visit suggests it
(``Service.suggest_for``); the same region counts apply, and "visit" suggests a service on every
signed visit (a clinic's visit fee).

Nothing here reads the database: ``suggest_lines`` takes the visit's facts and the clinic's
services by what they are suggested for, so every case is tested directly.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from sotclinic.charting.models import ADJUSTMENT_REGIONS, SPINAL_REGIONS, region_labels

from .models import SuggestFor
from .models.fees import MAX_MODIFIERS
from .models.ledger import MAX_DIAGNOSIS_POINTERS

# Every region the note can record that is not spinal is extraspinal.
EXTRASPINAL_REGIONS = frozenset(code for code, _label in ADJUSTMENT_REGIONS) - SPINAL_REGIONS

# Number of spinal regions adjusted → what it suggests.
SPINAL_BANDS: tuple[tuple[range, str], ...] = (
    (range(1, 3), SuggestFor.SPINAL_1_2),
    (range(3, 5), SuggestFor.SPINAL_3_4),
    (range(5, 6), SuggestFor.SPINAL_5),
)

# The CPT code each suggestion stands for in a US clinic.
US_CODES: dict[str, str] = {
    SuggestFor.SPINAL_1_2: "98940",
    SuggestFor.SPINAL_3_4: "98941",
    SuggestFor.SPINAL_5: "98942",
    SuggestFor.EXTRASPINAL: "98943",
}
SPINAL_CMT_CODES = frozenset({"98940", "98941", "98942"})
CMT_CODES = SPINAL_CMT_CODES | {"98943"}
# Office E/M visits: new patients 99202–99205, established 99211–99215.
EM_CODES = frozenset({*map(str, range(99202, 99206)), *map(str, range(99211, 99216))})

ACTIVE_CARE_MODIFIER = "AT"
SAME_DAY_EM_MODIFIER = "25"


@dataclass(frozen=True)
class ServiceRef:
    """What the rule needs of a service: its id, code, code system and default modifiers."""

    id: int | None
    code: str
    code_system: str
    default_modifiers: tuple[str, ...] = ()


@dataclass
class SuggestedLine:
    suggest_for: str
    service: ServiceRef | None
    code: str
    code_system: str
    modifiers: list[str] = field(default_factory=list)
    diagnosis_pointers: list[int] = field(default_factory=list)
    reason: str = ""


def visit_suggestions(regions: Iterable[str]) -> list[tuple[str, str]]:
    """What the adjusted regions suggest, each with the reason a person reads."""
    regions = list(dict.fromkeys(regions))  # once each, in the note's order
    spinal = [r for r in regions if r in SPINAL_REGIONS]
    extraspinal = [r for r in regions if r in EXTRASPINAL_REGIONS]
    found: list[tuple[str, str]] = []
    for band, suggest_for in SPINAL_BANDS:
        if len(spinal) in band:
            found.append(
                (
                    suggest_for,
                    _("%(count)s spinal region(s) adjusted: %(regions)s")
                    % {"count": len(spinal), "regions": ", ".join(region_labels(spinal))},
                )
            )
    if extraspinal:
        found.append(
            (
                SuggestFor.EXTRASPINAL,
                _("Extraspinal region(s) adjusted: %(regions)s")
                % {"regions": ", ".join(region_labels(extraspinal))},
            )
        )
    found.append((SuggestFor.VISIT, _("Signed visit")))
    return found


def diagnosis_pointers(diagnosis_codes: Iterable[str]) -> list[int]:
    """Pointers 1..n to the visit's first diagnosis codes, at most four."""
    return list(range(1, min(len(list(diagnosis_codes)), MAX_DIAGNOSIS_POINTERS) + 1))


def suggest_lines(
    *,
    regions: Iterable[str],
    diagnosis_codes: Iterable[str],
    us_codes: bool,
    active_care: bool,
    services: Mapping[str, ServiceRef],
    same_day_codes: Iterable[str] = (),
) -> list[SuggestedLine]:
    """The billing lines a signed visit suggests.

    ``services`` maps a ``SuggestFor`` value to the clinic's service for it. A US clinic
    (``us_codes``) gets the CPT manipulation codes even without such a service (the line then
    has no service and front desk sets the price); any other clinic gets only what it mapped.
    ``same_day_codes`` are codes already billed or suggested for the patient that day."""
    pointers = diagnosis_pointers(list(diagnosis_codes))
    lines = []
    for suggest_for, reason in visit_suggestions(regions):
        service = services.get(suggest_for)
        if service is None and not (us_codes and suggest_for in US_CODES):
            continue
        code = service.code if service else US_CODES[suggest_for]
        code_system = service.code_system if service else "cpt"
        lines.append(
            SuggestedLine(
                suggest_for=suggest_for,
                service=service,
                code=code,
                code_system=code_system,
                modifiers=list(service.default_modifiers) if service else [],
                diagnosis_pointers=list(pointers),
                reason=reason,
            )
        )
    codes_that_day = {line.code for line in lines} | set(same_day_codes)
    for line in lines:
        _add_modifiers(line, us_codes=us_codes, active_care=active_care, same_day=codes_that_day)
    return lines


def same_day_modifiers(code: str, *, us_codes: bool, active_care: bool, same_day) -> list[str]:
    """The modifiers the rule adds to ``code``: AT on spinal manipulation in active care, 25 on
    an E/M code billed the same day as a manipulation (US clinics only)."""
    if not us_codes:
        return []
    added = []
    if code in SPINAL_CMT_CODES and active_care:
        added.append(ACTIVE_CARE_MODIFIER)
    if code in EM_CODES and CMT_CODES & set(same_day):
        added.append(SAME_DAY_EM_MODIFIER)
    return added


def _add_modifiers(line: SuggestedLine, *, us_codes: bool, active_care: bool, same_day) -> None:
    for modifier in same_day_modifiers(
        line.code, us_codes=us_codes, active_care=active_care, same_day=same_day
    ):
        if modifier not in line.modifiers and len(line.modifiers) < MAX_MODIFIERS:
            line.modifiers.append(modifier)
        if modifier == ACTIVE_CARE_MODIFIER:
            line.reason += _(" · in active care")
        if modifier == SAME_DAY_EM_MODIFIER:
            line.reason += _(" · E/M on the day of a manipulation")
