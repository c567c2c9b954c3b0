"""The one analyser: the only place where text becomes search tokens.

Passages and queries go through the same steps: Unicode normalisation and case folding,
tokenising that keeps meaningful forms (``DE&S``, ``£10m``, ``2011``), synonym and acronym
groups matched as phrases (before stop words, so "spin out" survives), English stop words,
and Snowball stemming.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

import Stemmer

# Bump when the tokens of a passage would change (here or in indexer/build.py), so that
# index files built before are rebuilt.
ANALYSER_VERSION = "4"
SENTENCE_CACHE = 8192  # sentences whose token sets an analyser keeps

_TOKEN = re.compile(
    r"£?\d+(?:[.,]\d+)*(?:bn|m|k|%)?"  # numbers and sums: 2011, £10m, 1,000, 25%
    r"|[^\W_]+(?:[&'’][^\W_]+)*",  # words, keeping DE&S and MyCSP's
    re.UNICODE,
)

STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are aren't as at be because been
    before being below between both but by can cannot could couldn't did didn't do does doesn't
    doing don't down during each few for from further had hadn't has hasn't have haven't having
    he her here hers herself him himself his how i if in into is isn't it it's its itself just
    let's me more most mustn't my myself no nor not of off on once only or other ought our ours
    ourselves out over own same shan't she should shouldn't so some such than that that's the
    their theirs them themselves then there there's these they this those through to too under
    until up very was wasn't we were weren't what what's when when's where where's which while
    who who's whom why why's will with won't would wouldn't you your yours yourself yourselves
    also get got tell know please thanks thank hi hello hey us s t via actually really list
    something anything anyone someone thing things stuff kind sort vs versus etc mean want
    need like just even ever still i'm i've can't yes ok okay
    """.split()
)


# Words that frame a question rather than name its topic ("how long", "the biggest", "what
# did they say"): they still count in BM25 scores, but not in how much of a question a
# passage covers.
FRAMING_WORDS = frozenset(
    """
    long big bigger biggest small smaller smallest much many size large larger largest
    mean meant means take took taken go goes went gone come came happen happened happens
    now today current currently still proper properly exactly main say said says tell
    give gave given make made making need needed needs way ways new old first last next
    find found use used using look looking help idea ideas better best good bad less least
    stop stopped stopping start started prove proved show shows explain criteria details
    info information question questions answer answers one ones side sides mostly actual
    often usually basically generally
    """.split()
)


class Analyser:
    """Turns text into tokens; one instance serves both passages and queries."""

    def __init__(self, synonym_groups: Iterable[Sequence[str]] = ()):
        self._stemmer = Stemmer.Stemmer("english")
        self._stem = lru_cache(maxsize=100_000)(self._stemmer.stemWord)
        self._phrases: dict[tuple[str, ...], str] = {}
        self._longest = 1
        for group in synonym_groups:
            self._add_group(group)
        # Answers weigh the sentences of the same few passages question after question.
        self.token_set = lru_cache(maxsize=SENTENCE_CACHE)(self._token_set)

    def _add_group(self, group: Sequence[str]) -> None:
        canonical = "_".join(self._words(group[0])) or group[0]
        for term in group:
            words = tuple(self._stem(w) for w in self._words(term))
            if words:
                self._phrases.setdefault(words, canonical)
                self._longest = max(self._longest, len(words))

    @staticmethod
    def _words(text: str) -> list[str]:
        text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
        return [_strip_possessive(w) for w in _TOKEN.findall(text)]

    def words(self, text: str) -> list[str]:
        """The normalised words of `text`, before stop words, synonyms and stemming."""
        return self._words(text)

    def tokens(self, text: str) -> list[str]:
        """The search tokens of `text`, in order."""
        return self.analyse(text)[0]

    def _token_set(self, text: str) -> frozenset[str]:
        """The distinct search tokens of `text` (cached: see `token_set`)."""
        return frozenset(self.tokens(text))

    def analyse(self, text: str) -> tuple[list[str], set[str]]:
        """The tokens of `text`, and the light ones among them: those that do not name its topic.

        Light tokens are the words that only spell out a synonym phrase (a query weighs the
        canonical term of "reg 77", not "reg") and question-framing words ("how long").
        """
        words = self._words(text)
        light = {self._stem(w) for w in words if w in FRAMING_WORDS}
        tokens = self._apply_synonyms([self._stem(w) for w in words], words, light)
        return tokens, light - set(self._phrases.values())

    def _apply_synonyms(
        self, stems: list[str], words: list[str], phrase_words: set[str]
    ) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(stems):
            for size in range(min(self._longest, len(stems) - i), 0, -1):
                canonical = self._phrases.get(tuple(stems[i : i + size]))
                if canonical is None:
                    continue
                if size == 1:
                    out.append(canonical)  # a one-word variant is the canonical term itself
                else:
                    kept = self._keep(stems[i : i + size], words[i : i + size])
                    phrase_words.update(kept)
                    out.extend(kept)
                    out.append(canonical)
                i += size
                break
            else:
                if words[i] not in STOP_WORDS:
                    out.append(stems[i])
                i += 1
        return out

    def _keep(self, stems: list[str], words: list[str]) -> list[str]:
        """The words of a matched phrase, each as its own one-word synonym if it has one."""
        return [
            self._phrases.get((s,), s) for s, w in zip(stems, words, strict=True)
            if w not in STOP_WORDS
        ]  # fmt: skip


def _strip_possessive(word: str) -> str:
    return word[:-2] if word.endswith("'s") and len(word) > 2 else word
