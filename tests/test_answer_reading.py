"""Questions read as people type them in Slack, weighed by what their words tell, and answered
with what was asked (issue: answers that hold on questions nobody tuned for)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.answers.compose import answer_question, passage_sentences
from bot.answers.ranking import rerank
from bot.answers.service import ask
from bot.answers.weights import specificity, weigh
from bot.data.db import DataStore
from bot.data.usage import questions_since
from bot.services import Services
from bot.settings import Settings
from bot.slack.text import readable
from indexer.analyse import Analyser, Word, is_small_talk
from indexer.build import build_index
from indexer.search import SearchIndex
from tests.conftest import write_knowledge


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("<https://www.gov.uk/government/news/mycsp|this MyCSP story> - who owns it?",
         "this MyCSP story - who owns it?"),
        ("<@U0123ABC> whats TUPE", "whats TUPE"),
        ("<#C0456|mutuals-chat> :thinking_face: what is a CIC", "what is a CIC"),
        ("<!here> DE&amp;S and the MoD :+1::skin-tone-2:", "DE&S and the MoD"),
        ("see <https://example.org/page>", "see"),
        ("<!subteam^S123|@mutuals-team> meeting at 10:30", "meeting at 10:30"),
        ("ratio 3:2:1, not an emoji", "ratio 3:2:1, not an emoji"),
        (None, ""),
    ],
)  # fmt: skip
def test_slack_markup_reads_as_a_person_means_it(typed: str, read: str) -> None:
    assert readable(typed) == read


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("whats tupe", "what is tupe"),
        ("how many ppl work there", "how many people work there"),
        ("govt dept regs", "government department regulations"),
        ("the admin contract", "the administration contract"),
        ("pls send info abt it thx", "please send information about it thanks"),
        ("cos u asked w/ the team", "because you asked with the team"),
    ],
)
def test_everyday_shorthand_is_read_as_the_words_it_stands_for(short: str, long: str) -> None:
    analyser = Analyser()
    assert analyser.tokens(short) == analyser.tokens(long)


def test_a_name_made_of_ordinary_words_fires_only_written_as_a_name() -> None:
    analyser = Analyser(
        [("mycsp", "My Civil Service Pension"), ("tupe", "transfer of undertakings")]
    )
    assert "mycsp" in analyser.tokens("MyCSP (My Civil Service Pension) runs the schemes")
    assert "mycsp" not in analyser.tokens("will I keep my civil service pension?")
    assert "tupe" in analyser.tokens("Transfer of Undertakings")  # a phrase: any case


@pytest.mark.parametrize("text", ["hi", "thanks!", "Cheers team", "good morning all", "help",
                                  "thank you very much", "ok thanks"])  # fmt: skip
def test_small_talk_is_recognised(text: str) -> None:
    assert is_small_talk(Analyser().words(text))


@pytest.mark.parametrize("text", ["", "the and of", "hi, what is tupe?", "thanks, who owns mycsp"])
def test_questions_are_not_small_talk(text: str) -> None:
    assert not is_small_talk(Analyser().words(text))


def test_everyday_words_weigh_less_than_names_and_domain_terms() -> None:
    assert specificity(Word("keep", False)) < 0.2
    assert specificity(Word("team", False)) < 0.2
    assert specificity(Word("pension", False)) > 0.5
    assert specificity(Word("tupe", False)) == 1.0
    assert specificity(None) == 1.0  # a synonym's canonical term names the thing
    assert specificity(Word("2012", False)) == 1.0


@pytest.mark.parametrize(
    ("question", "page", "fact"),
    [
        ("pls explain right to provide", "rights-to-provide", "Right to Provide"),
        ("<@U0123ABC> whats TUPE", "tupe-and-pensions", "Transfer of Undertakings"),
        ("how many ppl work at mycsp", None, "500"),
        # "admin" reads as "administration", which the passage words as "administer"
        ("when does the mycsp admin contract end", "mycsp", "31 December 2023"),
        ("will I keep my civil service pension if we leave to form a mutual?", "starting-a-mutual",
         "New Fair Deal"),
        ("<https://www.gov.uk/government/news/mycsp|this MyCSP story> - who owns it?", "mycsp",
         "25%"),
        (":thinking_face: what is a CIC", "legal-forms", "community interest company"),
        pytest.param(
            "we're a small team in a council thinking about going mutual, what legal form "
            "should we pick?", None, "legal",
            marks=pytest.mark.xfail(strict=True, reason="declined since the decision was refitted "
                                    "with 'Also asked' questions: the asker's context (a team in "
                                    "a council) is a third of its weight and no passage holds it"),
        ),
    ],
)  # fmt: skip
def test_questions_typed_as_in_slack_are_answered(
    shipped_index: SearchIndex, question: str, page: str | None, fact: str
) -> None:
    answer = answer_question(shipped_index, question)
    assert answer.answered, question
    assert page is None or answer.hits[0].passage.doc_id == page
    assert fact.casefold() in answer.text.casefold()
    assert answer.question == question  # what is shown stays as typed


@pytest.mark.parametrize(
    "question",
    [
        "has anyone got the link for the all-staff call?",
        "what is the Barnsley council mutual called?",
        "how do I reset my slack password",
    ],
)
def test_asks_the_knowledge_does_not_hold_are_declined(
    shipped_index: SearchIndex, question: str
) -> None:
    answer = answer_question(shipped_index, question)
    assert not answer.answered and not answer.small_talk


def test_a_decline_offers_the_closest_guidance_but_stays_a_decline(
    shipped_index: SearchIndex,
) -> None:
    answer = answer_question(shipped_index, "what is the Barnsley council mutual called?")
    assert not answer.answered and answer.sources == ()
    assert 0 < len(answer.closest) <= 2
    assert answer.related == ()


def test_small_talk_gets_a_friendly_reply_and_is_no_knowledge_gap(
    shipped_index: SearchIndex, tmp_path: Path
) -> None:
    data = DataStore(tmp_path / "data.sqlite3")
    services = Services(Settings(), shipped_index, data)
    for text in ["hi", "thanks!", "help"]:
        asked = ask(services, text, "dm")
        assert asked.answer.small_talk and not asked.answer.answered
        assert "couldn't find" not in asked.answer.text
        assert asked.question_id is None
    assert questions_since(data, datetime(2000, 1, 1, tzinfo=UTC)) == []
    data.close()


def test_reranking_keeps_rank_bm25_scores(shipped_index: SearchIndex) -> None:
    query = shipped_index.query("what date did the MyCSP joint venture start trading")
    hits = shipped_index.search(query, k=10)
    ranked = [c.hit for c in rerank(shipped_index, hits, weigh(shipped_index, query), query.text)]
    assert sorted((h.passage.id, h.score) for h in ranked) == sorted(
        (h.passage.id, h.score) for h in hits
    )


STEPS_PAGE = """\
---
title: Setting up
summary: How a team sets up.
as_of: 2015-01-01
sources:
  - title: Toolkit
    url: https://example.org/toolkit
