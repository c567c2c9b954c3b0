"""The quick test for a note for authors never passes over a section the pattern matches."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.author_notes import AUTHOR_NOTE, _may_hold_note

_PIECES = [
    "the", "bot", "Bot", "BOT", "both", "robot", "bots", "assistant", "should", "must", "for",
    "an", "answer", "answering", "when", "note", "notes", "to", "authors", "self", "TODO",
    "tbc", "XXX", "fixme", "be", "given", "staff", "ſ", "ß",
]  # fmt: skip
_text = st.lists(
    st.tuples(st.sampled_from(_PIECES), st.sampled_from([" ", "", "\n", ". ", ", ", "_", "-"])),
    max_size=30,
).map(lambda parts: "".join(p + sep for p, sep in parts))


@settings(max_examples=500, deadline=None)
@given(_text | st.text(max_size=200))
def test_a_section_the_pattern_matches_is_never_skipped(text: str) -> None:
    if AUTHOR_NOTE.search(text):
        assert _may_hold_note(text)
