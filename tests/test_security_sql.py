"""SQL is built only with parameters: no `execute(`/`query(` in bot/ or indexer/ takes SQL made
with an f-string, `%`, `.format()`, `.join()` or `+` with something that is not a constant.

The one exception is PRAGMA, whose values SQLite cannot bind: an f-string PRAGMA passes when every
value in it is an int (`int(...)`, `len(...)`, or a name assigned from `int(...)`).
ruff's S608 (pyproject.toml) catches some of the same; this also follows names to their
assignments and knows which calls take SQL.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "indexer").rglob("*.py")])

# method -> the keyword its SQL may be passed as (else the first positional argument)
SQL_METHODS = {
    "execute": "sql", "executemany": "sql", "executescript": "sql", "query": "sql",
    "rows_where": "where", "count_where": "where", "delete_where": "where",
    "pks_and_rows_where": "where",
}  # fmt: skip
_DATABASE_HINTS = ("db", "conn", "database")  # `.query(` on these is SQL, not SearchIndex.query


def _is_int(node: ast.expr, int_names: set[str]) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in ("int", "len")
    return isinstance(node, ast.Name) and node.id in int_names


def _pragma(node: ast.JoinedStr, int_names: set[str]) -> bool:
    """An f-string PRAGMA whose every value is an int."""
    first = node.values[0] if node.values else None
    starts = isinstance(first, ast.Constant) and str(first.value).lstrip().upper()
    return (
        bool(starts)
        and str(starts).startswith("PRAGMA ")
        and all(
            _is_int(v.value, int_names) for v in node.values if isinstance(v, ast.FormattedValue)
        )
    )


class Names:
    """What the module's assignments say about names: dynamic strings, constant strings, ints."""

    def __init__(self, tree: ast.AST) -> None:
        assigned = _assignments(tree)
        self.ints = {name for name, value in assigned if _is_int(value, set())}
        # Constant: every assignment is a string literal, or constants added together (the
        # greatest fixed point, so `sql = "a"; sql += "b"` stays constant).
        self.constants = {name for name, _ in assigned}
        while True:
            fewer = {
                name for name in self.constants
                if all(self.constant(v) for n, v in assigned if n == name)
            }  # fmt: skip
            if fewer == self.constants:
                break
            self.constants = fewer
        self.dynamic: set[str] = set()
        while True:  # to a fixed point: x = f"..."; y = x + "..."
            more = {name for name, value in assigned if self.is_dynamic(value)}
            if more <= self.dynamic:
                break
            self.dynamic |= more

    def constant(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Constant):
            return isinstance(node.value, str)
        if isinstance(node, ast.Name):
            return node.id in self.constants
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.constant(node.left) and self.constant(node.right)
        return False

    def is_dynamic(self, node: ast.expr) -> bool:
        """Whether an expression builds a string from something that is not a constant."""
        if isinstance(node, ast.JoinedStr):
            has_values = any(isinstance(v, ast.FormattedValue) for v in node.values)
            return has_values and not _pragma(node, self.ints)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            return True
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return not self.constant(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            return node.func.attr in ("format", "join")
        if isinstance(node, ast.Name):
            return node.id in self.dynamic
        return False


def _assignments(tree: ast.AST) -> list[tuple[str, ast.expr]]:
    found: list[tuple[str, ast.expr]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            found += [(t.id, node.value) for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and node.value is not None:
            if isinstance(node.target, ast.Name):
                value = node.value
                if isinstance(node, ast.AugAssign):  # x += y is x = x + y
                    value = ast.BinOp(left=node.target, op=node.op, right=node.value)
                found.append((node.target.id, value))
        elif isinstance(node, ast.NamedExpr):
            found.append((node.target.id, node.value))
    return found


def _sql_argument(call: ast.Call) -> ast.expr | None:
    if not isinstance(call.func, ast.Attribute) or call.func.attr not in SQL_METHODS:
        return None
    if call.func.attr == "query":
        receiver = ast.unparse(call.func.value).lower()
        if not any(hint in receiver for hint in _DATABASE_HINTS):
            return None
    for keyword in call.keywords:
        if keyword.arg == SQL_METHODS[call.func.attr]:
            return keyword.value
    return call.args[0] if call.args else None


def unsafe_sql_calls(source: str, filename: str = "<string>") -> list[str]:
    """`file:line: call` for every SQL call in `source` whose SQL is built dynamically."""
    tree = ast.parse(source, filename)
    names = Names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            sql = _sql_argument(node)
            if sql is not None and names.is_dynamic(sql):
                found.append(f"{filename}:{node.lineno}: {ast.unparse(node)[:120]}")
    return found


def _sql_calls(source: str) -> int:
    tree = ast.parse(source)
    return sum(1 for n in ast.walk(tree) if isinstance(n, ast.Call) and _sql_argument(n))


def test_sql_is_built_only_with_parameters() -> None:
    found = []
    for path in SOURCES:
        found += unsafe_sql_calls(path.read_text("utf-8"), str(path.relative_to(ROOT)))
    assert found == [], "SQL built from non-constant strings:\n" + "\n".join(found)


def test_the_scan_sees_the_sql_calls() -> None:
    total = sum(_sql_calls(path.read_text("utf-8")) for path in SOURCES)
    assert total >= 20, f"only {total} SQL calls found: is the scan still looking?"


@pytest.mark.parametrize(
    "code",
    [
        'db.execute(f"SELECT * FROM t WHERE id = {user_id}")',
        'db.execute("SELECT * FROM t WHERE id = %s" % user_id)',
        'db.execute("SELECT * FROM t WHERE id = {}".format(user_id))',
        'db.execute("SELECT * FROM t WHERE id = " + user_id)',
        'conn.executescript(" ".join(parts))',
        'sql = f"DELETE FROM {table}"\ndb.execute(sql, [])',
        'sql = "DELETE FROM t WHERE "\nsql += name\ndb.execute(sql)',
        'where = f"user_id = {u}"\ntable.rows_where(where)',
        'table.rows_where(where="id = " + str(n))',
        'db.query(f"SELECT {column} FROM t")',
        'conn.execute(f"PRAGMA busy_timeout = {value}")',  # not known to be an int
    ],
)
def test_the_scan_flags_dynamic_sql(code: str) -> None:
    assert unsafe_sql_calls(code) != []


@pytest.mark.parametrize(
    "code",
    [
        'db.execute("SELECT * FROM t WHERE id = ?", [user_id])',
        '_SQL = "SELECT 1"\ndb.execute(_SQL)',
        'db.execute("SELECT * " "FROM t")',
        'db.execute("SELECT * FROM t " + "WHERE id = ?", [x])',
        'conn.execute(f"PRAGMA busy_timeout = {int(ms)}")',
        'before = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])\n'
        'conn.execute(f"PRAGMA busy_timeout = {before}")',
        'index.query(f"{context} {question}")',  # SearchIndex.query: a question, not SQL
        'table.rows_where("a = ? AND b = ?", [a, b])',
    ],
)
def test_the_scan_passes_parameterised_sql(code: str) -> None:
    assert unsafe_sql_calls(code) == []
