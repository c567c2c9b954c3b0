"""What a registration of interest may contain, and turning untrusted form input into it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

STAGES: tuple[tuple[str, str], ...] = (
    ("just_exploring", "Just exploring"),
    ("business_case", "Building a business case"),
    ("ready", "Ready to spin out"),
    ("spun_out", "Already spun out"),
)
STAGE_LABELS: dict[str, str] = dict(STAGES)

REGIONS: tuple[str, ...] = (
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
    "Scotland",
    "Wales",
    "Northern Ireland",
    "UK-wide",
)

MAX_NAME_CHARS = 200
MAX_DESCRIPTION_CHARS = 1000
MAX_EMAIL_CHARS = 254
MAX_STAFF_COUNT = 1_000_000

_WHOLE_NUMBER = re.compile(r"[0-9]{1,3}(,[0-9]{3})+|[0-9]+")
# Bidirectional overrides are format characters that can make stored text display reversed.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_EMAIL_FORBIDDEN = frozenset(' <>()[]\\,;:"')
_FALSE_WORDS = frozenset({"", "0", "false", "no", "off"})

T = TypeVar("T")


@dataclass(frozen=True)
class RegistrationInput:
    """The validated, cleaned content of a registration form."""

    organisation: str
    service: str
    staff_count: int
    region: str
    stage: str
    description: str
    email: str


class _Invalid(ValueError):
    """One field's human-readable error."""


class _Checker:
    """Runs one check per field, collecting each failure's message under the field's name."""

    def __init__(self, fields: Mapping[str, object]) -> None:
        self.fields = fields
        self.errors: dict[str, str] = {}

    def __call__(self, name: str, check: Callable[[object], T], fallback: T) -> T:
        try:
            return check(self.fields.get(name))
        except _Invalid as error:
            self.errors[name] = str(error)
            return fallback


def validate_registration(
    fields: Mapping[str, object],
) -> tuple[RegistrationInput | None, dict[str, str]]:
    """Clean and check form fields; the input, or None and an error message per bad field."""
    check = _Checker(fields)
    data = RegistrationInput(
        organisation=check("organisation", lambda v: _name(v, "your organisation"), ""),
        service=check("service", lambda v: _name(v, "your service or team"), ""),
        staff_count=check("staff_count", _staff_count, 0),
        region=check("region", _region, ""),
        stage=check("stage", _stage, ""),
        description=check("description", _description, ""),
        email=check("email", _email, ""),
    )
    check("consent", _consent, False)
    if check.errors:
        return None, check.errors
    return data, {}


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


def _name(value: object, what: str) -> str:
    text = clean_text(_text(value))
    if not text:
        raise _Invalid(f"Enter {what}.")
    _check_length(text, MAX_NAME_CHARS)
    return text


def _check_length(text: str, limit: int) -> None:
    if len(text) > limit:
        raise _Invalid(f"Use {limit:,} characters or fewer (this has {len(text):,}).")


def _staff_count(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif value is None or isinstance(value, str):
        text = (value or "").strip()
        if not text:
            raise _Invalid("Enter the approximate number of staff.")
        if not _WHOLE_NUMBER.fullmatch(text):
            raise _Invalid("Enter the number of staff as a whole number, like 120.")
        number = int(text.replace(",", ""))
    else:
        raise _Invalid("Enter the number of staff as a whole number, like 120.")
    if not 1 <= number <= MAX_STAFF_COUNT:
        raise _Invalid(f"Enter a number of staff between 1 and {MAX_STAFF_COUNT:,}.")
    return number


def _region(value: object) -> str:
    text = _text(value).strip()
    if text not in REGIONS:
        raise _Invalid("Choose a region or nation from the list.")
    return text


def _stage(value: object) -> str:
    text = _text(value).strip()
    if text not in STAGE_LABELS:
        raise _Invalid("Choose a stage from the list.")
    return text


def _description(value: object) -> str:
    text = clean_text(_text(value), keep_newlines=True)
    _check_length(text, MAX_DESCRIPTION_CHARS)
    return text


def _email(value: object) -> str:
    text = unicodedata.normalize("NFC", _text(value).strip())
    if not text:
        raise _Invalid("Enter a contact email address.")
    if len(text) > MAX_EMAIL_CHARS or not _looks_like_email(text):
        raise _Invalid("Enter an email address like name@example.gov.uk.")
    return text


def _looks_like_email(text: str) -> bool:
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
