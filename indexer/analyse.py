"""The one analyser: the only place where text becomes search tokens.

Passages and queries go through the same steps: Unicode normalisation and case folding,
tokenising that keeps meaningful forms (``DE&S``, ``£10m``, ``2011``), everyday shorthand
read as the words it stands for ("ppl", "govt"), synonym and acronym groups matched as phrases
(before stop words, so "spin out" survives; a group's capitalised names only where written as
names), English stop words, and Snowball stemming.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, compress
from typing import NamedTuple

import Stemmer

# Bump when the tokens of a passage would change (here or in indexer/build.py), so that
# index files built before are rebuilt.
ANALYSER_VERSION = "5"
SENTENCE_CACHE = 8192  # sentences whose token sets an analyser keeps

_TOKEN = re.compile(
    r"£?\d+(?:[.,]\d+)*(?:bn|m|k|%)?"  # numbers and sums: 2011, £10m, 1,000, 25%
    r"|[^\W_]+(?:[&'’][^\W_]+)*",  # words, keeping DE&S and MyCSP's
    re.UNICODE | re.IGNORECASE,
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
    need like just even ever still i'm i've can't yes ok okay we're you're they're we've
    you've they've we'd you'd they'd we'll you'll they'll i'll i'd it'll
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
    often usually basically generally think thinking thought wonder wondering pick choose
    chose consider considering hope hoping try trying ask asking asked curious sure unsure
    anybody somebody possible possibly whether story article link post
    """.split()
)


# Shorthand people type in chat, read as the words it stands for (before anything else, so
# "whats" is a stop word like "what's" and "govt" matches "government").
SHORTHAND = {
    "whats": "what's",
    "wats": "what's",
    "wot": "what",
    "wht": "what",
    "hows": "how's",
    "whos": "who's",
    "wheres": "where's",
    "whens": "when's",
    "thats": "that's",
    "im": "i'm",
    "ive": "i've",
    "dont": "don't",
    "doesnt": "doesn't",
    "didnt": "didn't",
    "cant": "can't",
    "wont": "won't",
    "isnt": "isn't",
    "arent": "aren't",
    "wasnt": "wasn't",
    "havent": "haven't",
    "hasnt": "hasn't",
    "shouldnt": "shouldn't",
    "wouldnt": "wouldn't",
    "couldnt": "couldn't",
    "u": "you",
    "ur": "your",
    "w": "with",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "thnx": "thanks",
    "ty": "thanks",
    "ta": "thanks",
    "cos": "because",
    "coz": "because",
    "cuz": "because",
    "bc": "because",
    "b4": "before",
    "abt": "about",
    "tho": "though",
    "thru": "through",
    "wanna": "want to",
    "gonna": "going to",
    "gotta": "got to",
    "dunno": "don't know",
    "ppl": "people",
    "peeps": "people",
    "govt": "government",
    "gov": "government",
    "govts": "governments",
    "dept": "department",
    "depts": "departments",
    "regs": "regulations",
    "reg": "regulation",
    "admin": "administration",
    "info": "information",
    "org": "organisation",
    "orgs": "organisations",
    "mgmt": "management",
    "mgr": "manager",
    "approx": "approximately",
    "yr": "year",
    "yrs": "years",
    "num": "number",
    "amt": "amount",
    "esp": "especially",
    "diff": "difference",
    "eg": "for example",
    "ie": "that is",
}

# Words that make up small talk (greetings, thanks, sign-offs): a message of nothing else is
# not a question (bot.answers.compose).
SMALL_TALK_WORDS = frozenset(
    """
    hi hello hey hiya yo howdy morning afternoon evening good great thanks thank you cheers
    ta ok okay cool nice lovely brilliant perfect awesome excellent bye goodbye all everyone
    team folks guys much very lot lots so again there mate help test testing
    """.split()
)


@dataclass(frozen=True)
class Analysed:
    """A text's tokens, the light ones among them, and the word each ordinary token came from
    (a synonym's canonical term has none: it names the thing by definition)."""

    tokens: list[str]
    light: set[str]
    origins: dict[str, Word]


@dataclass(frozen=True)
class Word:
    """A word as typed: folded for matching; whether it was written as a name (capitalised,
    not at the start of the text)."""

    folded: str
    as_name: bool


class Surface(NamedTuple):
    """One word as found in a text, analysed: the words it stands for (one, or shorthand's
    several), each as written, stemmed and whether it is kept (not a stop word); where among
    them a phrase or name may start; and its index tokens when none does."""

    words: tuple[str, ...]
    raws: tuple[str, ...]
    stems: tuple[str, ...]
    kept: tuple[bool, ...]
    starts: tuple[int, ...]
    tokens: tuple[str, ...]


