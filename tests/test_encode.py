"""The build's encoder analyses each distinct piece of text once, and gives exactly the tokens
and word counts the analyser gives text by text."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.analyse import Analyser
from indexer.encode import ChunkEncoder

GROUPS = [
    ["mycsp", "my civil service pension", "my civil service pensions"],
    ["MyCSP", "My Civil Service Pension"],
    ["cic", "community interest company"],
    ["spinout", "spin out", "spin-out", "spun out"],
    ["reg77", "reg 77", "regulation 77"],
    ["des", "de&s", "defence equipment and support"],
    ["example", "for example case"],
]
# Words and marks that exercise every path: phrases and names (in any case), shorthand for
# one word and for several ("eg" is "for example"), stop words, possessives, numbers, unicode.
PIECES = [
    "my", "My", "civil", "Civil", "service", "Service", "pension", "Pension", "pensions",
    "community", "interest", "company", "spin", "out", "spin-out", "spun", "reg", "regs", "77",
    "regulation", "de&s", "DE&S", "defence", "equipment", "and", "support", "eg", "gonna",
    "dunno", "info", "the", "of", "a", "staff's", "mutuals'", "children’s", "£10m", "1,000",
    "25%", "2011", "ＭｙＣＳＰ", "for", "example", "case", "—", "(", ")", ".", ",", "?", "🙂",
    "naïve", "Straße", "x_y", "it's", "don't",
]  # fmt: skip
_text = st.lists(
    st.tuples(st.sampled_from(PIECES), st.sampled_from([" ", "", "\n", ". ", ", ", "\u00a0"])),
    max_size=40,
).map(lambda parts: "".join(p + sep for p, sep in parts))


def _reference(analyser: Analyser, title: str, section: str, text: str) -> list[str]:
    return [
        *analyser.index_tokens(analyser.read(title)),
        *analyser.index_tokens(analyser.read(section)) * 2,
        *analyser.index_tokens(analyser.read(text)),
    ]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_text, _text, _text | st.text(max_size=200)), max_size=6))
def test_the_encoder_gives_the_analysers_tokens_and_words(
    passages: list[tuple[str, str, str]],
) -> None:
    analyser = Analyser(GROUPS)
    encoder = ChunkEncoder(Analyser(GROUPS), title_weight=1, section_weight=2)
    for chunk in (passages, passages[::-1]):  # the second time, every piece is known
        terms, ids, lengths, words = encoder.encode(chunk)
        want = [_reference(analyser, *p) for p in chunk]
        assert [terms[i] for i in ids.tolist()] == [t for doc in want for t in doc]
        assert terms == list(dict.fromkeys(t for doc in want for t in doc))
        assert lengths.tolist() == [len(doc) for doc in want]
        assert words == Counter(w for p in chunk for text in p for w in analyser.words(text))


@settings(max_examples=300, deadline=None)
@given(_text | st.text(max_size=300))
def test_index_text_is_index_tokens_of_read(text: str) -> None:
    analyser = Analyser(GROUPS)
    assert analyser.index_text(text) == analyser.index_tokens(analyser.read(text))


@settings(max_examples=300, deadline=None)
@given(_text | st.text(max_size=300))
def test_tokens_are_the_tokens_of_analyse(text: str) -> None:
    analyser = Analyser(GROUPS)
    assert analyser.tokens(text) == analyser.analyse(text)[0]
