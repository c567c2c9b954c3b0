"""Generate a knowledge directory of about N passages for benchmarks/index_scale.py.

The bundled knowledge (its pages, pathfinders.csv and synonyms.yaml) is copied, then generated
guidance files of 50 sections each are added until the passage count reaches N. Section text
mixes the bundled knowledge's own words with made-up ones, Zipf-distributed, in sentences, so
the analyser does its usual work (synonym phrases, stop words, stemming) at scale.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np

SECTIONS_PER_FILE = 50
# Words that could spell a note for authors (indexer/author_notes.py), which the build refuses.
_AUTHOR_WORDS = {"todo", "fixme", "tbc", "xxx", "answering", "answer", "bot", "assistant", "note",
                 "notes"}  # fmt: skip
MADE_UP = 30_000


def _made_up_words(rng: np.random.Generator, n: int) -> list[str]:
    syllables = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"]
    words: dict[str, None] = {}
    while len(words) < n:
        count = int(rng.integers(2, 5))
        words["".join(syllables[i] for i in rng.integers(0, len(syllables), count))] = None
    return list(words)


def _real_words(knowledge: Path) -> list[str]:
    text = " ".join(p.read_text("utf-8") for p in sorted((knowledge / "guidance").glob("*.md")))
    seen: dict[str, None] = {}
    for word in re.findall(r"[A-Za-z][a-z]+", text):
        if word.lower() not in _AUTHOR_WORDS:
            seen.setdefault(word.lower(), None)
    return list(seen)


def _page(rng: np.random.Generator, words: list[str], probs: np.ndarray, number: int,
          sections: int) -> str:  # fmt: skip
    head = (
        f"---\ntitle: Generated guidance {number}\nsummary: Generated for the index benchmark.\n"
        f"as_of: 2024-01-01\nsources:\n  - title: Generated source {number}\n"
        f"    url: https://example.org/generated/{number}\n---\n"
    )
    parts = [head]
    lengths = np.clip(rng.normal(90, 25, sections), 30, 180).astype(np.int64)
    ids = rng.choice(len(words), size=int(lengths.sum()) + 4 * sections, p=probs)
    at = 0
    for s, length in enumerate(lengths.tolist()):
        heading = " ".join(words[i] for i in ids[at : at + 4])
        at += 4
        body = [words[i] for i in ids[at : at + length]]
        at += length
        sentences = [" ".join(body[i : i + 15]).capitalize() + "." for i in range(0, length, 15)]
        parts.append(f"## {heading.capitalize()} {s}\n\n{' '.join(sentences)}\n")
    return "\n".join(parts)


def generate(knowledge: Path, dest: Path, passages: int, seed: int = 0) -> int:
    """Write a knowledge directory of about `passages` passages at `dest`; the passage count."""
    from indexer.chunk import passages as chunk
    from indexer.knowledge import load_knowledge

    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(knowledge, dest, ignore=shutil.ignore_patterns("__*"))
    base = len(chunk(load_knowledge(dest)))
    rng = np.random.default_rng(seed)
    words = [w for w in _real_words(knowledge) + _made_up_words(rng, MADE_UP)
             if w not in _AUTHOR_WORDS]  # fmt: skip
    rng.shuffle(words)  # real and made-up words share the frequency ranks
    weights = 1.0 / (np.arange(1, len(words) + 1) + 2.7)
    probs = weights / weights.sum()
    left, number = max(0, passages - base), 0
    while left > 0:
        sections = min(SECTIONS_PER_FILE, left)
        text = _page(rng, words, probs, number, sections)
        (dest / "guidance" / f"generated-{number:05d}.md").write_text(text, "utf-8")
        left -= sections
        number += 1
    return max(passages, base)
