"""Superseded passages name their successors, and `mutuals check` keeps staleness out."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from indexer.chunk import passages
from indexer.knowledge import Knowledge, load_knowledge
from indexer.supersession import section_ids
from tests.conftest import SHIPPED_KNOWLEDGE, write_knowledge

# Each subject whose older answer is no longer the latest: the older passages, the newer one,
# and a phrase that the older passage must use to say what replaced it.
SUPERSEDED = [
    (
        "MyCSP ownership",
        [
            "mycsp#who-owned-mycsp-at-launch-in-2012",
            "mycsp#how-did-mycsp-s-ownership-change-in-2014",
            "source-discrepancies#what-were-the-mycsp-ownership-shares-42-33-25-40-35-25-or-51-24-25",
        ],
        "mycsp#who-owns-mycsp-now",
        "2018",
    ),
    (
        "who runs the Civil Service Pension Scheme",
        ["mycsp#how-big-is-mycsp-and-is-its-contract-still-running"],
        "mycsp#does-mycsp-still-run-the-civil-service-pension-scheme",
        "1 december 2025",
    ),
    (
        "regulation 77 -> section 33",
        ["reserving-contracts#what-is-regulation-77-of-the-public-contracts-regulations-2015"],
        "reserving-contracts#what-does-section-33-of-the-procurement-act-2023-allow",
        "24 february 2025",
    ),
    (
        '"around 100" mutuals',
        [
            "what-is-a-public-service-mutual#how-many-public-service-mutuals-were-there-from-2010-"
            "to-2013",
            "what-is-a-public-service-mutual#why-do-the-counts-of-public-service-mutuals-differ",
        ],
        "what-is-a-public-service-mutual#how-many-public-service-mutuals-are-there-now",
        "approximately 115",
    ),
    (
        "MSP2 -> no programme since March 2020",
        [
            "mutuals-support-programme#what-was-mutuals-support-programme-2",
            "starting-a-mutual#what-support-is-available-for-staff-starting-a-mutual",
        ],
        "support-since-2017#is-there-a-government-support-programme-for-public-service-mutuals-now",
        "march 2020",
    ),
    (
        "LGPS Fair Deal",
        ["tupe-and-pensions#does-the-new-fair-deal-apply-to-local-authority-staff"],
        "pensions-since-2016#does-the-new-fair-deal-now-apply-to-local-government-pensions",
        "22 december 2025",
    ),
    (
        "Epic CIC",
        [
            "pathfinder-outcomes#what-happened-to-the-kensington-and-chelsea-youth-services-pathfinder"
        ],
        "mutuals-since-2016#what-happened-to-epic-cic-the-kensington-and-chelsea-youth-mutual",
        "april 2020",
    ),
    (
        "EOT rules",
        ["legal-forms#what-is-an-employee-ownership-trust"],
        "employee-ownership-trusts-2025#what-changed-for-employee-ownership-trusts-in-the-"
        "finance-act-2025",
        "finance act 2025",
    ),
]


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_knowledge(SHIPPED_KNOWLEDGE)


@pytest.mark.parametrize(("subject", "olds", "new", "phrase"), SUPERSEDED,
                         ids=[s[0] for s in SUPERSEDED])  # fmt: skip
def test_superseded_and_superseding_passages_name_each_other(
    kb: Knowledge, subject: str, olds: list[str], new: str, phrase: str
) -> None:
    sections = section_ids(list(kb.documents))
    successor = sections[new].section
    assert {ref for ref, _ in successor.markers.supersedes} >= set(olds), subject
    for old in olds:
        earlier = sections[old].section
        assert new in {ref for ref, _ in earlier.markers.superseded_by}, old
        assert phrase in earlier.text.casefold(), f"{old} does not say what replaced it"


def test_every_marker_in_the_shipped_knowledge_is_listed_here(kb: Knowledge) -> None:
    listed = {(old, new) for _, olds, new, _ in SUPERSEDED for old in olds}
    found = {(ref, located.id) for located in section_ids(list(kb.documents)).values()
             for ref, _ in located.section.markers.supersedes}  # fmt: skip
    assert found == listed


def test_the_mycsp_ownership_answer_gives_the_latest_owners_first(kb: Knowledge) -> None:
    text = section_ids(list(kb.documents))["mycsp#who-owns-mycsp-now"].section.text
    assert text.index("75%") < text.index("2018") < text.index("2012")
    assert "Capita" in text and "1 December 2025" in text
    assert "One source alone" in text  # single-sourced, and it says so


def test_markers_never_reach_passage_text(kb: Knowledge) -> None:
    for p in passages(kb):
        for marker in ("Supersedes:", "Superseded by:", "Historical:"):
            assert marker not in p.text, p.id


# --- `mutuals check` on small knowledge with markers -------------------------------------

OLD = """\
---
title: Old rules
as_of: 2015-01-01
sources:
  - title: Old source
    url: https://example.org/old
