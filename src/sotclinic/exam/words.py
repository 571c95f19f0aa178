"""SOT categories, sides and table positions in the reader's language: the one table of them.

The engine and the records store codes ("II", "left", "bilateral", "prone"); every page, form
choice and sentence that shows one goes through here (in templates: ``{% load sot_words %}``
then ``{{ code|side_words }}``, ``{{ code|category_name }}``, ``{{ code|position_words }}``), so
a German page never mixes "Category III" with "Kategorie III" or "left" with "links".
An unknown code is shown as stored, never dropped.
"""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# In running text: "Seite links", "Block links", "(Kat. II, beidseitig)".
SIDE_WORDS = {"left": _("left"), "right": _("right"), "bilateral": _("both sides")}
# As a choice of its own (a button or a select option).
SIDE_SHORT = {"left": _("Left"), "right": _("Right"), "bilateral": _("Both")}
# The patient's position on the table, as it reads after "patient" / "blocked".
POSITION_WORDS = {"prone": _("prone"), "supine": _("supine")}
# How an anatomical short leg was found.
ANATOMICAL_STATUS_WORDS = {"measured": _("measured"), "suspected": _("suspected")}


def side_words(side: str | None) -> str:
    """``left`` -> "left" / "links"; an empty side is empty."""
    if not side:
        return ""
    return str(SIDE_WORDS.get(side, side))


def side_short(side: str | None) -> str:
    """``left`` -> "Left" / "Links", for a choice standing on its own."""
    if not side:
        return ""
    return str(SIDE_SHORT.get(side, side))


def category_name(category: str | None) -> str:
    """``III`` -> "Category III" / "Kategorie III"; an empty category is empty."""
    if not category:
        return ""
    return gettext("Category %(category)s") % {"category": category}


def position_words(position: str | None) -> str:
    """``prone`` -> "prone" / "Bauchlage"."""
    if not position:
        return ""
    return str(POSITION_WORDS.get(position, position))


# For model and form choices, read when shown.
category_name_lazy = lazy(category_name, str)
side_short_lazy = lazy(side_short, str)
