"""How much of the knowledge's wording is copied from its sources: shared 10-word runs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

N = 10  # words in a run
MAX_SHARE = 0.03  # the knowledge is in its own words when under 3% of its runs are shared
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Overlap:
    shared: int  # the knowledge's runs that also occur in a source
    total: int  # all the knowledge's runs

    @property
    def share(self) -> float:
        return self.shared / self.total if self.total else 0.0


def ngrams(text: str, n: int = N) -> Iterator[tuple[str, ...]]:
    """Every run of `n` consecutive lower-cased words."""
    words = _WORD.findall(text.casefold())
    return (tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def source_texts(directory: Path) -> list[str]:
    """The text of every file directly in `directory` (the briefing and fact sheets)."""
    return [p.read_text(encoding="utf-8", errors="replace") for p in sorted(directory.iterdir())
            if p.is_file()]  # fmt: skip


def overlap(knowledge: Iterable[str], sources: Iterable[str], n: int = N) -> Overlap:
    """The share of the knowledge's `n`-word runs (counted with repeats) found in the sources."""
    seen = {gram for text in sources for gram in ngrams(text, n)}
    shared = total = 0
    for text in knowledge:
        for gram in ngrams(text, n):
            total += 1
            shared += gram in seen
    return Overlap(shared, total)