---
## What are the steps to set up a staff mutual?
Setting up a staff mutual has four steps, according to the toolkit. It usually takes a year
and a great deal of work by a committed team of staff who want to run their own service.

1. Bring together a group of staff who share the idea and want to lead the change together.
2. Write a business case that shows the service will be sustainable and will save money.
3. Agree a contract with the commissioner who pays for the service, for a period of years.
4. Choose a legal form and register the new organisation with the regulator in good time.

The toolkit was published by a council network in March 2015 with help from a law firm and
several of the first mutuals, which shared their experience of the process with the authors.

## When did the first staff mutual start trading?
The plans were announced in April 2011 after a long period of talks with the unions. The new
staff mutual started trading on 30 April 2012, with 500 staff and a board of seven members.
"""


@pytest.fixture
def steps_index(tmp_path: Path) -> SearchIndex:
    root = write_knowledge(tmp_path / "k", pages={"setting-up.md": STEPS_PAGE})
    build_index(root, tmp_path / "index.sqlite3")
    return SearchIndex.load(tmp_path / "index.sqlite3")


def test_a_list_is_never_cut(steps_index: SearchIndex) -> None:
    answer = answer_question(steps_index, "what are the steps to set up a staff mutual?")
    assert answer.answered
    for item in ("Bring together", "business case", "Agree a contract", "Choose a legal form"):
        assert item in answer.text


def test_the_sentence_with_the_date_is_given_for_when(steps_index: SearchIndex) -> None:
    answer = answer_question(steps_index, "when did the staff mutual start trading?")
    assert answer.answered and "30 April 2012" in answer.text


@pytest.mark.parametrize(
    "question",
    ["what are the steps to set up a staff mutual?", "when did the staff mutual start trading?"],
)
def test_every_sentence_shown_is_verbatim_from_the_passage(
    steps_index: SearchIndex, question: str
) -> None:
    answer = answer_question(steps_index, question)
    body = answer.text.rsplit(" (As of ", 1)[0]
    sentences = [s.text for s in passage_sentences(answer.hits[0].passage.text)]
    shown = [s for s in sentences if s in body]
    assert " ".join(shown) == body  # whole sentences of the passage, in its order


SCORES_OF = """
import json, sys
from bot.answers.compose import consider
from indexer.search import SearchIndex
index = SearchIndex.load(sys.argv[1])
for line in open(sys.argv[2], encoding="utf-8"):
    candidates = consider(index, json.loads(line)["question"]).candidates
    print(repr([(c.hit.passage.id, c.values, c.score) for c in candidates]))
"""


def test_re_ranking_does_not_depend_on_the_hash_seed(shipped_index_path: Path) -> None:
    """Sums run in the question's and the heading's own order, never a set's: each question
    is ranked the same, to the last bit, in every process (here the test part's questions)."""
    import os
    import subprocess
    import sys

    questions = Path(__file__).resolve().parent / "eval" / "test.jsonl"
    runs = {
        subprocess.run(
            [sys.executable, "-c", SCORES_OF, str(shipped_index_path), str(questions)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout  # fmt: skip
        for seed in ("1", "2", "3")
    }
    assert len(runs) == 1 and runs.pop().count("\n") == 319


def test_a_full_match_is_answered_under_a_heading_that_is_not_a_question(tmp_path: Path) -> None:
    """Knowledge an admin adds need not have question headings or "Also asked" lines: a passage
    that holds the whole question, with no rival, is still answered (README, "Evaluation": a
    refit that declined this was not shipped)."""
    from tests.slack_harness import PAGES

    root = write_knowledge(tmp_path / "k", pages=PAGES)
    build_index(root, tmp_path / "index.sqlite3")
    answer = answer_question(
        SearchIndex.load(tmp_path / "index.sqlite3"), "What does TUPE protect?"
    )
    assert answer.answered and "terms and conditions of staff" in answer.text
