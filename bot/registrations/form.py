"""Turning untrusted form input into a registration's values, field by field (see fields.py)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from bot.registrations.fields import CONSENT, FIELDS, Field, Kind, Value, Values

RegistrationInput = Values  # the validated, cleaned content of a registration form

_WHOLE_NUMBER = re.compile(r"[0-9]{1,3}(,[0-9]{3})+|[0-9]+")
# Bidirectional overrides are format characters that can make stored text display reversed.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_EMAIL_FORBIDDEN = frozenset(' <>()[]\\,;:"')
_FALSE_WORDS = frozenset({"", "0", "false", "no", "off"})


class _Invalid(ValueError):
    """One field's human-readable error."""


def validate_registration(
    fields: Mapping[str, object],
) -> tuple[RegistrationInput | None, dict[str, str]]:
    """Clean and check form fields; the input, or None and an error message per bad field."""
    values: dict[str, Value] = {}
    errors: dict[str, str] = {}
    for f in FIELDS:
        try:
            values[f.name] = check_value(f, fields.get(f.name))
        except _Invalid as error:
            errors[f.name] = str(error)
    try:
        _consent(fields.get(CONSENT))
    except _Invalid as error:
        errors[CONSENT] = str(error)
    if errors:
        return None, errors
    return Values(values), {}


def check_value(f: Field, value: object) -> Value:
    """The cleaned value of one field, or _Invalid with the message to show under it."""
    if f.kind is Kind.NUMBER:
        return _number(f, value)
    text = _text(value)
    if f.kind is Kind.EMAIL:
        return _email(f, text)
    if f.kind is Kind.CHOICE:
        return _choice(f, text.strip())
    cleaned = clean_text(text, keep_newlines=f.kind is Kind.LONG_TEXT)
    if not cleaned:
        if f.required:
            raise _Invalid(f.missing)
        return cleaned
    if len(cleaned) > f.max_chars:
        raise _Invalid(f"Use {f.max_chars:,} characters or fewer (this has {len(cleaned):,}).")
    return cleaned


def clean_text(value: str, keep_newlines: bool = False) -> str:
    """NFC-normalise, drop control characters and lone surrogates (newlines kept if asked) and
    strip the ends."""
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n"))
    kept = []
    for char in text:
        if char == "\n" and keep_newlines:
            kept.append(char)
        elif char in _BIDI_CONTROLS or unicodedata.category(char) == "Cs":
            continue  # a lone surrogate (JSON can carry one) cannot be stored as UTF-8
        elif unicodedata.category(char) == "Cc":
            # A tab or line break between two words should still separate them.
            kept.append(" " if char.isspace() else "")
        else:
            kept.append(char)
    cleaned = "".join(kept)
    if keep_newlines:
        return "\n".join(line.rstrip() for line in cleaned.split("\n")).strip()
    return " ".join(cleaned.split())


def _text(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Invalid("This must be text.")
    return value


def _number(f: Field, value: object) -> int:
    like = f"Enter the {f.noun} as a whole number, like {f.placeholder or 120}."
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif value is None or isinstance(value, str):
        text = (value or "").strip()
        if not text:
            if f.required:
                raise _Invalid(f.missing)
            return 0
        if not _WHOLE_NUMBER.fullmatch(text):
            raise _Invalid(like)
        number = int(text.replace(",", ""))
    else:
        raise _Invalid(like)
    if not 1 <= number <= f.max_value:
        raise _Invalid(f"Enter a {f.noun} between 1 and {f.max_value:,}.")
    return number


def _choice(f: Field, text: str) -> str:
    if not text and not f.required:
        return ""
    if text not in dict(f.choices):
        raise _Invalid(f.missing or f"Choose {f.noun} from the list.")
    return text


def _email(f: Field, value: str) -> str:
    text = unicodedata.normalize("NFC", value.strip())
    if not text:
        if f.required:
            raise _Invalid(f.missing)
        return ""
    if len(text) > f.max_chars or not looks_like_email(text):
        raise _Invalid(f"Enter an email address like {f.placeholder or 'name@example.gov.uk'}.")
    return text


def looks_like_email(text: str) -> bool:
    """One @, no spaces, control characters or characters an address cannot hold unquoted."""
    if text.count("@") != 1 or any(c in _EMAIL_FORBIDDEN or c.isspace() for c in text):
        return False
    if any(unicodedata.category(c).startswith("C") for c in text):
        return False
    local, domain = text.split("@")
    labels = domain.split(".")
    return bool(local) and len(labels) >= 2 and all(labels)


def _consent(value: object) -> bool:
    given = value.strip().lower() not in _FALSE_WORDS if isinstance(value, str) else bool(value)
    if not given:
        raise _Invalid("Tick the box to agree to being contacted about your registration.")
    return True
