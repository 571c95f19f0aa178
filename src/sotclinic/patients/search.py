"""How the search box compares text: names without accents or case, phone numbers as their
digits, e-mail addresses in lower case. The patient's search columns hold these forms (kept by
the model on every save) and the search folds what is typed the same way."""

import re
import unicodedata

_NOT_DIGIT = re.compile(r"\D")


def fold(text: str) -> str:
    """Lower case without accents: "Müller" and "muller" compare equal, "Ætna" is "aetna"."""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped.replace("æ", "ae").replace("ø", "o"))


def digits(text) -> str:
    """Only the digits of a phone number as stored, whatever its format ("+44 7700 900123")."""
    return _NOT_DIGIT.sub("", str(text or ""))
