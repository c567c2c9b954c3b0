"""HTTP load benchmark: the Slack app in HTTP mode under 1, 8 and 32 concurrent clients, or at
fixed arrival rates (open loop, as Slack's traffic arrives).

Usage: python benchmarks/http_load.py [--requests 400] [--levels 1,8,32 | --rates 100,200,500]
       [--seed 0] [--level-timeout 120] [--mix command=4,mention=3,click=1.5,register=1.5]
       [--api-delay MS] [--app-command "CMD ... {port}"]

Starts the tests' fake Slack Web API (tests/fakeslack.py) on 127.0.0.1 in a child process, and
`mutuals serve --http` as a separate process pointed at it (a temp data file, a temp index built
from the shipped knowledge, a dummy bot token and a signing secret). Each level sends --requests
signed requests from that many client threads (closed loop: each client sends its next request
when the last one's HTTP response arrives), one keep-alive connection per client: a saturation
test, whose time to 200 is the queue it keeps (clients / throughput). With --rates, each level
sends --requests requests at that many per second whatever the replies (up to 512 outstanding,
on keep-alive connections), and every time counts from when the request was due, so a driver
or an app that falls behind shows as delay, never as a lower offered rate:

  command   /mutuals <question>: one answer posted to its response_url
  mention   app_mention event: one chat.postMessage in the mention's thread
  click     Helpful on a /mutuals answer: two response_url posts (thanks, the answer redrawn)
  register  registration view_submission: one conversations.open and one confirmation DM

Every request carries a unique key (in its response_url path, its ts, or its user id), so each
call reaching the fake is matched to its request; "answered exactly once" means exactly the
calls above, none missing, none extra, and an HTTP 200 that did not refuse the request.

Per level: requests per second, p50/p99/max time to the HTTP 200 and to the answer reaching the
fake (the last of the calls above), errors, the app's CPU time per request and its peak RSS
(sampled every 50 ms), and the benchmark's own CPU per request, clients and fake together (they
share the machine with the app). A level stops sending and waiting after --level-timeout seconds.
--api-delay makes the fake take that long over every call, like Slack's own latency.
--app-command starts the app another way (a profiler, a patched copy); CPU and memory are then
summed over the process and its children. Exits 1 unless every request was answered exactly
once, 2 if the app could not be started or stopped during the run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import queue
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import psutil

from bot.slack.gate import BUSY_TEXT

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _app import EVENTS_PATH, SIGNING_SECRET, AppProcess, MemorySampler, vm_hwm  # noqa: E402
from _report import (  # noqa: E402
    Level,
    Sent,
    by_kind,
    log_summary,
    table,
    tally,
    verdicts,
    yes,
)
from _slack import (  # noqa: E402
    EXPECTED,
    KINDS,
    RESPONSE,
    FakeSlackProcess,
    Job,
    TrafficMaker,
    load_questions,
)

REQUEST_TIMEOUT = 10.0  # seconds for one HTTP request
SETTLE = 1.0  # quiet seconds after the last answer, so that late duplicates are seen
# Web API methods that --api-delay slows down (all the app calls, bar auth.test at start-up).
DELAYED = (RESPONSE, "chat.postMessage", "chat.postEphemeral", "conversations.open",
           "conversations.replies", "views.open", "views.publish", "users.info")  # fmt: skip
DEFAULT_MIX = "command=4,mention=3,click=1.5,register=1.5"
OPEN_SENDERS = 512  # open loop: requests that may be outstanding at once (Slack has no limit)


# -- sending --------------------------------------------------------------------------------


def run_level(
    clients: int, jobs: list[Job], port: int, fake: FakeSlackProcess, memory: MemorySampler,
    timeout: float,
) -> Level:  # fmt: skip
    """Send `jobs` from `clients` threads; wait for their answers; both within `timeout`."""
    pending: queue.SimpleQueue[Job] = queue.SimpleQueue()
    for job in jobs:
        pending.put(job)
    sent: list[Sent] = []
    memory.reset()
    cpu_before, harness_before = memory.cpu_seconds(), _own_cpu_seconds() + fake.cpu_seconds()
    started = time.perf_counter()
    deadline = started + timeout
    threads = [
        threading.Thread(target=_client, args=(port, pending, deadline, sent), daemon=True)
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    finished = [s.finished for s in sent if s.finished is not None]
    seconds = (max(finished) if finished else time.perf_counter()) - started
    ended = _wait_for_answers(fake, sent, deadline)
    return Level(
        clients, len(jobs), sent, started, seconds, ended,
        memory.cpu_seconds() - cpu_before, memory.peak(),
        _own_cpu_seconds() + fake.cpu_seconds() - harness_before,
    )  # fmt: skip


def run_rate(
    rate: float, jobs: list[Job], port: int, fake: FakeSlackProcess, memory: MemorySampler,
    timeout: float,
) -> Level:  # fmt: skip
    """Open loop: send `jobs` at `rate` per second whatever the replies, as Slack does; each
    request's times count from when it was due, so a driver that falls behind shows as delay."""
    pending: queue.SimpleQueue[tuple[float, Job]] = queue.SimpleQueue()
    memory.reset()
    cpu_before, harness_before = memory.cpu_seconds(), _own_cpu_seconds() + fake.cpu_seconds()
    started = time.perf_counter() + 0.1
    for i, job in enumerate(jobs):
        pending.put((started + i / rate, job))
    deadline = started + timeout
    sent: list[Sent] = []
    idle: queue.LifoQueue[http.client.HTTPConnection] = queue.LifoQueue()
    threads = [
        threading.Thread(
            target=_open_client, args=(port, pending, idle, deadline, sent), daemon=True
        )
        for _ in range(min(OPEN_SENDERS, len(jobs)))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    while not idle.empty():
        idle.get().close()
    finished = [s.finished for s in sent if s.finished is not None]
    seconds = (max(finished) if finished else time.perf_counter()) - started
    ended = _wait_for_answers(fake, sent, deadline)
    return Level(
        0, len(jobs), sent, started, seconds, ended, memory.cpu_seconds() - cpu_before,
        memory.peak(), _own_cpu_seconds() + fake.cpu_seconds() - harness_before, rate=rate,
    )  # fmt: skip


def _open_client(
    port: int, pending: queue.SimpleQueue[tuple[float, Job]],
    idle: queue.LifoQueue[http.client.HTTPConnection], deadline: float, out: list[Sent],
) -> None:  # fmt: skip
    """Send each request when due, on a keep-alive connection from `idle` (or a new one), so
    that connections open ~ requests outstanding, not sender threads waiting for their turn."""
    while time.perf_counter() < deadline:
        try:
            due, job = pending.get_nowait()
        except queue.Empty:
            break
        time.sleep(max(0.0, due - time.perf_counter()))
        try:
            conn: http.client.HTTPConnection | None = idle.get_nowait()
        except queue.Empty:
            conn = None
        conn, sent = _send(conn, port, job, due)
        if conn is not None:
            idle.put(conn)
        out.append(sent)


def _send(
    conn: http.client.HTTPConnection | None, port: int, job: Job, started: float
) -> tuple[http.client.HTTPConnection | None, Sent]:
    """One signed request on a keep-alive connection (a new one after an error)."""
    headers, body = job.headers(SIGNING_SECRET), job.body.encode()
    if conn is None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    sent = Sent(job, started)
    try:
        conn.request("POST", EVENTS_PATH, body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        sent.finished = time.perf_counter()
        sent.refused = _busy(job, response.status, payload)
        sent.error = "" if sent.refused else _refusal(job, response.status, payload)
        if response.will_close:
            conn.close()
            conn = None
    except TimeoutError:
        sent.error = "timeout"
    except (OSError, http.client.HTTPException) as error:
        sent.error = type(error).__name__
    if sent.error and conn is not None and sent.finished is None:
        conn.close()
        conn = None
    return conn, sent


def _own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def _client(port: int, pending: queue.SimpleQueue[Job], deadline: float, out: list[Sent]) -> None:
    conn: http.client.HTTPConnection | None = None
    while time.perf_counter() < deadline:
        try:
            job = pending.get_nowait()
        except queue.Empty:
            break
        conn, sent = _send(conn, port, job, time.perf_counter())
        out.append(sent)  # list.append is atomic
    if conn is not None:
        conn.close()


def _busy(job: Job, status: int, payload: bytes) -> bool:
    """Whether the app refused the request at once, past capacity (bot.slack.gate)."""
    return status == 503 or (
        job.kind == "command" and payload.decode(errors="replace") == BUSY_TEXT
    )


def _refusal(job: Job, status: int, payload: bytes) -> str:
    """ "" for a 200 that accepted the request; else what went wrong."""
    if status != 200:
        return f"HTTP {status}"
    if job.kind == "register" and payload.strip():
        try:
            reply = json.loads(payload)
        except ValueError:
            return "form reply not JSON"
        if isinstance(reply, dict) and reply.get("response_action") == "errors":
            return "form refused"
    return ""


def _complete(fake: FakeSlackProcess, sent: Sent) -> bool:
    return all(
        len(fake.times(sent.job.key, slot)) >= count
        for slot, count in EXPECTED[sent.job.kind].items()
    )


def _wait_for_answers(fake: FakeSlackProcess, sent: list[Sent], deadline: float) -> float:
    """Wait until every request's answers arrived (or the deadline), then for a quiet spell."""
    waiting = [s for s in sent if not s.refused]
    while waiting and time.perf_counter() < deadline:
        waiting = [s for s in waiting if not _complete(fake, s)]
        time.sleep(0.02)
    ended = time.perf_counter()
    quiet_until, seen = time.perf_counter() + SETTLE, fake.call_count()
    give_up = time.perf_counter() + 10 * SETTLE
    while time.perf_counter() < min(quiet_until, give_up):
        time.sleep(0.05)
        if fake.call_count() != seen:
            quiet_until, seen = time.perf_counter() + SETTLE, fake.call_count()
    return ended


# -- main -----------------------------------------------------------------------------------


def parse_mix(text: str) -> dict[str, float]:
    mix: dict[str, float] = {}
    for part in text.split(","):
        kind, _, weight = part.partition("=")
        kind = kind.strip()
        if kind not in KINDS:
            raise argparse.ArgumentTypeError(f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
        mix[kind] = float(weight or 1)
    if not any(w > 0 for w in mix.values()):
        raise argparse.ArgumentTypeError("the mix needs a kind with a positive weight")
    return {k: w for k, w in mix.items() if w > 0}


def parse_rates(text: str) -> list[float]:
    try:
        rates = [float(r) for r in text.split(",") if r.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not numbers: {text!r}") from error
    if not rates or any(not 0 < r <= 5000 for r in rates):
        raise argparse.ArgumentTypeError("rates are requests per second from 1 to 5000")
    return rates


def parse_levels(text: str) -> list[int]:
    try:
        levels = [int(x) for x in text.split(",") if x.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not whole numbers: {text!r}") from error
    if not levels or any(n < 1 or n > 256 for n in levels):
        raise argparse.ArgumentTypeError("levels are client counts from 1 to 256")
    return levels


def arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    add = parser.add_argument
    add("--requests", type=int, default=400, help="requests per level [400]")
    add("--levels", type=parse_levels, default=[1, 8, 32], help="concurrent clients [1,8,32]")
    add("--seed", type=int, default=0, help="seed for the mix and the questions [0]")
    add("--level-timeout", type=float, default=120.0, help="seconds a level may take [120]")
    add("--api-delay", type=float, default=0.0, help="ms the fake Web API takes per call [0]")
    add("--app-command", default="", help="start the app with this ({port} is replaced)")
    add(
        "--rates",
        type=parse_rates,
        default=[],
        help="open loop instead: requests per second, e.g. 100,200,300,400,500",
    )
    add("--mix", type=parse_mix, default=parse_mix(DEFAULT_MIX), help=f"[{DEFAULT_MIX}]")
    args = parser.parse_args(argv)
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    return args


@contextmanager
def interruptible() -> Iterator[None]:
    """Ctrl-C and SIGTERM raise KeyboardInterrupt, so the app and temp files are cleaned up
    (also when started from a shell that ignores SIGINT in background jobs)."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments(argv)
    workdir = Path(tempfile.mkdtemp(prefix="mutuals-load-"))
    fake = FakeSlackProcess({method: args.api_delay / 1000 for method in DELAYED}).start()
    app = AppProcess(workdir, fake.api_url, args.app_command)
    memory: MemorySampler | None = None
    try:
        with interruptible():
            pid = app.start()
            memory = MemorySampler(pid).start()
            print(f"app pid {pid} on 127.0.0.1:{app.port}; fake Web API {fake.url}", flush=True)
            return benchmark(args, app, fake, memory)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 2
    except psutil.NoSuchProcess:
        print(f"the app stopped during the run:\n{app.tail()}", file=sys.stderr)
        return 2
    finally:
        if memory is not None:
            memory.stop()
        app.stop()
        fake.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def benchmark(
    args: argparse.Namespace, app: AppProcess, fake: FakeSlackProcess, memory: MemorySampler
) -> int:
    maker = TrafficMaker(args.seed, fake.url, load_questions())
    warm = run_level(1, [maker.job(kind) for kind in args.mix for _ in range(2)], app.port,
                     fake, memory, args.level_timeout)  # fmt: skip
    levels: list[Level] = []
    for clients in [] if args.rates else args.levels:
        jobs = maker.jobs(args.requests, args.mix)
        levels.append(run_level(clients, jobs, app.port, fake, memory, args.level_timeout))
        print(f"  {clients} clients: {len(levels[-1].sent)} requests sent", flush=True)
    for rate in args.rates:
        jobs = maker.jobs(args.requests, args.mix)
        levels.append(run_rate(rate, jobs, app.port, fake, memory, args.level_timeout))
        print(f"  {rate:g}/s: {len(levels[-1].sent)} requests sent", flush=True)
    ends = [lv.started for lv in levels[1:]] + [math.inf]
    warm_tally = tally(warm, fake, levels[0].started)
    tallies = [tally(lv, fake, end) for lv, end in zip(levels, ends, strict=True)]
    mix = ", ".join(f"{kind} {weight:g}" for kind, weight in args.mix.items())
    loop = f"open loop at {args.rates} requests/s" if args.rates else "closed loop"
    print(f"\nHTTP load ({loop}): {args.requests} requests per level, mix {mix}, seed {args.seed}, "
          f"Web API delay {args.api_delay:g} ms, {os.cpu_count()} CPUs, "
          f"app VmHWM {vm_hwm(memory)}")  # fmt: skip
    print(f"warm-up ({len(warm.sent)} requests, not in the table): answered exactly once: "
          f"{yes(warm_tally.exactly_once)}\n")  # fmt: skip
    print(table(levels, tallies))
    print()
    print("\n".join(verdicts(levels, tallies)))
    print()
    print(by_kind(levels[-1], fake, ends[-1]))
    warnings = log_summary(app.log_lines())
    if warnings:
        print("\napp log warnings and errors:\n" + "\n".join(warnings))
    return 0 if warm_tally.exactly_once and all(t.exactly_once for t in tallies) else 1


if __name__ == "__main__":
    sys.exit(main())