class Analyser:
    """Turns text into tokens; one instance serves both passages and queries.

    A synonym group's terms match whatever their case, except those written with capitals
    (a `names:` group in synonyms.yaml): "My Civil Service Pension" names MyCSP, "my civil
    service pension" is somebody's pension.
    """

    def __init__(self, synonym_groups: Iterable[Sequence[str]] = ()):
        self._stemmer = Stemmer.Stemmer("english")
        self._stem = lru_cache(maxsize=100_000)(self._stemmer.stemWord)
        self._phrases: dict[tuple[str, ...], str] = {}
        self._names: dict[tuple[str, ...], str] = {}  # exact words, as capitalised
        self._starts: set[str] = set()  # first stems and first name words: most start none
        self._longest = 1
        for group in synonym_groups:
            self._add_group(group)
        # Answers weigh the sentences of the same few passages question after question.
        self.token_set = lru_cache(maxsize=SENTENCE_CACHE)(self._token_set)
        self._surfaces: dict[str, Surface] = {}  # the build's analysis of each word (`surface`)

    def _add_group(self, group: Sequence[str]) -> None:
        canonical = "_".join(w for w, _ in self._read(group[0])) or group[0].casefold()
        for term in group:
            read = self._read(term)
            if not read:
                continue
            if term != term.casefold():
                self._names.setdefault(tuple(raw for _, raw in read), canonical)
                self._starts.add(read[0][1])
            else:
                self._phrases.setdefault(tuple(self._stem(w) for w, _ in read), canonical)
                self._starts.add(self._stem(read[0][0]))
            self._longest = max(self._longest, len(read))

    @staticmethod
    def _read(text: str) -> list[tuple[str, str]]:
        """Each word of `text`: folded (shorthand read out), and as written."""
        text = unicodedata.normalize("NFKC", text).replace("’", "'")
        possessive = "'" in text  # most texts have none: skip a call per word
        result = []
        for raw in _TOKEN.findall(text):
            if possessive:
                raw = _strip_possessive(raw)
            folded = raw.casefold()
            expanded = SHORTHAND.get(folded)
            if expanded is None:
                result.append((folded, raw))
            else:
                result += [(w, w) for w in expanded.split()]
        return result

    def read(self, text: str) -> list[tuple[str, str]]:
        """Each word of `text`, folded and as written: what `analyse_words` takes (the build
        reads each text once, for its tokens and for the speller's word counts)."""
        return self._read(text)

    def words(self, text: str) -> list[str]:
        """The normalised words of `text`, before stop words, synonyms and stemming."""
        return [w for w, _ in self._read(text)]

    def tokens(self, text: str) -> list[str]:
        """The search tokens of `text`, in order (`analyse(text)[0]`, without its light set)."""
        return self.index_tokens(self._read(text))

    def _token_set(self, text: str) -> frozenset[str]:
        """The distinct search tokens of `text` (cached: see `token_set`)."""
        return frozenset(self.tokens(text))

    def analyse(self, text: str) -> tuple[list[str], set[str]]:
        """The tokens of `text`, and the light ones among them: those that do not name its topic.

        Light tokens are the words that only spell out a synonym phrase (a query weighs the
        canonical term of "reg 77", not "reg") and question-framing words ("how long").
        """
        analysed = self.analyse_words(self._read(text))
        return analysed.tokens, analysed.light

    def analyse_query(self, text: str, correct: Callable[[list[str]], list[str]]) -> Analysed:
        """A question's analysis, its words first put through `correct` (the speller)."""
        read = self._read(text)
        fixed = correct([w for w, _ in read])
        return self.analyse_words(
            [(new, raw if new == old else new) for (old, raw), new in zip(read, fixed, strict=True)]
        )

    def analyse_words(self, read: list[tuple[str, str]]) -> Analysed:
        words = [w for w, _ in read]
        raws = [r for _, r in read]
        light = {self._stem(w) for w in words if w in FRAMING_WORDS}
        stems = [self._stem(w) for w in words]
        tokens, origins = self._apply_synonyms(stems, words, raws, light)
        return Analysed(tokens, light - set(self._phrases.values()) - set(self._names.values()),
                        origins)  # fmt: skip

    def index_tokens(self, read: list[tuple[str, str]]) -> list[str]:
        """`analyse_words(read).tokens`, without the light set and origins a passage does not
        need (the build's path, ten million tokens at 100k passages)."""
        words = [w for w, _ in read]
        stems = [self._stem(w) for w in words]
        return self._apply_synonyms(stems, words, [r for _, r in read], set(), origins=False)[0]

    def index_text(self, text: str) -> list[str]:
        """`index_tokens(read(text))`, each distinct word analysed once (see `surface`)."""
        found = self.find(self.normalise(text))
        surface = self.surface
        if any(surface(word).starts for word in found):
            return self.phrase_tokens(found)
        return list(chain.from_iterable(surface(word).tokens for word in found))

    @staticmethod
    def normalise(text: str) -> str:
        """`text` as the analyser reads it (Unicode NFKC, typographic apostrophes plain)."""
        return unicodedata.normalize("NFKC", text).replace("’", "'")

    @staticmethod
    def find(normalised: str) -> list[str]:
        """The words of a normalised text as found, before anything is done to them (no word
        spans white space, so the words of a text are those of its pieces, in order)."""
        return _TOKEN.findall(normalised)

    def surface(self, found: str) -> Surface:
        """What becomes of one word as found (`find`), analysed the first time it is asked
        for: what `_read` and `_apply_synonyms` do to it when no phrase takes it in."""
        known = self._surfaces.get(found)
        if known is None:
            known = self._surfaces[found] = self._analyse_surface(found)
        return known

    def phrase_tokens(self, found: Sequence[str]) -> list[str]:
        """The index tokens of words as found, where a phrase or name may start among them
        (what `index_text` gives: phrases looked for only where one may start)."""
        words: list[str] = []
        raws: list[str] = []
        stems: list[str] = []
        kept: list[bool] = []
        starts: list[int] = []
        for word in found:
            entry = self.surface(word)
            starts.extend(len(words) + at for at in entry.starts)
            words += entry.words
            raws += entry.raws
            stems += entry.stems
            kept += entry.kept
        out: list[str] = []
        i = 0
        for at in starts:
            if at < i:  # inside a phrase already matched
                continue
            out.extend(compress(stems[i:at], kept[i:at]))
            i = at
            match = self._phrase_at(stems, raws, at)
            if match is not None:
                size, canonical = match
                if size > 1:
                    out.extend(self._keep(stems[at : at + size], words[at : at + size]))
                out.append(canonical)
                i = at + size
        out.extend(compress(stems[i:], kept[i:]))
        return out

    @property
    def longest_phrase(self) -> int:
        """The most words a synonym phrase or name has."""
        return self._longest

    def phrase(self, window: Sequence[Surface]) -> tuple[int, list[str]] | None:
        """Whether a phrase or name starts at the first of these words as found (each one word,
        not shorthand for several; `longest_phrase` of them, or those left): how many words it
        takes and the tokens it gives, as `phrase_tokens` would."""
        stems = [w.stems[0] for w in window]
        match = self._phrase_at(stems, [w.raws[0] for w in window], 0)
        if match is None:
            return None
        size, canonical = match
        if size == 1:
            return 1, [canonical]
        return size, [*self._keep(stems[:size], [w.words[0] for w in window[:size]]), canonical]

    def _analyse_surface(self, found: str) -> Surface:
        # Stripping a possessive is a no-op for a word without "'", which is why `_read`
        # skips it for texts without one: it can be done here whatever the text.
        raw = _strip_possessive(found)
        folded = raw.casefold()
        expanded = SHORTHAND.get(folded)
        pairs = [(folded, raw)] if expanded is None else [(w, w) for w in expanded.split()]
        words = tuple(w for w, _ in pairs)
        raws = tuple(r for _, r in pairs)
        stems = tuple(self._stem(w) for w in words)
        kept = tuple(w not in STOP_WORDS for w in words)
        starts = tuple(
            at for at, (s, r) in enumerate(zip(stems, raws, strict=True))
            if s in self._starts or r in self._starts
        )  # fmt: skip
        return Surface(words, raws, stems, kept, starts, tuple(compress(stems, kept)))

    def _phrase_at(self, stems: list[str], raws: list[str], i: int) -> tuple[int, str] | None:
        for size in range(min(self._longest, len(stems) - i), 0, -1):
            canonical = self._names.get(tuple(raws[i : i + size])) or self._phrases.get(
                tuple(stems[i : i + size])
            )
            if canonical is not None:
                return size, canonical
        return None

    def _apply_synonyms(
        self, stems: list[str], words: list[str], raws: list[str], phrase_words: set[str],
        origins: bool = True,
    ) -> tuple[list[str], dict[str, Word]]:  # fmt: skip
        out: list[str] = []
        found_in: dict[str, Word] = {}
        i = 0
        while i < len(stems):
            # The build's hot path: where no phrase or name starts, skip the search for one.
            starts = stems[i] in self._starts or raws[i] in self._starts
            found = self._phrase_at(stems, raws, i) if starts else None
            if found is not None:
                size, canonical = found
                if size > 1:
                    kept = self._keep(stems[i : i + size], words[i : i + size])
                    phrase_words.update(kept)
                    out.extend(kept)
                out.append(canonical)  # a one-word variant is the canonical term itself
                i += size
                continue
            if words[i] not in STOP_WORDS:
                out.append(stems[i])
                if origins:
                    seen = found_in.get(stems[i])
                    word = Word(words[i], i > 0 and raws[i][:1].isupper())
                    found_in[stems[i]] = word if seen is None or word.as_name else seen
            i += 1
        return out, found_in

    def _keep(self, stems: list[str], words: list[str]) -> list[str]:
        """The words of a matched phrase, each as its own one-word synonym if it has one."""
        return [
            self._phrases.get((s,), s) for s, w in zip(stems, words, strict=True)
            if w not in STOP_WORDS
        ]  # fmt: skip


def is_small_talk(words: Sequence[str]) -> bool:
    """Whether a message is only greetings, thanks and the like (with at least one of them)."""
    return any(w in SMALL_TALK_WORDS for w in words) and all(
        w in SMALL_TALK_WORDS or w in STOP_WORDS for w in words
    )


def _strip_possessive(word: str) -> str:
    return word[:-2] if word.casefold().endswith("'s") and len(word) > 2 else word
