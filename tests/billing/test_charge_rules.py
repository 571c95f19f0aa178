"""The charge rule on its own: every set of adjusted regions, US codes or a clinic's own,
modifiers AT and 25, and diagnosis pointers."""

import itertools

import pytest
from django.utils import translation

from sotclinic.billing.charge_rules import (
    EXTRASPINAL_REGIONS,
    ServiceRef,
    diagnosis_pointers,
    suggest_lines,
)
from sotclinic.charting.models import ADJUSTMENT_REGIONS, SPINAL_REGIONS

ALL_REGIONS = [code for code, _label in ADJUSTMENT_REGIONS]
EVERY_SET = [
    list(regions)
    for n in range(len(ALL_REGIONS) + 1)
    for regions in itertools.combinations(ALL_REGIONS, n)
]


def expected_us_codes(regions) -> list[str]:
    spinal = len(set(regions) & SPINAL_REGIONS)
    codes = {0: [], 1: ["98940"], 2: ["98940"], 3: ["98941"], 4: ["98941"], 5: ["98942"]}[spinal]
    if set(regions) & EXTRASPINAL_REGIONS:
        codes.append("98943")
    return codes


def us_lines(regions, **extra):
    defaults = {"diagnosis_codes": [], "us_codes": True, "active_care": False, "services": {}}
    return suggest_lines(regions=regions, **{**defaults, **extra})


def test_the_regions_split_into_five_spinal_and_four_extraspinal():
    assert len(SPINAL_REGIONS) == 5
    assert {"head", "upper_extremity", "lower_extremity", "rib_cage"} == EXTRASPINAL_REGIONS


@pytest.mark.parametrize("regions", EVERY_SET, ids=lambda r: "+".join(r) or "none")
def test_every_set_of_regions_suggests_its_cmt_codes_in_a_us_clinic(regions):
    assert [line.code for line in us_lines(regions)] == expected_us_codes(regions)


@pytest.mark.parametrize(
    "count, code", [(1, "98940"), (2, "98940"), (3, "98941"), (4, "98941"), (5, "98942")]
)
def test_the_spinal_region_count_decides_the_code(count, code):
    regions = ["cervical", "thoracic", "lumbar", "sacral", "pelvic"][:count]
    (line,) = us_lines(regions)
    assert line.code == code and line.code_system == "cpt"
    assert line.reason.startswith(f"{count} spinal region(s) adjusted")


def test_extraspinal_regions_give_one_98943_line_however_many():
    lines = us_lines(["head", "upper_extremity", "lower_extremity", "rib_cage"])
    assert [line.code for line in lines] == ["98943"]
    assert "Head (cranial), Upper extremity, Lower extremity, Rib cage" in lines[0].reason
    assert "upper_extremity" not in lines[0].reason


def test_the_reason_names_the_regions_as_a_person_reads_them_in_the_active_language():
    with translation.override("de"):
        (spinal, extraspinal) = us_lines(["cervical", "lumbar", "upper_extremity"])
    assert spinal.reason.endswith(": Zervikal, Lumbal")
    assert extraspinal.reason.endswith(": Obere Extremität")


def test_a_region_listed_twice_counts_once_and_an_unknown_one_not_at_all():
    assert [line.code for line in us_lines(["cervical", "cervical", "tail"])] == ["98940"]


def test_a_visit_with_no_adjustment_suggests_no_us_line():
    assert us_lines([]) == []


def test_active_care_adds_at_to_spinal_manipulation_only():
    lines = us_lines(["cervical", "head"], active_care=True)
    assert [(line.code, line.modifiers) for line in lines] == [("98940", ["AT"]), ("98943", [])]
    assert "active care" in lines[0].reason


def test_an_em_visit_service_gets_25_beside_a_manipulation_that_day():
    em = ServiceRef(id=7, code="99213", code_system="cpt")
    lines = us_lines(["lumbar"], services={"visit": em})
    assert [(line.code, line.modifiers) for line in lines] == [("98940", []), ("99213", ["25"])]
    alone = us_lines([], services={"visit": em})
    assert [(line.code, line.modifiers) for line in alone] == [("99213", [])]
    earlier = us_lines([], services={"visit": em}, same_day_codes=["98941"])
    assert earlier[0].modifiers == ["25"]


def test_a_services_own_modifiers_come_first_and_no_line_gets_more_than_four():
    full = ServiceRef(
        id=1, code="98941", code_system="cpt", default_modifiers=("GP", "GA", "59", "XS")
    )
    lines = us_lines(
        ["cervical", "thoracic", "lumbar"], services={"spinal_3_4": full}, active_care=True
    )
    assert lines[0].modifiers == ["GP", "GA", "59", "XS"]
    own = ServiceRef(id=1, code="98941", code_system="cpt", default_modifiers=("AT",))
    lines = us_lines(
        ["cervical", "thoracic", "lumbar"], services={"spinal_3_4": own}, active_care=True
    )
    assert lines[0].modifiers == ["AT"]


def test_a_us_clinics_mapped_service_is_used_for_its_code():
    mine = ServiceRef(id=3, code="98940", code_system="cpt", default_modifiers=("GP",))
    (line,) = us_lines(["sacral"], services={"spinal_1_2": mine})
    assert line.service == mine and line.modifiers == ["GP"]


@pytest.mark.parametrize("regions", EVERY_SET, ids=lambda r: "+".join(r) or "none")
def test_a_clinic_with_its_own_codes_gets_only_what_it_mapped(regions):
    visit_fee = ServiceRef(id=1, code="V1", code_system="clinic")
    lines = suggest_lines(
        regions=regions,
        diagnosis_codes=["M54.5"],
        us_codes=False,
        active_care=True,
        services={"visit": visit_fee},
    )
    assert [(line.code, line.modifiers) for line in lines] == [("V1", [])]
    assert lines[0].reason == "Signed visit" and lines[0].diagnosis_pointers == [1]


def test_a_clinic_with_its_own_codes_maps_each_band_and_gets_no_us_modifiers():
    services = {
        "spinal_1_2": ServiceRef(id=1, code="A", code_system="clinic"),
        "spinal_3_4": ServiceRef(id=2, code="B", code_system="clinic"),
        "spinal_5": ServiceRef(id=3, code="C", code_system="clinic"),
        "extraspinal": ServiceRef(id=4, code="X", code_system="clinic"),
    }
    for regions, codes in [
        (["cervical"], ["A"]),
        (["cervical", "thoracic", "lumbar", "rib_cage"], ["B", "X"]),
        (sorted(SPINAL_REGIONS) + ["head"], ["C", "X"]),
        (["head"], ["X"]),
    ]:
        lines = suggest_lines(
            regions=regions, diagnosis_codes=[], us_codes=False, active_care=True, services=services
        )
        assert [line.code for line in lines] == codes
        assert all(line.modifiers == [] for line in lines)


@pytest.mark.parametrize(
    "count, pointers", [(0, []), (1, [1]), (3, [1, 2, 3]), (4, [1, 2, 3, 4]), (7, [1, 2, 3, 4])]
)
def test_lines_point_to_the_first_four_diagnoses(count, pointers):
    codes = [f"M54.{n}" for n in range(count)]
    assert diagnosis_pointers(codes) == pointers
    lines = us_lines(["cervical", "head"], diagnosis_codes=codes)
    assert all(line.diagnosis_pointers == pointers for line in lines)
