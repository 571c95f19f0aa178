"""Every write of a visit's chart, one transaction each, with its audit row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sotclinic.audit.models import Action
from sotclinic.audit.services import record_access
from sotclinic.exam.selectors import analyze_exam_findings, suggestion_fingerprint
from sotclinic.exam.services import raise_exam_red_flags
from sotclinic.exam.state import cmrt_rows_of
from sotclinic.scheduling.models import ClinicSettings
from sotclinic.sot import INDICATORS, FindingsError

from .diagnosis_codes import EXAMPLES, SYSTEM_NAMES, resolve
from .errors import CannotSign, InvalidDraft, NotAllowed, NoteSigned, StaleDraft
from .models import ADJUSTMENT_REGION_LABELS, Addendum, ExamRecord, Note, Procedures, Visit
from .signals import note_signed


@dataclass
class DraftContent:
    """Everything a practitioner edits on a draft note.

    ``exam_state`` is the exam screen's JSON document; None leaves the stored exam state as it is.
    """

    complaints: str = ""
    pain_score: int | None = None
    objective: str = ""
    exam_state: dict | None = None
    confirmed_category: str = ""
    confirmed_side: str = ""
    override_reason: str = ""
    assessment: str = ""
    diagnosis_codes: list[str] = field(default_factory=list)
    visit_frequency: str = ""
    next_visit: dt.date | None = None
    home_advice: str = ""
    blocking_category: str = ""
    blocking_side: str = ""
    blocking_placements: str = ""
    adjustment_regions: list[str] = field(default_factory=list)
    cranial: str = ""
    cmrt: str = ""
    copy_reviewed: bool = False


NOTE_FIELDS = (
    "complaints",
    "pain_score",
    "objective",
    "assessment",
    "diagnosis_codes",
    "visit_frequency",
    "next_visit",
    "home_advice",
)
EXAM_CHOICE_FIELDS = ("confirmed_category", "confirmed_side", "override_reason")
PROCEDURE_FIELDS = (
    "blocking_category",
    "blocking_side",
    "blocking_placements",
    "adjustment_regions",
    "cranial",
    "cmrt",
)


def _require_practitioner(user) -> None:
    if not getattr(user, "is_practitioner", False):
        raise NotAllowed(_("Only a practitioner may write clinical notes."))


def _locked_note(note_id: int) -> Note:
    return (
        Note.objects.select_for_update(of=("self",))
        .select_related("visit__practitioner", "exam", "procedures")
        .get(pk=note_id)
    )


def _current_version(note_id: int) -> Note:
    return Note.objects.select_related("visit", "exam", "procedures", "updated_by").get(pk=note_id)


def _check_writable(note: Note, expected_version: int) -> None:
    if note.is_signed:
        raise NoteSigned()
    if note.version != expected_version:
        raise StaleDraft(_current_version(note.pk))


def exam_summary(state: dict) -> tuple[dict | None, str, str, list[str]]:
    """The engine's suggestion for an exam state, with the columns the timeline reads.

    Analysed with the clinic's protocol table in force, exactly as the exam screen shows it.
    """
    findings = state.get("findings")
    if not findings:
        return None, "", "", []
    suggestion = analyze_exam_findings(findings).as_dict()
    recheck = state.get("recheck") or {}
    cleared = [code for code in INDICATORS if recheck.get(code) == "cleared"]
    return suggestion, suggestion["category"] or "", suggestion["side"] or "", cleared


def _validate(
    content: DraftContent, suggested: tuple[str, str], malformed_codes: list[str], system: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if content.pain_score is not None and not 0 <= content.pain_score <= 10:
        errors["pain_score"] = "Pain is rated from 0 (none) to 10 (worst imaginable)."
    if malformed_codes:
        errors["diagnosis_codes"] = _(
            "Not in the format of %(system)s: %(codes)s. A code looks like %(example)s."
        ) % {
            "system": SYSTEM_NAMES[system],
            "codes": ", ".join(malformed_codes),
            "example": EXAMPLES[system],
        }
    regions = [r for r in content.adjustment_regions if r not in ADJUSTMENT_REGION_LABELS]
    if regions:
        errors["adjustment_regions"] = f"Unknown region: {', '.join(regions)}."
    if content.confirmed_side and not content.confirmed_category:
        errors["confirmed_category"] = "Choose the category that goes with the side."
    chosen = (content.confirmed_category, content.confirmed_side)
    if content.confirmed_category and chosen != suggested and not content.override_reason.strip():
        errors["override_reason"] = (
            "Your category or side differs from the suggestion; say why in a few words."
        )
    return errors


@transaction.atomic
def start_visit(user, *, appointment=None, patient=None, address: str | None = None) -> Visit:
    """Open the visit for an appointment (creating it the first time) or start a walk-in visit.

    Starting the same appointment twice returns the one visit.
    """
    _require_practitioner(user)
    if appointment is not None:
        existing = Visit.objects.filter(appointment=appointment).first()
        if existing:
            return existing
        patient, practitioner = appointment.patient, appointment.practitioner
        started_at = appointment.start
    else:
        practitioner = getattr(user, "practitioner", None)
        if practitioner is None:
            raise NotAllowed(_("A walk-in visit needs a practitioner profile for your account."))
        started_at = timezone.now()
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                patient=patient,
                practitioner=practitioner,
                appointment=appointment,
                started_at=started_at,
                created_by=user,
            )
    except IntegrityError:
        # Someone started this appointment's visit a moment ago.
        return Visit.objects.get(appointment=appointment)
    note = Note.objects.create(visit=visit, updated_by=user)
    ExamRecord.objects.create(note=note)
    Procedures.objects.create(note=note)
    record_access(user, patient, Action.START_VISIT, f"visit {visit.pk}", address=address)
    return visit


def save_draft(
    note_id: int,
    user,
    expected_version: int,
    content: DraftContent,
    address: str | None = None,
) -> Note:
    """Save a draft note if nobody saved it since ``expected_version``; bump its version.

    Raises NoteSigned for a signed note, StaleDraft (carrying the stored version) when someone
    saved in between, InvalidDraft with field messages for content the form could not check.
    A refused stale save is audit-logged too.
    """
    try:
        return _save_draft(note_id, user, expected_version, content, address)
    except StaleDraft as conflict:
        # Written after the save's transaction has rolled back, so the row is kept.
        visit = conflict.current.visit
        record_access(user, visit.patient_id, Action.SAVE_CONFLICT, f"visit {visit.pk}", address)
        raise


@transaction.atomic
def _save_draft(
    note_id: int, user, expected_version: int, content: DraftContent, address: str | None
) -> Note:
    _require_practitioner(user)
    note = _locked_note(note_id)
    _check_writable(note, expected_version)
    exam = note.exam
    state = exam.state if content.exam_state is None else content.exam_state
    old_layout = cmrt_rows_of(exam.state or {})[1]
    if old_layout and state is not exam.state and "cmrt_old" not in state:
        # The form cannot edit CMRT rows kept under the old layout; they stay with the exam.
        state = {**state, "cmrt_old": old_layout}
    try:
        suggestion, category, side, cleared = exam_summary(state)
    except FindingsError as error:
        raise InvalidDraft({"exam": str(error)}) from error
    # New codes are coded in the clinic's system; codes the note held keep theirs.
    system = ClinicSettings.load().diagnosis_codes
    codes, malformed = resolve(content.diagnosis_codes, note.diagnosis_codes, system)
    errors = _validate(content, (category, side), malformed, system)
    if errors:
        raise InvalidDraft(errors)

    for name in NOTE_FIELDS:
        setattr(note, name, getattr(content, name))
    note.diagnosis_codes = codes
    if note.copy_review_pending and content.copy_reviewed:
        note.copy_review_pending = False
    note.version += 1
    note.updated_at = timezone.now()
    note.updated_by = user
    note.save()

    exam.state = state
    exam.suggestion = suggestion
    exam.suggested_category, exam.suggested_side, exam.cleared_indicators = category, side, cleared
    for name in EXAM_CHOICE_FIELDS:
        setattr(exam, name, getattr(content, name))
    exam.save()
    raise_exam_red_flags(note.visit.patient, state)

    procedures = note.procedures
    for name in PROCEDURE_FIELDS:
        setattr(procedures, name, getattr(content, name))
    procedures.save()
    record_access(user, note.visit.patient_id, Action.SAVE_DRAFT, f"visit {note.visit_id}", address)
    return note


def previous_visit_with_exam(visit: Visit) -> Visit | None:
    """The patient's latest earlier visit whose exam recorded findings."""
    return (
        Visit.objects.with_findings()
        .filter(patient_id=visit.patient_id, started_at__lt=visit.started_at)
        .exclude(pk=visit.pk)
        .select_related("note", "note__exam")
        .order_by("-started_at", "-id")
        .first()
    )


