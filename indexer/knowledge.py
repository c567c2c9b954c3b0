"""Load and validate the knowledge directory: guidance pages, pathfinders and synonyms.

Every problem is collected with its file, line and reason; nothing partial is returned.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from indexer.author_notes import check_author_notes
from indexer.model import (
    Document,
    Knowledge,
    KnowledgeError,
    Pathfinder,
    Problem,
    Section,
    Source,
)
from indexer.pages import check_also_asked, load_page
from indexer.parsing import relative
from indexer.supersession import check_supersession
from indexer.tables import PATHFINDER_COLUMNS, load_pathfinders, load_synonyms

__all__ = [
    "PATHFINDER_COLUMNS", "Document", "Knowledge", "KnowledgeError", "Pathfinder", "Problem",
    "Section", "Source", "knowledge_digest", "knowledge_files", "load_knowledge",
]  # fmt: skip


def knowledge_files(root: Path) -> list[Path]:
    """The files that make up the knowledge, in a stable order."""
    files = sorted((root / "guidance").glob("*.md"))
    files += [p for p in (root / "pathfinders.csv", root / "synonyms.yaml") if p.exists()]
    return files


def knowledge_digest(root: Path) -> str:
    """A hash of every knowledge file's name and bytes: changes when the knowledge does."""
    h = hashlib.sha256()
    for path in knowledge_files(root):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def load_knowledge(root: Path | str) -> Knowledge:
    """Load and validate everything under `root`; raise KnowledgeError listing every problem."""
    root = Path(root)
    problems: list[Problem] = []
    if not (root / "guidance").is_dir():
        raise KnowledgeError([Problem(str(root), 0, "no guidance/ directory")])
    documents = []
    for path in sorted((root / "guidance").glob("*.md")):
        doc = load_page(path, relative(path, root), problems)
        if doc is not None:
            documents.append(doc)
    _check_duplicate_ids([(d.id, d.path, 1) for d in documents], problems)
    check_supersession(documents, problems)
    check_author_notes(documents, problems)
    check_also_asked(documents, problems)
    pathfinders = load_pathfinders(root / "pathfinders.csv", root, problems)
    _check_duplicate_ids([(p.id, "pathfinders.csv", p.line) for p in pathfinders], problems)
    synonyms = load_synonyms(root / "synonyms.yaml", root, problems)
    if problems:
        raise KnowledgeError(problems)
    return Knowledge(tuple(documents), tuple(pathfinders), synonyms, knowledge_digest(root))


def _check_duplicate_ids(items: list[tuple[str, str, int]], problems: list[Problem]) -> None:
    seen: dict[str, tuple[str, int]] = {}
    for item_id, file, line in items:
        if item_id in seen:
            first_file, first_line = seen[item_id]
            reason = f"duplicate id {item_id!r} (first at {first_file}:{first_line})"
            problems.append(Problem(file, line, reason))
        else:
            seen[item_id] = (file, line)
