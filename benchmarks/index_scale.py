"""How the index scales: build, artefact, cold `mutuals ask`, load, hot swap, search at N passages.

Usage: python benchmarks/index_scale.py [--sizes 1000,10000,100000] [--queries 200] [--seed 0]
       [--work DIR] [--okapi-queries 30]

For each size it generates a knowledge directory of about N passages (the bundled knowledge plus
generated pages of 50 sections, benchmarks/_knowledge_gen.py), then measures, each in a fresh
process so that memory figures are the process's own:
- `mutuals index` wall time and the index file's size;
- cold `mutuals ask --json` wall time and peak RSS with the index built (median of 3 runs);
- SearchIndex.load time and RSS after it; then a hot swap in that process: another build of the
  same knowledge replaces the file, LiveIndex.current() notices and loads it, timed, with the
  process's peak RSS during the swap (the peak is reset just before);
- search (question analysis, spelling and top-10) and whole-answer p50/p99 over --queries
  generated questions; the top-10 for the first --okapi-queries questions is checked against
  rank_bm25.BM25Okapi on the same tokens (exit 1 on any difference);
- bm25s (bench extra) on the same tokens where it applies: its index+save time (after our
  analysis), its saved size, load with mmap=True, RSS after load, retrieve p50/p99.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

MUTUALS = [str(Path(sys.executable).parent / "mutuals")]  # the installed command, as people run it


def _rss_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS (Linux)


def _run_timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, the child's own peak RSS (MB, from wait4) and its stdout."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=ROOT
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed with {proc.returncode}")
    return wall, usage.ru_maxrss / 1024, out.decode()


def questions(knowledge: Path, n: int, seed: int) -> list[str]:
    """Questions of 3 to 6 words drawn from the knowledge's own section text, some with typos."""
    import random

    from indexer.chunk import passages
    from indexer.knowledge import load_knowledge

    rng = random.Random(seed)
    items = passages(load_knowledge(knowledge))
    result = []
    for _ in range(n):
        words = rng.choice(items).text.split()
        picked = rng.sample(words, min(len(words), rng.randint(3, 6)))
        if rng.random() < 0.2:
            w = max(picked, key=len)
            picked[picked.index(w)] = w[:2] + w[3:] if len(w) > 5 else w
        result.append("what about " + " ".join(w.strip(".,;:") for w in picked) + "?")
    return result


# --- measured in a child process -------------------------------------------------------------


def child_ours(knowledge: str, index: str, spare: str, qfile: str, okapi_queries: int) -> None:
    """Load, hot swap, search and answer timings, printed as one JSON line; the questions'
    tokens are written beside them for the bm25s run."""
    import numpy as np

    from bot.answers.compose import answer_question
    from indexer.live import LiveIndex

    base = _rss_mb()
    start = time.perf_counter()
    live = LiveIndex(index, knowledge, check_interval=0)  # SearchIndex.load, as a server does
    load_s = time.perf_counter() - start
    rss_load = _rss_mb()
    old = live.current().info.build_id
    os.replace(spare, index)
    _reset_peak()
    t = time.perf_counter()
    index_obj = live.current()
    swap_s = time.perf_counter() - t
    assert index_obj.info.build_id != old, "the swap did not happen"
    peak = _rss_mb("VmHWM")
    qs = json.loads(Path(qfile).read_text())
    Path(qfile + ".tokens").write_text(json.dumps([index_obj.query(q).tokens for q in qs]))
    search_t, answer_t = [], []
    for q in qs[:20]:
        answer_question(index_obj, q)
    for q in qs:
        t = time.perf_counter()
        index_obj.search(q, k=10)
        search_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        answer_question(index_obj, q)
        answer_t.append(time.perf_counter() - t)
    mismatches = _check_okapi(index_obj, knowledge, qs[:okapi_queries]) if okapi_queries else 0
    print(json.dumps({
        "load_s": load_s, "rss_base": base, "rss_load": rss_load, "swap_s": swap_s,
        "rss_before_swap": rss_load, "peak_swap": peak,
        "search_p50": float(np.percentile(search_t, 50)) * 1000,
        "search_p99": float(np.percentile(search_t, 99)) * 1000,
        "answer_p50": float(np.percentile(answer_t, 50)) * 1000,
        "answer_p99": float(np.percentile(answer_t, 99)) * 1000,
        "okapi_checked": min(okapi_queries, len(qs)), "okapi_mismatches": mismatches,
    }))  # fmt: skip