@transaction.atomic
def copy_forward(note_id: int, user, expected_version: int, address: str | None = None) -> Note:
    """Copy the last visit's exam findings, diagnoses and objective text into this draft.

    The copy is flagged: signing is refused until the practitioner marks it reviewed. The
    re-check results and the checks before neck work (blood pressure, neurological screen) are
    not copied; they belong to the visit they were made in.
    """
    _require_practitioner(user)
    note = _locked_note(note_id)
    _check_writable(note, expected_version)
    source_visit = previous_visit_with_exam(note.visit)
    if source_visit is None:
        raise InvalidDraft({}, "There is no earlier visit with exam findings to copy.")
    source = source_visit.note
    source_state = source.exam.state or {}
    state = {
        "findings": source_state.get("findings") or {"indicators": []},
        "recheck": {},
        "cmrt": list(source_state.get("cmrt") or []),
        "rc_factors": list(source_state.get("rc_factors") or []),
        "cranial": list(source_state.get("cranial") or []),
    }
    if source_state.get("cmrt_old"):
        state["cmrt_old"] = list(source_state["cmrt_old"])
    note.objective = source.objective
    note.diagnosis_codes = list(source.diagnosis_codes)
    note.copied_from = source
    note.copy_review_pending = True
    note.version += 1
    note.updated_at = timezone.now()
    note.updated_by = user
    note.save()
    exam = note.exam
    exam.state = state
    exam.suggestion, exam.suggested_category, exam.suggested_side, exam.cleared_indicators = (
        exam_summary(state)
    )
    exam.save()
    record_access(
        user,
        note.visit.patient_id,
        Action.COPY_FORWARD,
        f"visit {note.visit_id} from visit {source_visit.pk}",
        address,
    )
    return note


