"""Encode a chunk of passages as term ids, analysing each distinct piece of text only once.

Ten million tokens at 100k passages are a few hundred thousand distinct pieces (runs of text
between white space: "pension", "Pension", "pension."). An encoder keeps, for the process's
life, each piece's words as found and each found word's index tokens (`Analyser.surface`), both
as small integer ids; a text is then split on white space and looked up piece by piece, and the
token ids are expanded, counted and numbered with numpy. Only a text holding a word where a
synonym phrase or name may start goes through the analyser's phrase search
(`Analyser.phrase_tokens`). The tokens are exactly `Analyser.index_tokens(Analyser.read(text))`
(tests/test_index_parts.py checks it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import chain, compress, count

import numpy as np
import numpy.typing as npt

from indexer.analyse import Analyser, Surface

IntArray = npt.NDArray[np.int64]


class _Pieces(dict[str, tuple[int, ...]]):
    """A piece of text -> the ids of its words as found, made the first time it is met."""

    def __init__(self, encoder: ChunkEncoder) -> None:
        super().__init__()
        self._encoder = encoder

    def __missing__(self, piece: str) -> tuple[int, ...]:
        ids = self[piece] = self._encoder.add_piece(piece)
        return ids


class ChunkEncoder:
    """One process's tables: pieces, words as found, tokens; see the module docstring.

    A "sequence id" stands for a short run of tokens: each word as found has one (its index
    tokens, often one, none for a stop word), and so has each token a phrase search gives.
    """

    def __init__(self, analyser: Analyser, title_weight: int, section_weight: int) -> None:
        self.analyser = analyser
        self._weights = (title_weight, section_weight)
        self._pieces = _Pieces(self)
        self._starting: set[str] = set()  # pieces holding a word where a phrase may start
        self._found: dict[str, int] = {}  # word as found -> its sequence id
        self._found_words: list[str | None] = []  # sequence id -> word as found (None: a token)
        self._surfaces: dict[int, Surface] = {}  # a word as found's sequence id -> its analysis
        self._starters: set[int] = set()  # words as found where a phrase may start
        self._several: set[int] = set()  # words as found that are shorthand for several
        self._folded_ids: dict[str, int] = {}  # the speller's words (folded), numbered
        self._folded: list[str] = []
        self._folded_of: list[int] = []  # sequence id -> its one folded word's id, or -1
        self._single: dict[str, int] = {}  # token -> the sequence id of it alone
        self._token_ids: dict[str, int] = {}
        self._tokens: list[str] = []  # token id -> token
        self._run_start: list[int] = []  # sequence id -> where its tokens start in _runs
        self._run_length: list[int] = []
        self._runs: list[int] = []  # every sequence's token ids, one after another

    def add_piece(self, piece: str) -> tuple[int, ...]:
        found = self.analyser.find(piece)
        if any(self.analyser.surface(word).starts for word in found):
            self._starting.add(piece)
        return tuple(self._found_id(word) for word in found)

    def _found_id(self, word: str) -> int:
        sid = self._found.get(word)
        if sid is None:
            surface = self.analyser.surface(word)
            sid = self._found[word] = self._add_run(surface.tokens, word)
            self._surfaces[sid] = surface
            self._folded_of[sid] = (
                self._folded_id(surface.words[0]) if len(surface.words) == 1 else -1
            )
            if surface.starts:
                self._starters.add(sid)
            if len(surface.words) != 1:
                self._several.add(sid)
        return sid

    def _folded_id(self, word: str) -> int:
        fid = self._folded_ids.get(word)
        if fid is None:
            fid = self._folded_ids[word] = len(self._folded)
            self._folded.append(word)
        return fid

    def _single_id(self, token: str) -> int:
        sid = self._single.get(token)
        if sid is None:
            sid = self._single[token] = self._add_run((token,), None)
        return sid

    def _add_run(self, tokens: Sequence[str], word: str | None) -> int:
        self._run_start.append(len(self._runs))
        self._run_length.append(len(tokens))
        for token in tokens:
            tid = self._token_ids.get(token)
            if tid is None:
                tid = self._token_ids[token] = len(self._tokens)
                self._tokens.append(token)
            self._runs.append(tid)
        self._found_words.append(word)
        self._folded_of.append(-1)  # set by _found_id for a word as found
        return len(self._found_words) - 1

    def text(self, text: str) -> tuple[list[int], list[int]]:
        """A text's tokens as sequence ids, and its words as found (as their sequence ids)."""
        pieces = self.analyser.normalise(text).split()
        words = list(chain.from_iterable(map(self._pieces.__getitem__, pieces)))
        if self._starting.isdisjoint(pieces):
            return words, words
        if not self._several.isdisjoint(words):  # shorthand for several words: rare
            found = [self._found_words[w] or "" for w in words]  # words as found are never None
            return [self._single_id(t) for t in self.analyser.phrase_tokens(found)], words
        return self._phrases(words), words

    def _phrases(self, words: list[int]) -> list[int]:
        """A text's tokens where a phrase may start, each of its words found being one word."""
        surfaces, longest = self._surfaces, self.analyser.longest_phrase
        out: list[int] = []
        i = 0
        for at in compress(count(), map(self._starters.__contains__, words)):
            if at < i:  # inside a phrase already matched
                continue
            out += words[i:at]
            i = at
            match = self.analyser.phrase([surfaces[w] for w in words[at : at + longest]])
            if match is not None:
                size, tokens = match
                out += [self._single_id(t) for t in tokens]
                i = at + size
        out += words[i:]
        return out

    def encode(
        self, texts: Sequence[tuple[str, str, str]]
    ) -> tuple[list[str], npt.NDArray[np.int32], npt.NDArray[np.int32], Counter[str]]:
        """(title, section, text) passages -> their terms in order of first occurrence, token
        ids (title tokens weighted), tokens per passage, and the counts of the words used."""
        title_weight, section_weight = self._weights
        sequence: list[int] = []
        counts: list[int] = []  # sequence ids per passage
        used: list[int] = []  # words as found, every passage's
        titles: dict[str, tuple[list[int], list[int]]] = {}  # a page's passages share its title
        for title, section, text in texts:
            known = titles.get(title)
            if known is None:
                known = titles[title] = self.text(title)
            section_tokens, section_words = self.text(section)
            text_tokens, text_words = self.text(text)
            ids = known[0] * title_weight + section_tokens * section_weight + text_tokens
            sequence += ids
            counts.append(len(ids))
            used += known[1]
            used += section_words
            used += text_words
        terms, token_ids, lengths = self._expand(sequence, counts)
        return terms, token_ids, lengths, self._words(used)

    def _expand(
        self, sequence: list[int], counts: list[int]
    ) -> tuple[list[str], npt.NDArray[np.int32], npt.NDArray[np.int32]]:
        """Sequence ids -> token ids numbered in order of first occurrence, and lengths."""
        starts = np.array(self._run_start, dtype=np.int64)
        widths = np.array(self._run_length, dtype=np.int64)
        runs = np.array(self._runs, dtype=np.int64)
        seq = np.array(sequence, dtype=np.int64)
        lengths = widths[seq]
        ends = np.cumsum(lengths)
        total = int(ends[-1]) if ends.size else 0
        at = np.repeat(starts[seq] - (ends - lengths), lengths) + np.arange(total)
        token_ids = runs[at]
        # First occurrences: distinct sequences in order of theirs, then their tokens in order.
        order = list(dict.fromkeys(sequence))
        first = dict.fromkeys(chain.from_iterable(
            self._runs[self._run_start[s] : self._run_start[s] + self._run_length[s]]
            for s in order
        ))  # fmt: skip
        numbered = np.fromiter(first, dtype=np.int64, count=len(first))
        rank = np.zeros(len(self._tokens), dtype=np.int32)  # half the bytes back from a process
        rank[numbered] = np.arange(numbered.size)
        bounds = np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))
        cumulative = np.concatenate(([0], ends))
        passage_lengths = np.diff(cumulative[bounds]).astype(np.int32)
        terms = [self._tokens[t] for t in numbered.tolist()]
        return terms, rank[token_ids], passage_lengths

    def _words(self, used: list[int]) -> Counter[str]:
        """The folded words used, counted (shorthand read out), for the speller."""
        sids = np.array(used, dtype=np.int64)
        folded_ids = np.array(self._folded_of, dtype=np.int64)[sids]
        one = folded_ids >= 0  # a word as found that is one word, the usual case
        counts = np.bincount(folded_ids[one], minlength=len(self._folded))
        present = np.flatnonzero(counts)
        folded = self._folded
        names = [folded[i] for i in present.tolist()]
        words = Counter(dict(zip(names, counts[present].tolist(), strict=True)))
        several, times = np.unique(sids[~one], return_counts=True)
        for sid, n in zip(several.tolist(), times.tolist(), strict=True):
            for word in self._surfaces[sid].words:
                words[word] += n
        return words
