"""The SOT engine: findings in, a suggested category, side and blocking protocol out.

Pure Python with no Django import, so it can be tested exhaustively and reused anywhere.

Typical use (what ``POST /api/v1/sot/analyze`` does)::

    findings = validate_findings(request_body)   # FindingsError (a ValueError) → 422
    result = analyze(findings, clinic_table)      # never raises on typed findings
    response_body = result.as_dict()

The domain rules are data in ``sotclinic/sot/data/`` with a source beside each entry: the
indicator registry, the block-placement table (a clinic can pass its own), the leg-check methods
and notes, the CMRT layouts (version 1 by fiber position, version 2 by line kind and area, with
the mapping between them), the R+C factor pairs and the cranial list with its evidence
statement. The category and side rules are set out in ``sotclinic.sot.analysis``; analyses carry
``engine_version`` "2", and a body in the version-1 shape analyses exactly as it did under "1"
apart from that field.

Evidence, stated plainly: the engine records findings and suggests what Sacro Occipital Technique
prescribes for them. It makes no claim that the method, its indicators or its blocking work; the
published reliability of several indicators (leg-length checks, the arm fossa test) is limited,
and SOT's claims about cerebrospinal fluid and health are not established. The result is a
suggestion for a practitioner, who confirms or overrides it.
"""

from ._data import text_variants
from .analysis import (
    ANATOMICAL_SHORT_LEG_REASON_CODE,
    ENGINE_VERSION,
    LEG_CHECK_DISAGREEMENT_REASON_CODE,
    LEG_LENGTH_REASON_CODE,
    RESERVED_REASON_CODES,
    Analysis,
    Protocol,
    Reason,
    analyze,
    merge_indicators,
)
from .cmrt import (
    CMRT_AREA_TABLE,
    CMRT_AREAS,
    CMRT_LAYOUT_SOURCE,
    CMRT_LINE_KINDS,
    CMRT_LINES,
    CMRT_POSITIONS,
    OCCIPITAL_LINES,
    OLD_LAYOUT_LABEL,
    TRAPEZIUS_SOURCE,
    VERTEBRAL_LEVELS,
    CmrtArea,
    CmrtFiber,
    CmrtFinding,
    CmrtLookup,
    CmrtMigration,
    CmrtReflexArea,
    OccipitalLine,
    area_level,
    cmrt_fiber,
    cmrt_fibers,
    cmrt_lookup,
    cmrt_reflex_areas,
    map_v1_cmrt_entry,
    reflex_area_for_level,
    validate_area_levels,
    validate_cmrt_finding,
    validate_cmrt_findings,
)
from .cranial import (
    CRANIAL_EVIDENCE,
    CRANIAL_ITEMS,
    CranialItem,
    EvidenceStatement,
    get_cranial_item,
)
from .errors import FieldErrors, FindingsError, ProtocolTableError
from .findings import (
    Findings,
    IndicatorFinding,
    LegLength,
    mirror_findings,
    validate_findings,
)
from .indicators import INDICATORS, Indicator, get_indicator, indicators_in_category
from .leg_checks import (
    ANATOMICAL_SHORT_LEG_NOTE,
    CONFIDENCE_LEVELS,
    DISAGREEMENT_NOTE,
    LEG_CHECK_METHODS,
    AnatomicalShortLeg,
    LegCheck,
)
from .protocols import (
    Block,
    CategoryProtocol,
    ProtocolTable,
    default_protocol_table,
    validate_protocol_table,
)
from .rc_factors import RC_PAIRS, RcFinding, RcPair, parse_rc_factors, validate_rc_finding
from .vocabulary import CATEGORIES, LATERAL_SIDES, POSITIONS, SIDES, mirror_side

__all__ = [
    "text_variants",
    "CRANIAL_EVIDENCE",
    "RC_PAIRS",
    "EvidenceStatement",
    "RcFinding",
    "RcPair",
    "parse_rc_factors",
    "validate_rc_finding",
    "CMRT_AREAS",
    "CMRT_AREA_TABLE",
    "CMRT_LINE_KINDS",
    "OCCIPITAL_LINES",
    "OLD_LAYOUT_LABEL",
    "TRAPEZIUS_SOURCE",
    "CmrtArea",
    "CmrtFinding",
    "CmrtMigration",
    "OccipitalLine",
    "area_level",
    "map_v1_cmrt_entry",
    "validate_area_levels",
    "validate_cmrt_finding",
    "validate_cmrt_findings",
    "ANATOMICAL_SHORT_LEG_NOTE",
    "ANATOMICAL_SHORT_LEG_REASON_CODE",
    "CONFIDENCE_LEVELS",
    "DISAGREEMENT_NOTE",
    "LEG_CHECK_DISAGREEMENT_REASON_CODE",
    "LEG_CHECK_METHODS",
    "RESERVED_REASON_CODES",
    "AnatomicalShortLeg",
    "LegCheck",
    "CATEGORIES",
    "CMRT_LAYOUT_SOURCE",
    "CMRT_LINES",
    "CMRT_POSITIONS",
    "CRANIAL_ITEMS",
    "ENGINE_VERSION",
    "INDICATORS",
    "LATERAL_SIDES",
    "LEG_LENGTH_REASON_CODE",
    "POSITIONS",
    "SIDES",
    "VERTEBRAL_LEVELS",
    "Analysis",
    "Block",
    "CategoryProtocol",
    "CmrtFiber",
    "CmrtLookup",
    "CmrtReflexArea",
    "CranialItem",
    "FieldErrors",
    "Findings",
    "FindingsError",
    "Indicator",
    "IndicatorFinding",
    "LegLength",
    "Protocol",
    "ProtocolTable",
    "ProtocolTableError",
    "Reason",
    "analyze",
    "cmrt_fiber",
    "cmrt_fibers",
    "cmrt_lookup",
    "cmrt_reflex_areas",
    "default_protocol_table",
    "get_cranial_item",
    "get_indicator",
    "indicators_in_category",
    "merge_indicators",
    "mirror_findings",
    "mirror_side",
    "reflex_area_for_level",
    "validate_findings",
    "validate_protocol_table",
]
