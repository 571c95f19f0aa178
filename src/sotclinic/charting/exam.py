"""The SOT exam form, for embedding in a visit note.

Render ``exam/_exam.html`` inside the visit's own form with ``exam_context(state, prefix)``
merged into the context (or just ``exam_state`` and ``exam_prefix``), and read the posted
fields back with ``parse_exam_post(request.POST, prefix)``. The state is one JSON document::

    {"findings": <POST /api/v1/sot/analyze request body>,
     "recheck": {"<indicator code>": "cleared" | "present"},
     "cmrt": [...], "rc_factors": [...], "cranial": [...], "screening": {...}}

(full shape in ``sotclinic.exam.state``; older states are read too).
"""

from sotclinic.exam.screen import exam_context
from sotclinic.exam.state import empty_state, parse_exam_post

__all__ = ["empty_state", "exam_context", "parse_exam_post"]
