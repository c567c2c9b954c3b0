"""Passages from outside the knowledge directory, added to every build (the team's answers).

Their owner loads and checks them; a build adds the good ones as one more document and reports
the ones left out. The indexer knows nothing of where they come from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from indexer.chunk import Passage
from indexer.model import Problem


@dataclass(frozen=True)
class ExtraPassages:
    """Passages of one document from elsewhere, and the entries left out with their reasons."""

    doc_id: str
    title: str
    passages: tuple[Passage, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def digest(self) -> str:
        """Changes whenever a passage does (an index built from other passages is stale)."""
        return hashlib.sha256(repr(self.passages).encode()).hexdigest()[:16]


ExtraSource = Callable[[], ExtraPassages]
