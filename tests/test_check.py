"""`mutuals check`: the validator on good and broken knowledge."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from indexer.knowledge import KnowledgeError, load_knowledge
from tests.conftest import GOOD_PAGE, PATHFINDER_ROW, PATHFINDERS_HEADER, write_knowledge


def run_check(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "--knowledge", str(root)], catch_exceptions=False)
    return result.exit_code, result.output


def test_good_knowledge_passes(knowledge_dir: Path) -> None:
    code, output = run_check(knowledge_dir)
    assert code == 0
    assert output.strip() == "ok: 1 documents, 2 sections, 1 pathfinders, 2 synonym groups"


def page(**changes: str) -> str:
    text = GOOD_PAGE
    for old, new in changes.items():
        text = text.replace(old.replace("_", " "), new)
    return text


BROKEN_PAGES = [
    ("missing title", GOOD_PAGE.replace('title: "MyCSP: a mutual joint venture"\n', ""),
     "guidance/bad.md:1: missing title"),
    ("no sources", GOOD_PAGE.split("sources:")[0] + "---\n## A\nText.\n",
     "guidance/bad.md:1: no sources"),
    ("source without url", GOOD_PAGE.replace("    url: https://example.org/mycsp\n", ""),
     "guidance/bad.md:7: source 1 has no url"),
    ("source url not http", GOOD_PAGE.replace("https://example.org/mycsp", "ftp://x"),
     "guidance/bad.md:7: source 1 url is not http(s)"),
    ("empty section", GOOD_PAGE.replace("## Who owns MyCSP\n", "## Empty one\n\n## Who owns\n"),
     "guidance/bad.md:18: empty section 'Empty one'"),
    ("bad date", GOOD_PAGE.replace("2014-04-30", "30/04/2014"),
     "guidance/bad.md:4: bad date '30/04/2014' (use YYYY-MM-DD)"),
    ("impossible date", GOOD_PAGE.replace("2014-04-30", "2014-02-30"),
     "guidance/bad.md:4: bad date"),
    ("yaml error", GOOD_PAGE.replace("tags: [mycsp, pensions]", "tags: [mycsp, pensions"),
     "guidance/bad.md:6: YAML error"),
    ("no front matter", "## Just a heading\nText.\n",
     "guidance/bad.md:1: missing front matter"),
    ("unclosed front matter", "---\ntitle: x\n", "guidance/bad.md:1: front matter is not closed"),
    ("no text", GOOD_PAGE.split("## What")[0], "guidance/bad.md:13: no text"),
    ("citation out of range", GOOD_PAGE.replace("Sources: 2;", "Sources: 2, 3;"),
     "guidance/bad.md:16: source 3 is not in the page's sources (it has 2)"),
    ("citation bad date", GOOD_PAGE.replace("as of 2011-04-12", "as of April 2011"),
     "guidance/bad.md:16: a citation line reads 'Sources: 1, 3; as of YYYY-MM-DD'"),
    ("citation impossible date", GOOD_PAGE.replace("2011-04-12", "2011-04-31"),
     "guidance/bad.md:16: bad date '2011-04-31'"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "text", "message"), BROKEN_PAGES, ids=[b[0] for b in BROKEN_PAGES]
)
def test_broken_page_is_reported(tmp_path: Path, name: str, text: str, message: str) -> None:
    root = write_knowledge(tmp_path, pages={"bad.md": text})
    code, output = run_check(root)
    assert code == 1
    assert message in output, output


BROKEN_TABLES = [
    ("short csv row", PATHFINDERS_HEADER + "a,b,c\n",
     "pathfinders.csv:2: malformed CSV row: 3 fields, expected 11"),
    ("csv row missing id", PATHFINDERS_HEADER + PATHFINDER_ROW.replace("swindon,", ",", 1),
     "pathfinders.csv:2: missing id"),
    ("csv bad source", PATHFINDERS_HEADER + PATHFINDER_ROW.replace("<https://example.org/s>", "x"),
     "pathfinders.csv:2: source 'Example x' is not 'Title <url>'"),
    ("csv bad date", PATHFINDERS_HEADER + PATHFINDER_ROW.replace("2012-10-01", "Oct 2012"),
     "pathfinders.csv:2: bad date 'Oct 2012'"),
    ("csv wrong header", "id,name\n", "pathfinders.csv:1: header must be exactly"),
    ("duplicate pathfinder id", PATHFINDERS_HEADER + PATHFINDER_ROW * 2,
     "pathfinders.csv:3: duplicate id 'swindon' (first at pathfinders.csv:2)"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "rows", "message"), BROKEN_TABLES, ids=[b[0] for b in BROKEN_TABLES]
)
def test_broken_pathfinders_are_reported(
    tmp_path: Path, name: str, rows: str, message: str
) -> None:
    code, output = run_check(write_knowledge(tmp_path, pathfinders=rows))
    assert code == 1
    assert message in output, output


@pytest.mark.parametrize(
    ("synonyms", "message"),
    [
        ("groups:\n  - [a, b\n", "synonyms.yaml:3: YAML error"),
        ("groups:\n  - [mycsp, my csp]\n  - [lonely]\n", "synonyms.yaml:3: a synonym group must"),
        ("- a\n- b\n", "synonyms.yaml:1: expected a mapping with a 'groups' list"),
    ],
)
def test_broken_synonyms_are_reported(tmp_path: Path, synonyms: str, message: str) -> None:
    code, output = run_check(write_knowledge(tmp_path, synonyms=synonyms))
    assert code == 1
    assert message in output, output


def test_duplicate_document_id_across_pages_and_pathfinders(tmp_path: Path) -> None:
    """Page ids are file names; the same file cannot exist twice, but case variants clash."""
    root = write_knowledge(tmp_path, pages={"mycsp.md": GOOD_PAGE, "MyCSP.md": GOOD_PAGE})
    code, output = run_check(root)
    assert code == 1
    assert "guidance/MyCSP.md:1: file name 'MyCSP.md' must be lowercase" in output


def test_every_problem_is_listed_not_just_the_first(tmp_path: Path) -> None:
    pages = {
        "one.md": GOOD_PAGE.replace('title: "MyCSP: a mutual joint venture"\n', ""),
        "two.md": GOOD_PAGE.replace("2014-04-30", "soon"),
    }
    root = write_knowledge(tmp_path, pages=pages, pathfinders=PATHFINDERS_HEADER + "x\n")
    code, output = run_check(root)
    assert code == 1
    assert "guidance/one.md:1: missing title" in output
    assert "guidance/two.md:4: bad date 'soon'" in output
    assert "pathfinders.csv:2: malformed CSV row" in output
    assert "3 problem(s) found" in output


def test_not_utf8_is_reported(tmp_path: Path) -> None:
    root = write_knowledge(tmp_path)
    (root / "guidance" / "latin.md").write_bytes("---\ntitle: caf\xe9\n".encode("latin-1"))
    with pytest.raises(KnowledgeError) as exc:
        load_knowledge(root)
    assert "guidance/latin.md:1: not UTF-8 text" in str(exc.value)


def test_missing_guidance_directory(tmp_path: Path) -> None:
    code, output = run_check(tmp_path)
    assert code == 1
    assert "no guidance/ directory" in output