---
## What was the old rule?
The old rule allowed three years.
{marker}
"""

NEW = """\
---
title: New rules
as_of: 2025-02-24
sources:
  - title: New source
    url: https://example.org/new
---
## What is the new rule?
The new rule allows five years, replacing the old rule.
Supersedes: {target}
"""


def check(tmp_path: Path, old_marker: str, target: str = "old#what-was-the-old-rule") -> str:
    pages = {"old.md": OLD.format(marker=old_marker), "new.md": NEW.format(target=target)}
    root = write_knowledge(tmp_path / "k", pages=pages)
    result = CliRunner().invoke(main, ["check", "--knowledge", str(root)], catch_exceptions=False)
    return f"exit {result.exit_code}\n{result.output}"


def test_a_stale_older_passage_is_flagged(tmp_path: Path) -> None:
    output = check(tmp_path, old_marker="")
    assert "exit 1" in output
    assert "guidance/old.md:8: stale: old#what-was-the-old-rule (as of 2015-01-01)" in output
    assert "superseded by new#what-is-the-new-rule" in output


@pytest.mark.parametrize("marker", ["Superseded by: new#what-is-the-new-rule", "Historical: yes"])
def test_an_older_passage_that_says_so_passes(tmp_path: Path, marker: str) -> None:
    assert check(tmp_path, old_marker=marker).startswith("exit 0")


def test_a_link_to_a_missing_section_is_an_error(tmp_path: Path) -> None:
    output = check(tmp_path, "Historical: yes", target="old#no-such-section")
    assert "guidance/new.md:10: no section 'old#no-such-section' to link to" in output


def test_a_one_sided_superseded_by_is_an_error(tmp_path: Path) -> None:
    output = check(tmp_path, "Superseded by: new#what-is-the-new-rule", target="old#nothing")
    assert "does not say it supersedes this" in output


@pytest.mark.parametrize("bad", ["Supersedes: not an id", "Historical: maybe"])
def test_a_malformed_marker_is_an_error(tmp_path: Path, bad: str) -> None:
    assert "exit 1" in check(tmp_path, old_marker=bad)


AUTHOR_NOTES = [
    "Both dates should be given when answering.",
    "Note to authors: check this figure.",
    "TODO confirm the date.",
    "An answer should not call it a co-operative.",
    "For the bot: say the year.",
]


@pytest.mark.parametrize("note", AUTHOR_NOTES)
def test_notes_written_for_authors_are_flagged(tmp_path: Path, note: str) -> None:
    output = check(tmp_path, old_marker="Historical: yes\n" + textwrap.dedent(note))
    assert "exit 1" in output and "note for authors" in output


def test_the_shipped_knowledge_has_no_author_notes_or_stale_passages() -> None:
    load_knowledge(SHIPPED_KNOWLEDGE)  # raises KnowledgeError listing every problem
