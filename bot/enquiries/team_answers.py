"""The mutuals team's answers: stored in the data file (precious, not derived), checked, and
turned into passages that every index build adds, or into a knowledge page to curate.

A team answer holds the question, the answer, an optional source and who in the team answered;
nothing of the person who asked.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.data.db import Data, as_database, busy_guard, from_iso, iso, write_one
from bot.slack.escape import clean, is_safe_url
from indexer.analyse import Analyser
from indexer.chunk import Passage
from indexer.extra import ExtraPassages
from indexer.model import Problem, Source
from indexer.search import SearchIndex

log = logging.getLogger(__name__)

DOC_ID = "team-answers"
TITLE = "Answers from the mutuals team"
SOURCE = "Mutuals team, answered in Slack"
DATA_FILE = "data file"  # how problems name where a team answer lives

# Limits of the Answer modal's inputs, and what a stored team answer must keep to.
MAX_QUESTION = 500
MAX_ANSWER = 2500
MAX_SOURCE_TITLE = 150
MAX_SOURCE_URL = 500
# A gap counts as covered when the best passage for it is a team answer holding this share of
# the question's weight (the answers' own bar for a confident answer, bot/answers/confidence.py).
COVERS = 0.55

_INSERT = """
INSERT INTO team_answers (enquiry_id, question, answer, source_title, source_url, as_of,
                          answered_by, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
_UPDATE = """
UPDATE team_answers SET question = ?, answer = ?, source_title = ?, source_url = ?, as_of = ?,
                        answered_by = ?, updated_at = ?
WHERE id = ? AND retired_at IS NULL
"""
_RETIRE = "UPDATE team_answers SET retired_at = ? WHERE id = ? AND retired_at IS NULL"
_ACTIVE = "SELECT * FROM team_answers WHERE retired_at IS NULL ORDER BY id"
_ALL = "SELECT * FROM team_answers ORDER BY id"
_BY_ID = "SELECT * FROM team_answers WHERE id = ?"


@dataclass(frozen=True)
class NewTeamAnswer:
    """A team answer as the Answer modal gives it, before it is stored."""

    question: str
    answer: str
    source_title: str
    source_url: str
    as_of: dt.date
    answered_by: str
    enquiry_id: int | None = None


@dataclass(frozen=True)
class TeamAnswer:
    id: int
    enquiry_id: int | None
    question: str
    answer: str
    source_title: str
    source_url: str
    as_of: str  # YYYY-MM-DD as stored (checked when it becomes a passage)
    answered_by: str
    created_at: datetime
    updated_at: datetime
    retired_at: datetime | None

    @property
    def passage_id(self) -> str:
        return f"{DOC_ID}#{self.id}"


def field_errors(question: str, answer: str, source_title: str, source_url: str) -> dict[str, str]:
    """What is wrong with a team answer, by field ("question", "answer", "source_title",
    "source_url"); empty when it can be stored and served."""
    errors: dict[str, str] = {}
    if not question.strip():
        errors["question"] = "Give the question this answers."
    elif len(question) > MAX_QUESTION:
        errors["question"] = f"Keep the question under {MAX_QUESTION} characters."
    if not answer.strip():
        errors["answer"] = "Write the answer."
    elif len(answer) > MAX_ANSWER:
        errors["answer"] = f"Keep the answer under {MAX_ANSWER:,} characters."
    elif not Analyser().tokens(answer):
        errors["answer"] = "The answer has no words the assistant could search."
    if len(source_title) > MAX_SOURCE_TITLE:
        errors["source_title"] = f"Keep the title under {MAX_SOURCE_TITLE} characters."
    if source_url and (len(source_url) > MAX_SOURCE_URL or not is_safe_url(source_url)):
        errors["source_url"] = "Give a web address starting https:// (or leave it empty)."
    elif source_url and not source_title.strip():
        errors["source_title"] = "Give the source a title too."
    return errors


def tidy(text: str) -> str:
    """Text as stored: control characters dropped, spaces at the ends trimmed."""
    return clean(text).strip()


def _team_answer(row: Mapping[str, Any]) -> TeamAnswer:
    return TeamAnswer(
        id=row["id"], enquiry_id=row["enquiry_id"], question=row["question"],
        answer=row["answer"], source_title=row["source_title"], source_url=row["source_url"],
        as_of=row["as_of"], answered_by=row["answered_by"],
        created_at=from_iso(row["created_at"]), updated_at=from_iso(row["updated_at"]),
        retired_at=from_iso(row["retired_at"]) if row["retired_at"] else None,
    )  # fmt: skip


def insert_team_answer(db: Database, new: NewTeamAnswer, now: datetime) -> int:
    """Store a team answer (inside the caller's transaction, if any); its id."""
    params = [new.enquiry_id, new.question, new.answer, new.source_title, new.source_url,
              new.as_of.isoformat(), new.answered_by, iso(now), iso(now)]  # fmt: skip
    with busy_guard():
        answer_id = db.execute(_INSERT, params).lastrowid
    assert answer_id is not None
    log.info("team answer %d stored", answer_id)
    return answer_id


def add_team_answer(data: Data, new: NewTeamAnswer, now: datetime) -> int:
    return insert_team_answer(as_database(data), new, now)


def list_team_answers(data: Data, retired: bool = False) -> list[TeamAnswer]:
    """The team answers the assistant serves (and the retired ones too, with `retired`)."""
    with busy_guard():
        rows = as_database(data).query(_ALL if retired else _ACTIVE)
        return [_team_answer(row) for row in rows]


def get_team_answer(data: Data, answer_id: int) -> TeamAnswer | None:
    with busy_guard():
        rows = list(as_database(data).query(_BY_ID, [answer_id]))
    return _team_answer(rows[0]) if rows else None


def update_team_answer(data: Data, answer_id: int, new: NewTeamAnswer, now: datetime) -> bool:
    """Replace a served team answer's text and source; False if it is retired or unknown."""
    params = [new.question, new.answer, new.source_title, new.source_url, new.as_of.isoformat(),
              new.answered_by, iso(now), answer_id]  # fmt: skip
    return write_one(as_database(data), _UPDATE, params).rowcount == 1


def retire_team_answer(data: Data, answer_id: int, now: datetime) -> bool:
    """Stop serving a team answer (kept, marked retired); False if it was not being served."""
    return write_one(as_database(data), _RETIRE, [iso(now), answer_id]).rowcount == 1


# -- as knowledge ------------------------------------------------------------------------------


def problems_of(answer: TeamAnswer) -> list[str]:
    """Why a stored team answer cannot be served (the data file may have been edited)."""
    reasons = list(
        field_errors(answer.question, answer.answer, answer.source_title, answer.source_url)
        .values()
    )  # fmt: skip
    try:
        dt.date.fromisoformat(answer.as_of)
    except ValueError:
        reasons.append(f"bad date {answer.as_of!r} (use YYYY-MM-DD)")
    return reasons


def sources_of(answer: TeamAnswer) -> tuple[Source, ...]:
    """The team's own attribution first, then the source they gave (if any)."""
    given = (Source(answer.source_title, answer.source_url),) if answer.source_url else ()
    return (Source(SOURCE, ""), *given)


def as_passage(answer: TeamAnswer) -> Passage:
    """A team answer as a passage: the question is its section heading (weighed like one)."""
    return Passage(
        answer.passage_id, DOC_ID, TITLE, " ".join(answer.question.split()), answer.answer,
        dt.date.fromisoformat(answer.as_of), sources_of(answer),
    )  # fmt: skip


def team_passages(data: Data) -> ExtraPassages:
    """Every served team answer that passes its checks as a passage; the others as problems."""
    good: list[Passage] = []
    problems: list[Problem] = []
    for answer in list_team_answers(data):
        reasons = problems_of(answer)
        if reasons:
            where = f"{DATA_FILE}: team answer {answer.id}"
            problems += [Problem(where, 0, f"{reason} (not served)") for reason in reasons]
        else:
            good.append(as_passage(answer))
    return ExtraPassages(DOC_ID, TITLE, tuple(good), tuple(problems))


def team_answer_covers(index: SearchIndex, question: str) -> bool:
    """Whether the serving index's best passage for `question` is a team answer that holds
    most of what the question asks."""
    query = index.query(question)
    hits = index.search(query, k=1)
    if not hits or hits[0].passage.doc_id != DOC_ID:
        return False
    weights = {t: 0.0 if t in query.light else index.idf(t) for t in query.tokens}
    total = sum(weights.values())
    present = index.terms_of(hits[0])
    return total > 0 and sum(w for t, w in weights.items() if t in present) / total >= COVERS


def knowledge_page(answers: list[TeamAnswer], today: dt.date) -> str:
    """The team answers as a `knowledge/guidance/*.md` page, to curate into the knowledge."""
    sources: list[Source] = []
    for answer in answers:
        for source in sources_of(answer)[1:]:
            if source not in sources:
                sources.append(source)
    if not sources:  # a page needs a published source: the curator must give one
        sources.append(Source(SOURCE, ""))
    dates = [a.as_of for a in answers] or [today.isoformat()]
    lines = [
        "---",
        f"title: {_quoted(TITLE)}",
        f"summary: {_quoted('Questions the mutuals team answered in Slack, to curate.')}",
        f"as_of: {max(dates)}",
        "tags: [mutuals team, answered in Slack]",
        "sources:",
    ]
    for source in sources:
        lines += [f"  - title: {_quoted(source.title)}", f"    url: {source.url}"]
    lines.append("---")
    for answer in answers:
        cited = [sources.index(s) + 1 for s in sources_of(answer)[1:]] or [1]
        lines += ["", f"## {' '.join(answer.question.split())}"]
        lines += [_body_line(line) for line in tidy(answer.answer).splitlines()]
        lines.append(f"Sources: {', '.join(map(str, cited))}; as of {answer.as_of}")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    escaped = " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _body_line(line: str) -> str:
    # A line that starts a heading or a citation would change the page's structure.
    return " " + line if line.startswith("#") or line.lstrip().startswith("Sources:") else line