def _tokens(knowledge: str) -> list[list[str]]:
    from indexer.chunk import passages
    from indexer.corpus import encode_passages
    from indexer.knowledge import load_knowledge

    k = load_knowledge(knowledge)
    enc = encode_passages(k.synonyms, passages(k))
    flat = [enc.terms[i] for i in enc.ids.tolist()]
    out, at = [], 0
    for n in enc.lengths.tolist():
        out.append(flat[at : at + n])
        at += n
    return out


def _check_okapi(index: Any, knowledge: str, qs: list[str]) -> int:
    """Questions whose top-10 differs from BM25Okapi's on the same tokens (ids or scores)."""
    from rank_bm25 import BM25Okapi

    tokens = _tokens(knowledge)
    okapi = BM25Okapi(tokens)
    bad = 0
    for q in qs:
        query = index.query(q)
        scores = okapi.get_scores(query.tokens)
        terms = set(query.tokens)
        holding = [i for i, doc in enumerate(okapi.doc_freqs) if not terms.isdisjoint(doc)]
        holding.sort(key=lambda i: (-scores[i], i))
        want = [(i, float(scores[i])) for i in holding[:10]]
        got = [(h.position, h.score) for h in index.search(query, k=10)]
        bad += got != want
    return bad


def child_bm25s_build(knowledge: str, dest: str) -> None:
    import bm25s

    t = time.perf_counter()
    tokens = _tokens(knowledge)
    analysis = time.perf_counter() - t
    t = time.perf_counter()
    engine = bm25s.BM25(k1=1.5, b=0.75)
    engine.index(tokens, show_progress=False)
    engine.save(dest)
    print(json.dumps({"analysis_s": analysis, "index_save_s": time.perf_counter() - t}))


def child_bm25s_load(dest: str, qfile: str) -> None:
    import bm25s
    import numpy as np

    queries = [q for q in json.loads(Path(qfile + ".tokens").read_text()) if q]
    base = _rss_mb()
    t = time.perf_counter()
    engine = bm25s.BM25.load(dest, mmap=True)
    load_s = time.perf_counter() - t
    rss = _rss_mb()
    times = []
    for q in queries[:20]:
        engine.retrieve([q], k=10, show_progress=False)
    for q in queries:
        t = time.perf_counter()
        engine.retrieve([q], k=10, show_progress=False)
        times.append(time.perf_counter() - t)
    print(json.dumps({
        "load_s": load_s, "rss_base": base, "rss_load": rss,
        "p50": float(np.percentile(times, 50)) * 1000,
        "p99": float(np.percentile(times, 99)) * 1000,
    }))  # fmt: skip


# --- the parent: generate, run, tabulate ------------------------------------------------------


def _size_of(path: Path) -> float:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20
    return path.stat().st_size / 2**20


def measure(size: int, work: Path, n_queries: int, seed: int, okapi: int) -> dict[str, Any]:
    from _knowledge_gen import generate

    knowledge, qfile = work / f"k{size}", work / f"q{size}.json"
    index, spare = work / f"i{size}.sqlite3", work / f"s{size}.sqlite3"
    passages = generate(ROOT / "knowledge", knowledge, size, seed)
    qfile.write_text(json.dumps(questions(knowledge, n_queries, seed)))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    index.unlink(missing_ok=True)
    build_s, build_rss, _ = _run_timed(
        [*MUTUALS, "index", "--knowledge", str(knowledge), "--index", str(index)], env
    )
    asks = [
        _run_timed(
            [
                *MUTUALS,
                "ask",
                "--json",
                "--knowledge",
                str(knowledge),
                "--index",
                str(index),
                "What is MyCSP?",
            ],
            env,
        )  # fmt: skip
        for _ in range(3)
    ]
    assert all(json.loads(out.splitlines()[-1])["answered"] for _, _, out in asks)
    _run_timed([*MUTUALS, "index", "--knowledge", str(knowledge), "--index", str(spare)], env)
    me = [sys.executable, str(Path(__file__).resolve())]
    _, _, out = _run_timed(
        [*me, "--child", "ours", str(knowledge), str(index), str(spare), str(qfile), str(okapi)],
        env,
    )
    row: dict[str, Any] = {
        "size": passages, "build_s": build_s, "build_rss": build_rss,
        "file_mb": _size_of(index),
        "ask_s": statistics.median(a[0] for a in asks),
        "ask_rss": statistics.median(a[1] for a in asks),
        **json.loads(out.splitlines()[-1]),
    }  # fmt: skip
    try:
        import bm25s  # noqa: F401
    except ImportError:
        return row
    dest = work / f"bm25s{size}"
    shutil.rmtree(dest, ignore_errors=True)
    _, rss, out = _run_timed([*me, "--child", "bm25s-build", str(knowledge), str(dest)], env)
    built = json.loads(out.splitlines()[-1])
    _, _, out = _run_timed([*me, "--child", "bm25s-load", str(dest), str(qfile)], env)
    row["bm25s"] = {**built, **json.loads(out.splitlines()[-1]), "size_mb": _size_of(dest),
                    "build_rss": rss}  # fmt: skip
    return row


