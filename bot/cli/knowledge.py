"""Commands over the knowledge: check, index, ask, chat."""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from bot.answers import evaluate as evaluation
from bot.answers.compose import Answer, answer_question
from bot.answers.evaluate import EVAL_DIR, load_parts, load_questions
from bot.cli.common import (
    CLI_BUSY_TIMEOUT_MS,
    clean_errors,
    data_option,
    index_option,
    knowledge_option,
    paths,
    settings,
)
from bot.data.db import open_data
from bot.dates import format_date
from bot.enquiries.team_answers import team_passages
from indexer.build import build_index, open_index
from indexer.chunk import passages
from indexer.extra import ExtraPassages, ExtraSource
from indexer.knowledge import KnowledgeError, Problem, load_knowledge
from indexer.overlap import MAX_SHARE, overlap, source_texts
from indexer.search import IndexUnavailable, SearchIndex


def team_answers(data_path: Path | None = None) -> ExtraSource | None:
    """The team answers in the data file, for a build to add; None when there is no data file
    (a fresh install answers from the knowledge alone)."""
    path = data_path or settings().data_path
    if not path.is_file():
        return None

    def load() -> ExtraPassages:
        with clean_errors(str(path)):
            db = open_data(path, CLI_BUSY_TIMEOUT_MS)
            try:
                return team_passages(db)
            finally:
                db.close()

    return load


def _print_left_out(problems: list[Problem] | tuple[Problem, ...]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} team answer problem(s): left out of the index", err=True)


@click.command()
@knowledge_option
@click.option(
    "--sources",
    "sources_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Also check that under 3% of the knowledge's 10-word runs occur in the files of "
    "this directory (the sources it was written from).",
)
@data_option
def check(knowledge_dir: Path | None, sources_dir: Path | None, data_path: Path | None) -> None:
    """Validate the knowledge and the team answers; list every problem with file, line and
    reason (a broken team answer is named by its id: it is left out, not served)."""
    root, _ = paths(knowledge_dir, None)
    try:
        kb = load_knowledge(root)
    except KnowledgeError as exc:
        _print_problems(exc)
        sys.exit(1)
    source = team_answers(data_path)
    extra = source() if source is not None else ExtraPassages("", "")
    sections = sum(len(d.sections) for d in kb.documents)
    _print_left_out(extra.problems)
    teams = f", {len(extra.passages)} team answers" if source is not None else ""
    click.echo(
        f"{'ok' if not extra.problems else 'problems'}: {len(kb.documents)} documents, "
        f"{sections} sections, {len(kb.pathfinders)} pathfinders, {len(kb.synonyms)} synonym "
        f"groups{teams}"
    )
    if sources_dir is not None:
        shared = overlap((p.text for p in passages(kb)), source_texts(sources_dir))
        verdict = "ok" if shared.share < MAX_SHARE else "too much copied"
        click.echo(
            f"{verdict}: {shared.share:.2%} of the knowledge's 10-word runs occur in "
            f"{sources_dir} ({shared.shared} of {shared.total}; the limit is {MAX_SHARE:.0%})"
        )
        if shared.share >= MAX_SHARE:
            sys.exit(1)
    if extra.problems:
        sys.exit(1)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic collector off for a build: it makes millions of objects that live until
    it ends and hold no reference cycles, which the collector would only walk over and over
    (0.4 s at 100k passages); the analysis processes inherit the pause."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


@click.command()
@knowledge_option
@index_option
@data_option
def index(knowledge_dir: Path | None, index_path: Path | None, data_path: Path | None) -> None:
    """Build the index file from the knowledge and the team answers in the data file (the old
    one stays on any knowledge problem; a broken team answer is left out and reported)."""
    root, path = paths(knowledge_dir, index_path)
    try:
        with _collector_paused():
            report = build_index(root, path, team_answers(data_path))
    except KnowledgeError as exc:
        _print_problems(exc)
        click.echo(f"index not rebuilt; {path} left as it was", err=True)
        sys.exit(1)
    _print_left_out(report.left_out)
    click.echo(
        f"indexed {report.documents} documents, {report.passages} passages "
        f"in {report.seconds:.2f} s -> {path}"
    )


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per question per line.")
@click.option("--k", "k", default=5, show_default=True, type=click.IntRange(1, 50),
              help="Passages to return per question.")  # fmt: skip
@knowledge_option
@index_option
@click.argument("questions", nargs=-1, required=True)
def ask(
    as_json: bool, k: int, knowledge_dir: Path | None, index_path: Path | None,
    questions: tuple[str, ...],
) -> None:  # fmt: skip
    """Answer one or more questions from the knowledge."""
    search_index = _open_index(knowledge_dir, index_path)
    for question in questions:
        answer = answer_question(search_index, question, k=k)
        click.echo(json.dumps(answer_json(answer)) if as_json else render_text(answer))