def may_sign(visit: Visit, user) -> bool:
    """Only the practitioner who saw the patient signs the visit's note."""
    return getattr(user, "is_practitioner", False) and visit.practitioner.user_id == user.pk


def not_the_signer_message(visit: Visit) -> str:
    return (
        f"Only {visit.practitioner.display_name}, who saw the patient, can sign this note; "
        "you can add an addendum once it is signed."
    )


def _check_category_decision(exam: ExamRecord) -> None:
    if exam.suggested_category and not exam.confirmed_category:
        raise CannotSign(
            _(
                "The exam suggests Category %(suggested_category)s. Confirm it, or choose "
                "another and say why, before signing."
            )
            % {"suggested_category": exam.suggested_category}
        )
    if exam.is_override and not exam.override_reason.strip():
        raise CannotSign(
            _(
                "Your category or side differs from the suggestion; say why in a few words "
                "before signing."
            )
        )


@transaction.atomic
def start_visit_with_last_findings(
    user, appointment, address: str | None = None
) -> tuple[Visit, bool]:
    """Open the appointment's visit and copy the last visit's findings into its new draft.

    Returns the visit and whether findings were copied. A draft that someone has already saved
    is left as it is, and so is a patient with no earlier findings. The copy must be reviewed
    before signing, as with ``copy_forward``.
    """
    visit = start_visit(user, appointment=appointment, address=address)
    note = Note.objects.get(pk=visit.note.pk)
    if note.version != 1 or note.copied_from_id or previous_visit_with_exam(visit) is None:
        return visit, False
    copy_forward(note.pk, user, note.version, address)
    return visit, True