def print_table(rows: list[dict[str, Any]]) -> None:
    def line(label: str, values: list[str]) -> None:
        print(f"{label:<44}" + "".join(f"{v:>22}" for v in values))

    line("passages", [f"{r['size']:,}" for r in rows])
    print("-" * (44 + 22 * len(rows)))
    both = [
        ("build s (ours: mutuals index | bm25s)", "build_s", "{:.2f}"),
        ("artefact MB", "file_mb", "{:.1f}"),
        ("load s", "load_s", "{:.3f}"),
        ("RSS after load MB (process)", "rss_load", "{:.0f}"),
        ("search p50 ms", "search_p50", "{:.3f}"),
        ("search p99 ms", "search_p99", "{:.3f}"),
    ]
    for label, key, fmt in both:
        values = []
        for r in rows:
            ours = fmt.format(r[key])
            b = r.get("bm25s")
            theirs = fmt.format(_bm25s_value(b, key)) if b else "-"
            values.append(f"{ours} | {theirs}")
        line(label, values)
    for label, key, fmt in [
        ("build peak RSS MB", "build_rss", "{:.0f}"),
        ("cold mutuals ask wall s (median of 3)", "ask_s", "{:.2f}"),
        ("cold mutuals ask peak RSS MB", "ask_rss", "{:.0f}"),
        ("hot swap s", "swap_s", "{:.3f}"),
        ("peak RSS during swap MB", "peak_swap", "{:.0f}"),
        ("answer p50 ms (search + compose)", "answer_p50", "{:.3f}"),
        ("answer p99 ms", "answer_p99", "{:.3f}"),
    ]:
        line(label, [fmt.format(r[key]) for r in rows])
    line("swap peak / RSS after load", [f"{r['peak_swap'] / r['rss_load']:.2f}x" for r in rows])
    line("top-10 equal to BM25Okapi", [
        f"{r['okapi_checked'] - r['okapi_mismatches']}/{r['okapi_checked']}" for r in rows
    ])  # fmt: skip


def _bm25s_value(b: dict[str, Any], key: str) -> float:
    return {
        "build_s": b["analysis_s"] + b["index_save_s"], "file_mb": b["size_mb"],
        "load_s": b["load_s"], "rss_load": b["rss_load"], "search_p50": b["p50"],
        "search_p99": b["p99"],
    }[key]  # fmt: skip


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        mode, args = sys.argv[2], sys.argv[3:]
        if mode == "ours":
            child_ours(*args[:4], int(args[4]))
        elif mode == "bm25s-build":
            child_bm25s_build(*args)
        else:
            child_bm25s_load(*args)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--okapi-queries", type=int, default=30)
    parser.add_argument("--work", type=Path, default=Path("/tmp/mutuals-index-scale"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        rows.append(measure(size, args.work, args.queries, args.seed, args.okapi_queries))
        print(f"measured {size}", file=sys.stderr)
    print(
        f"\n{args.queries} questions, seed {args.seed}; 'ours | bm25s' where both apply (bm25s:"
        " our analysis + its index and save; load with mmap=True; retrieve on our tokens)."
    )
    print_table(rows)
    bad = sum(r["okapi_mismatches"] for r in rows)
    print(
        "\nRESULT:",
        "MISMATCH against BM25Okapi" if bad else "all checked top-10s equal BM25Okapi's",
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
