"""The one declaration of what a registration of interest holds.

Each `Field` names a value the modal asks for. The modal, its validation, the stored columns
and the upsert, change detection, every message about a registration, the CSV export and the
command-line table are all derived from `FIELDS`: adding a field means adding one entry here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any


class Kind(Enum):
    """How a field is asked for, checked and stored."""

    TEXT = "text"  # one line of text
    LONG_TEXT = "long_text"  # several lines
    NUMBER = "number"  # a whole number, typed (commas allowed)
    CHOICE = "choice"  # one of `choices`, from a menu (or radio buttons)
    EMAIL = "email"  # an email address, prefilled from the Slack profile


Value = str | int

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
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")  # a field name is also a column name


@dataclass(frozen=True)
class Field:
    """One value of a registration: how it is asked, checked, stored and shown."""

    name: str  # the column, the CSV header and the modal's action id
    label: str  # the modal's label
    kind: Kind
    missing: str = ""  # the error when it is left empty; "" makes the field optional
    noun: str = ""  # what error messages call it ("number of staff", "a region or nation")
    max_chars: int = MAX_NAME_CHARS
    max_value: int = 0  # NUMBER: the largest allowed (the smallest is 1)
    choices: tuple[tuple[str, str], ...] = ()  # CHOICE: (stored value, label shown)
    radio: bool = False  # CHOICE: radio buttons rather than a menu
    hint: str = ""
    placeholder: str = ""
    display: str = ""  # its label in messages (default: label)
    short: str = ""  # its column heading in tables, and a number's unit ("120 staff")
    for_admins: bool = True  # in the admin channel notice, the summary and the CLI table
    counted: bool = False  # the admin summary counts registrations per choice

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"field name {self.name!r} must be a lowercase identifier")
        if self.kind is Kind.CHOICE and not self.choices:
            raise ValueError(f"choice field {self.name!r} has no choices")

    @property
    def required(self) -> bool:
        return bool(self.missing)

    @property
    def heading(self) -> str:
        return self.short or self.name

    @property
    def title(self) -> str:
        return self.display or self.label

    @property
    def empty(self) -> Value:
        """What an empty optional field stores."""
        return 0 if self.kind is Kind.NUMBER else ""

    def shown(self, value: object) -> str:
        """The value as people read it: a choice's label, a number with thousands commas."""
        if self.kind is Kind.NUMBER and isinstance(value, int):
            return f"{value:,}"
        if self.kind is Kind.CHOICE:
            return dict(self.choices).get(str(value), str(value))
        return str(value)

    def brief(self, value: object) -> str:
        """The value in a one-line summary: a number with its unit ("1,200 staff")."""
        shown = self.shown(value)
        return f"{shown} {self.short}" if self.kind is Kind.NUMBER and self.short else shown


FIELDS: tuple[Field, ...] = (
    Field(
        "organisation", "Organisation", Kind.TEXT, missing="Enter your organisation.",
        hint="Your department, agency, council or NHS body.",
    ),
    Field("service", "Service or team", Kind.TEXT, missing="Enter your service or team."),
    Field(
        "staff_count", "Approximate number of staff in the service", Kind.NUMBER,
        missing="Enter the approximate number of staff.", noun="number of staff",
        max_chars=12, max_value=MAX_STAFF_COUNT, placeholder="120", display="Staff", short="staff",
        hint=f"A whole number from 1 to {MAX_STAFF_COUNT:,}.",
    ),
    Field(
        "region", "Region or nation", Kind.CHOICE,
        missing="Choose a region or nation from the list.", noun="a region or nation",
        choices=tuple((r, r) for r in REGIONS), placeholder="Choose a region or nation",
        counted=True,
    ),
    Field(
        "stage", "Stage", Kind.CHOICE, missing="Choose a stage from the list.", noun="a stage",
        choices=STAGES, radio=True, counted=True,
    ),
    Field(
        "description", "Short description", Kind.LONG_TEXT, max_chars=MAX_DESCRIPTION_CHARS,
        display="Description",
        hint=f"What the service does, and why a mutual (at most {MAX_DESCRIPTION_CHARS:,} "
        "characters).",
        for_admins=False,
    ),
    Field(
        "email", "Contact email", Kind.EMAIL, missing="Enter a contact email address.",
        max_chars=MAX_EMAIL_CHARS, placeholder="name@example.gov.uk", for_admins=False,
    ),
)  # fmt: skip

# The fields that name a registration in one line ("Organisation (Service)").
TITLE_FIELDS = ("organisation", "service")

# Consent is asked for on every submission and stored as a time (consented_at), not a value.
CONSENT = "consent"
CONSENT_TEXT = "The mutuals team may contact me about forming a mutual"


def field(name: str) -> Field:
    """The declared field called `name` (KeyError if there is none)."""
    for f in FIELDS:
        if f.name == name:
            return f
    raise KeyError(name)


def names() -> tuple[str, ...]:
    return tuple(f.name for f in FIELDS)


class Values(Mapping[str, Value]):
    """A registration's values by field name; also readable as attributes (`values.email`)."""

    def __init__(self, values: Mapping[str, Value]) -> None:
        self._values = {f.name: values.get(f.name, f.empty) for f in FIELDS}

    def __getitem__(self, name: str) -> Value:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    def __hash__(self) -> int:
        return hash(tuple(self._values.items()))

    def __repr__(self) -> str:
        return f"Values({self._values!r})"