def _refresh_suggestion(exam: ExamRecord, shown_suggestion: str | None) -> None:
    # The clinic may have edited its protocol table since the draft was saved: the note keeps
    # the suggestion as analysed now, which is what the visit page shows, and never one the
    # practitioner did not see.
    suggestion, category, side, cleared = exam_summary(exam.state or {})
    shown_differs = shown_suggestion and suggestion_fingerprint(suggestion) != shown_suggestion
    if suggestion is not None and shown_differs:
        raise CannotSign(
            _(
                "The suggestion on your screen was out of date (the clinic's protocol table "
                "changed while this note was open, or the findings changed as you signed). "
                "The draft is saved; check the suggestion as it stands now and sign again."
            )
        )
    if suggestion != exam.suggestion:
        exam.suggestion = suggestion
        exam.suggested_category, exam.suggested_side, exam.cleared_indicators = (
            category,
            side,
            cleared,
        )
        exam.save()


@transaction.atomic
def sign_note(
    note_id: int,
    user,
    expected_version: int,
    address: str | None = None,
    shown_suggestion: str | None = None,
) -> Note:
    """Sign the note as it stands at ``expected_version``. From then on it never changes.

    Only the visit's own practitioner signs, and only once the copied findings are reviewed and
    the exam's suggested category is confirmed or overridden with a reason. The stored
    suggestion is analysed again with the clinic's protocol table in force; when the page gives
    the fingerprint of the suggestion it showed (``suggestion_fingerprint``) and the two differ,
    signing is refused with CannotSign and nothing changes.
    """
    _require_practitioner(user)
    note = _locked_note(note_id)
    if not may_sign(note.visit, user):
        raise NotAllowed(not_the_signer_message(note.visit))
    _check_writable(note, expected_version)
    if note.copy_review_pending:
        raise CannotSign(
            _(
                "Findings were copied from an earlier visit. Review them, tick "
                "“I have reviewed the copied findings” and save before signing."
            )
        )
    try:
        _refresh_suggestion(note.exam, shown_suggestion)
    except FindingsError as error:
        raise CannotSign(
            _("The exam findings cannot be analysed: %(error)s") % {"error": error}
        ) from error
    _check_category_decision(note.exam)
    note.signed_at = timezone.now()
    note.signed_by = user
    note.save(update_fields=["signed_at", "signed_by"])
    note_signed.send(sender=Note, note=note, user=user)
    record_access(user, note.visit.patient_id, Action.SIGN_NOTE, f"visit {note.visit_id}", address)
    return note


@transaction.atomic
def add_addendum(note_id: int, user, text: str, address: str | None = None) -> Addendum:
    """Append a correction or addition to a signed note, with its author and time."""
    _require_practitioner(user)
    note = Note.objects.select_related("visit").get(pk=note_id)
    if not note.is_signed:
        raise InvalidDraft({}, "This note is still a draft; change it directly.")
    if not text.strip():
        raise InvalidDraft({"text": "Write the addendum first."})
    addendum = Addendum.objects.create(note=note, author=user, text=text.strip())
    record_access(
        user, note.visit.patient_id, Action.ADD_ADDENDUM, f"visit {note.visit_id}", address
    )
    return addendum