@click.command()
@knowledge_option
@index_option
def chat(knowledge_dir: Path | None, index_path: Path | None) -> None:
    """Ask questions at an interactive prompt (an empty line or Ctrl-D ends)."""
    search_index = _open_index(knowledge_dir, index_path)
    click.echo("Ask about public service mutuals. An empty line ends.")
    while True:
        try:
            question = input("> ").strip()
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        if not question:
            return
        click.echo(render_text(answer_question(search_index, question)))


def _open_index(knowledge_dir: Path | None, index_path: Path | None) -> SearchIndex:
    root, path = paths(knowledge_dir, index_path)
    try:
        started = time.perf_counter()
        search_index, report = open_index(root, path, team_answers())
        if report is not None:
            took = time.perf_counter() - started
            click.echo(f"note: index built ({report.passages} passages, {took:.2f} s)", err=True)
        return search_index
    except KnowledgeError as exc:
        _print_problems(exc)
        raise click.ClickException("the knowledge has problems; fix them and try again") from exc
    except IndexUnavailable as exc:
        raise click.ClickException(str(exc)) from exc


def _print_problems(exc: KnowledgeError) -> None:
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    click.echo(f"{len(exc.problems)} problem(s) found", err=True)


def answer_json(answer: Answer) -> dict:
    """The JSON contract of `mutuals ask --json` (DESIGN.md)."""
    return {
        "question": answer.question,
        "answered": answer.answered,
        "answer": answer.text,
        "sources": [{"title": s.title, "url": s.url} for s in answer.sources],
        "passages": [
            {
                "id": h.passage.id,
                "doc_id": h.passage.doc_id,
                "title": h.passage.title,
                "section": h.passage.section,
                "text": h.passage.text,
                "url": h.passage.url,
                "as_of": h.passage.as_of,
                "score": h.score,
            }
            for h in answer.hits
        ],  # fmt: skip
        "took_ms": round(answer.took_ms, 3),
    }


def render_text(answer: Answer) -> str:
    """An answer for a terminal: the answer, then sources, then related passages."""
    lines = [answer.text]
    if answer.sources:
        lines.append("")
        lines.append(f"Sources (as of {format_date(answer.hits[0].passage.as_of)}):")
        lines += [f"  - {s.title}: {s.url}" for s in answer.sources]
    if answer.related:
        lines.append("Related:")
        lines += [f"  - {h.passage.title}: {h.passage.section}" for h in answer.related]
    if answer.closest:
        lines.append("Closest guidance I hold:")
        lines += [f"  - {h.passage.title}: {h.passage.section}" for h in answer.closest]
    return "\n".join(lines) + "\n"


@click.command(name="eval")
@click.option(
    "--questions",
    "questions_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="One file of labelled questions instead of the test and development parts.",
)
@click.option(
    "--dir",
    "eval_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=EVAL_DIR,
    show_default=True,
    help="Where test.jsonl, fresh.jsonl and dev.jsonl are.",
)
@click.option(
    "--misses",
    is_flag=True,
    help="List every development question not answered right (not the frozen parts'; a file"
    " given with --questions is listed whatever it is).",
)
@click.option(
    "--calibrate",
    is_flag=True,
    help="Choose the thresholds by cross-validation on the development part.",
)
@knowledge_option
@index_option
def evaluate(
    questions_path: Path | None, eval_dir: Path, misses: bool, calibrate: bool,
    knowledge_dir: Path | None, index_path: Path | None,
) -> None:  # fmt: skip
    """Score the answers on the frozen parts and the development part, beside a plain
    BM25 baseline, with a breakdown by kind of question."""
    search_index = _open_index(knowledge_dir, index_path)
    try:
        parts = (
            {"questions": load_questions(questions_path)}
            if questions_path
            else load_parts(eval_dir)
        )
    except (OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if calibrate:
        if "dev" not in parts:
            raise click.ClickException("calibration needs the development part (dev.jsonl)")
        evaluation.calibrate(search_index, parts["dev"], click.echo)
        return
    ours = {name: evaluation.judge(qs, evaluation.assistant(search_index))
            for name, qs in parts.items()}  # fmt: skip
    base = evaluation.baseline(search_index)
    click.echo(evaluation.report({
        name: (evaluation.summarise(rs), evaluation.score(parts[name], base))
        for name, rs in ours.items()
    }))  # fmt: skip
    for name, results in ours.items():
        click.echo(f"\n{name}, by kind of question\n{evaluation.by_kind(results)}")
        if misses and name not in evaluation.FROZEN_PARTS:
            click.echo(f"\n{name}, misses\n{evaluation.misses(results)}")


COMMANDS = [check, index, ask, chat, evaluate]
