"""The shipped knowledge: valid, sourced, dated, and covering what the briefing covers."""

from __future__ import annotations

import pytest

from indexer.chunk import passages
from indexer.knowledge import Knowledge, load_knowledge
from tests.conftest import SHIPPED_KNOWLEDGE


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_knowledge(SHIPPED_KNOWLEDGE)  # raises, listing every problem, if it is broken


def all_text(kb: Knowledge) -> str:
    return " ".join(p.text for p in passages(kb)).casefold()


def test_every_page_has_sources_with_urls(kb: Knowledge) -> None:
    assert len(kb.documents) >= 20
    for doc in kb.documents:
        assert doc.sources, doc.path
        assert all(s.url.startswith(("http://", "https://")) for s in doc.sources), doc.path


def test_every_section_cites_its_own_sources(kb: Knowledge) -> None:
    uncited = [f"{d.path}: {s.heading}" for d in kb.documents for s in d.sections if not s.sources]
    assert uncited == []


def test_every_passage_carries_a_date_and_sources(kb: Knowledge) -> None:
    for p in passages(kb):
        assert p.as_of is not None, p.id
        assert p.sources, p.id


# The twelve first-wave pathfinders as the briefing describes them, by a word of each.
BRIEFING_PATHFINDERS = {
    "awarding body": "fe-colleges-awarding-body",
    "London Partnership": "london-partnership",
    "Learning Disability": "dh-learning-disability-team",
    "Hammersmith": "hammersmith-fulham-childrens-services",
    "North East Essex": "north-east-essex-ace",
    "Mansfield": "mansfield-housing-support",
    "Lambeth": "lambeth-resource-centre",
    "Leicester": "leicester-inclusion-healthcare",
    "Newton Rigg": "newton-rigg-college-trust",
    "Kensington": "kensington-chelsea-epic",
    "Swindon": "swindon-seqol",
    "Westminster": "westminster-childrens-services",
}


@pytest.mark.parametrize(("phrase", "row_id"), BRIEFING_PATHFINDERS.items())
def test_every_briefing_pathfinder_has_a_row(kb: Knowledge, phrase: str, row_id: str) -> None:
    rows = {p.id: p for p in kb.pathfinders}
    assert row_id in rows
    row = rows[row_id]
    assert phrase.casefold() in f"{row.name} {row.description} {row.place}".casefold()
    assert row.outcome and row.sources and row.as_of


TOPICS = [
    "public service mutual", "not a legal form", "mutual pathfinder programme", "mentor",
    "december 2011", "mycsp", "equiniti", "national audit office", "right to provide",
    "right to request", "mutuals taskforce", "julian le grand", "our mutual friends",
    "ambassador", "mutuals information service", "mutuals support programme", "msp2",
    "community interest company", "company limited by guarantee", "community benefit society",
    "co-operative", "employee ownership trust", "tupe", "new fair deal", "regulation 77",
    "section 33", "procurement act 2023", "stephen kelly", "crown commercial representative",
    "social enterprise investment fund", "employee ownership association", "nuttall",
    "open public services white paper", "de&s", "ministry of defence", "business plan",
]  # fmt: skip


@pytest.mark.parametrize("topic", TOPICS)
def test_the_knowledge_covers_each_topic_of_the_fact_sheet(kb: Knowledge, topic: str) -> None:
    assert topic in all_text(kb)


@pytest.mark.parametrize(
    "versions",
    [
        ("30 april", "1 may", "30 may"),  # MyCSP's launch date
        ("42%", "40%", "51%"),  # MyCSP's ownership
        ("21", "12"),  # pathfinders
        ("22",),  # the December 2011 progress counts add up to 22
        ("2011", "october 2012"),  # SEQOL's start
        ("58", "over 70", "about 100"),  # how many mutuals
    ],
)
def test_disagreements_are_stated_with_both_versions(
    kb: Knowledge, versions: tuple[str, ...]
) -> None:
    page = next(d for d in kb.documents if d.id == "source-discrepancies")
    text = " ".join(s.text for s in page.sections).casefold()
    assert all(v in text for v in versions)


def test_contacts_say_which_are_historic(kb: Knowledge) -> None:
    page = next(d for d in kb.documents if d.id == "contacts")
    assert "historic" in " ".join(s.text for s in page.sections).casefold()
    assert kb.contact  # declined answers name a human contact


def test_the_declined_answers_contact_is_the_latest_sourced_one_with_its_date(
    kb: Knowledge,
) -> None:
    assert "mutuals@culture.gov.uk" in kb.contact
    assert "Start a public service mutual" in kb.contact and "June 2018" in kb.contact


@pytest.mark.parametrize(
    "versions",
    [
        ("over 110", "approximately 115"),  # the later DCMS counts
        ("£572k", "£57,000"),  # 2017 funding
        ("30 september 2019", "18 october 2019"),  # definition consultation close
        ("24 february 2025", "25 february 2025"),  # Procurement Act start
        ("3 to 6 months", "six months"),  # CSPS lead time
        ("ten years", "seven", "five years"),  # Capita contract length
        ("£1.06bn", "£1.2bn"),  # Sirona contract
        ("17 july 2025", "21 july"),  # Civil Society Covenant
        ("£87.9bn", "£165.7bn"),  # co-operative sector
    ],
)
def test_later_disagreements_are_listed_with_both_versions(
    kb: Knowledge, versions: tuple[str, ...]
) -> None:
    page = next(d for d in kb.documents if d.id == "source-discrepancies")
    text = " ".join(s.text for s in page.sections).casefold()
    assert all(v in text for v in versions), versions
